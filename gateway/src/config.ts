import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The gateway package's folder (works from `src/` and from compiled `dist/src/`). */
export const gatewayPackageDir = packageRoot(__dirname);
/** The committed supergraph, composed by `npm run compose`. */
export const defaultSupergraphPath = resolve(gatewayPackageDir, '..', 'supergraph', 'supergraph.graphql');
/** The saved client operations offered as examples in the explorer. */
export const defaultExamplesDir = resolve(gatewayPackageDir, '..', 'supergraph', 'operations');
/** Browser origins allowed by default: any port on this machine (local front-end development). */
export const defaultCorsOrigins = ['http://localhost:*', 'http://127.0.0.1:*'];

/** Everything the gateway needs to run; `gatewayConfigFromEnv` reads it from the environment. */
export interface GatewayConfig {
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Interface to listen on. */
  host: string;
  /** The supergraph SDL file to serve; watched and reloaded when it changes. */
  supergraphPath: string;
  /**
   * The routing URL to use instead of the supergraph's for a subgraph, by subgraph name; undefined keeps the
   * supergraph's. From the environment: `<NAME>_URL` (see `subgraphUrlVariable`).
   */
  subgraphUrlOverride: (subgraphName: string) => string | undefined;
  /** Each subgraph request (and readiness probe) is aborted after this many milliseconds. */
  subgraphTimeoutMs: number;
  /** Browser origins allowed to call the gateway: exact origins, `*` wildcards (`http://localhost:*`), or `*` for any. */
  corsOrigins: string[];
  /** How often the supergraph file is checked for changes, in milliseconds. */
  supergraphPollIntervalMs: number;
  /** Folder of `.graphql` operations offered as examples in the explorer; missing folder = no examples. */
  examplesDir: string;
  /** Whether the schema can be introspected (the explorer's docs and completion need it). */
  introspection: boolean;
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  logLevel: string;
}

/** The environment variable that overrides a subgraph's routing URL: the name upper-cased, other characters as `_`, then `_URL`. */
export function subgraphUrlVariable(subgraphName: string): string {
  return `${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/**
 * Reads the configuration from environment variables, each with a local default:
 * PORT (4000), HOST (127.0.0.1), SUPERGRAPH_PATH (the committed supergraph), `<SUBGRAPH>_URL` per subgraph,
 * SUBGRAPH_TIMEOUT_MS (10000), CORS_ORIGINS (comma-separated; default http://localhost:* and http://127.0.0.1:*),
 * SUPERGRAPH_POLL_INTERVAL_MS (1000), EXPLORER_EXAMPLES_DIR (supergraph/operations), INTROSPECTION (true), LOG_LEVEL (info).
 * Throws a message naming the variable when a value is unusable.
 */
export function gatewayConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return {
    port: integerFromEnv(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    supergraphPath: env.SUPERGRAPH_PATH ? resolve(env.SUPERGRAPH_PATH) : defaultSupergraphPath,
    subgraphUrlOverride: (name) => {
      const variable = subgraphUrlVariable(name);
      const value = env[variable];
      if (!value) return undefined;
      if (!isHttpUrl(value)) throw new Error(`${variable} must be an http:// or https:// URL (got "${value}")`);
      return value;
    },
    subgraphTimeoutMs: integerFromEnv(env, 'SUBGRAPH_TIMEOUT_MS', 10_000, 1, 600_000),
    corsOrigins: env.CORS_ORIGINS !== undefined && env.CORS_ORIGINS.trim() !== '' ? env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) : defaultCorsOrigins,
    supergraphPollIntervalMs: integerFromEnv(env, 'SUPERGRAPH_POLL_INTERVAL_MS', 1000, 10, 3_600_000),
    examplesDir: env.EXPLORER_EXAMPLES_DIR ? resolve(env.EXPLORER_EXAMPLES_DIR) : defaultExamplesDir,
    introspection: booleanFromEnv(env, 'INTROSPECTION', true),
    logLevel: env.LOG_LEVEL || 'info',
  };
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function integerFromEnv(env: NodeJS.ProcessEnv, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${variable} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return value;
}

function booleanFromEnv(env: NodeJS.ProcessEnv, variable: string, fallback: boolean): boolean {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${variable} must be true or false (got "${raw}")`);
}

function packageRoot(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'package.json'))) return current;
    if (dirname(current) === current) throw new Error(`no package.json above ${dir}`);
  }
}
