import { resolve } from 'node:path';

/** The settings of one subgraph service, read only from environment variables, each with a local default. */
export interface SubgraphConfig {
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Interface to listen on (default 127.0.0.1; 0.0.0.0 in containers). */
  host?: string;
  /** Database URL; undefined means the embedded SQLite file `<dataDir>/<name>.sqlite`. */
  databaseUrl?: string;
  /** Folder for the embedded SQLite file. */
  dataDir?: string;
  /** Load the reference data from the article at start (default true). */
  loadReferenceData?: boolean;
}

/**
 * `PORT` (default `defaultPort`), `HOST` (default 127.0.0.1), `<NAME>_DATABASE_URL` or else `DATABASE_URL`, `DATA_DIR` (default `./data` where npm was run).
 * Throws a message naming the variable when a value is unusable.
 */
export function subgraphConfigFromEnv(name: string, defaultPort: number, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const prefixed = `${name.toUpperCase()}_DATABASE_URL`;
  return {
    port: portFromEnv(env, 'PORT', defaultPort),
    host: env.HOST || '127.0.0.1',
    databaseUrl: env[prefixed] || env.DATABASE_URL || undefined,
    // npm runs workspace scripts inside the workspace folder; INIT_CWD is where the user typed the command,
    // so `npm start` and `npm start -w subgraphs/<name>` at the root share ./data.
    dataDir: resolve(env.INIT_CWD || process.cwd(), env.DATA_DIR || 'data'),
    loadReferenceData: env.LOAD_REFERENCE_DATA !== 'false',
  };
}

export function portFromEnv(env: NodeJS.ProcessEnv, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${variable} must be a port number from 0 to 65535 (got "${raw}")`);
  return port;
}
