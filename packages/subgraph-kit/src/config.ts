import {
  defaultDataDir,
  findSubgraphRegistry,
  integerFromEnv,
  metricsSettingsFromEnv,
  readSubgraphRegistry,
  shutdownTimingsFromEnv,
  subgraphUrlVariableName,
  type MetricsSettings,
  type RegisteredSubgraph,
} from '@partnership/service-runtime';

export {
  defaultDataDir,
  findSubgraphRegistry,
  integerFromEnv,
  localSubgraphUrls,
  readSubgraphRegistry,
  subgraphUrlVariableName,
  type RegisteredSubgraph,
} from '@partnership/service-runtime';
import type { PeerUrls } from './entity-lookup';

/** The settings of one subgraph service, read only from environment variables, each with a local default. */
export interface SubgraphConfig {
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Interface to listen on (default 127.0.0.1; 0.0.0.0 in containers). */
  host?: string;
  /** Database URL; undefined means the embedded SQLite file `<dataDir>/<name>.sqlite`. */
  databaseUrl?: string;
  /** MySQL read replicas of `databaseUrl` (mysql:// URLs): queries read from them; writes and mutations use the primary. */
  databaseReadUrls?: string[];
  /** Folder for the embedded SQLite file. */
  dataDir?: string;
  /** Load the reference data from the article at start (default true). */
  loadReferenceData?: boolean;
  /** The secret shared with the gateway; default GATEWAY_SIGNING_SECRET or the local secret in `dataDir`. */
  signingSecret?: string;
  /** How old a gateway signature may be (default 30 s). */
  signatureMaxAgeMs?: number;
  /** The other subgraphs' URLs, by name, for checking references before a write (from the environment: `<NAME>_URL`, default the registry's local ports). */
  peers?: PeerUrls;
  /** A request's further SQL statements are refused after this long (it is abandoned); default 10 s. */
  requestTimeoutMs?: number;
  /** MySQL statements are stopped by the server after this long (0: no limit); default 5 s. */
  statementTimeoutMs?: number;
  /** At most this many representations in one `_entities` call; default 10000. */
  maxEntityRepresentations?: number;
  /** On stop, requests still running after this long are cut; default 5 s. */
  shutdownGraceMs?: number;
  /**
   * How long a cache in front (the gateway's response cache) may keep this subgraph's answers to queries, in seconds;
   * 0: not at all. Default 60. Every write goes through the gateway, which drops what it kept when a mutation succeeds.
   */
  cacheMaxAgeSeconds?: number;
  /** The Prometheus metrics listener (`/metrics`); absent or no port: none. */
  metrics?: MetricsSettings;
}

// The defaults of the limits above, for configs that leave them out (tests) and for the environment (the shutdown
// grace's is the service runtime's).
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_ENTITY_REPRESENTATIONS = 10_000;
export const DEFAULT_CACHE_MAX_AGE_SECONDS = 60;

/**
 * `PORT` (default `defaultPort`, else this subgraph's port in the registry), `HOST` (default 127.0.0.1),
 * `<NAME>_DATABASE_URL` or else `DATABASE_URL`, `<NAME>_DATABASE_READ_URLS` or else `DATABASE_READ_URLS` (comma-separated
 * mysql:// URLs of read replicas; needs a MySQL primary), `DATA_DIR` (default `./data` where npm was run), `GATEWAY_SIGNING_SECRET`
 * (default: the local secret in DATA_DIR), `SIGNATURE_MAX_AGE_MS` (30000), `<PEER>_URL` for every subgraph of the registry
 * (`subgraphs.json`, or the file SUBGRAPH_REGISTRY names; for reference checks; default its local port),
 * `REQUEST_TIMEOUT_MS` (10000), `DATABASE_STATEMENT_TIMEOUT_MS` (5000; 0: none), `MAX_ENTITY_REPRESENTATIONS` (10000),
 * `SHUTDOWN_GRACE_MS` (5000), `CACHE_MAX_AGE_SECONDS` (60; 0: answers are not cached), `METRICS_PORT` (unset: no metrics
 * listener) and `METRICS_HOST` (127.0.0.1). Throws a message naming the variable when a value is unusable.
 */
export function subgraphConfigFromEnv(name: string, defaultPort?: number, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const prefixed = `${name.toUpperCase()}_DATABASE_URL`;
  const databaseUrl = env[prefixed] || env.DATABASE_URL || undefined;
  const registryFile = findSubgraphRegistry(env);
  const registry: RegisteredSubgraph[] = registryFile ? readSubgraphRegistry(registryFile) : [];
  const port = defaultPort ?? registry.find((s) => s.name === name)?.port;
  if (port === undefined) throw new Error(`${name} is not in the subgraph registry (${registryFile ?? 'subgraphs.json not found'}); set PORT`);
  return {
    port: integerFromEnv(env, 'PORT', port, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    databaseReadUrls: readReplicaUrls(env, name, !env[prefixed] && env.DATABASE_URL ? 'DATABASE_URL' : prefixed, databaseUrl),
    dataDir: defaultDataDir(env),
    loadReferenceData: env.LOAD_REFERENCE_DATA !== 'false',
    signatureMaxAgeMs: integerFromEnv(env, 'SIGNATURE_MAX_AGE_MS', 30_000, 1_000, 300_000),
    peers: Object.fromEntries(registry.map((peer) => [peer.name, env[subgraphUrlVariableName(peer.name)] || `http://127.0.0.1:${peer.port}/graphql`])),
    requestTimeoutMs: integerFromEnv(env, 'REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 1, 600_000),
    statementTimeoutMs: integerFromEnv(env, 'DATABASE_STATEMENT_TIMEOUT_MS', DEFAULT_STATEMENT_TIMEOUT_MS, 0, 3_600_000),
    maxEntityRepresentations: integerFromEnv(env, 'MAX_ENTITY_REPRESENTATIONS', DEFAULT_MAX_ENTITY_REPRESENTATIONS, 1, 1_000_000),
    shutdownGraceMs: shutdownTimingsFromEnv(env).graceMs,
    cacheMaxAgeSeconds: integerFromEnv(env, 'CACHE_MAX_AGE_SECONDS', DEFAULT_CACHE_MAX_AGE_SECONDS, 0, 86_400),
    metrics: metricsSettingsFromEnv(env),
  };
}

const MYSQL_URL = /^(mysql|mariadb):\/\//;

/**
 * The read replicas' URLs from `<NAME>_DATABASE_READ_URLS`, else `DATABASE_READ_URLS`; undefined when unset. Throws,
 * naming the variable (never a password), for an entry that is not a mysql:// URL, and when the primary
 * (`primaryVariable`) is not MySQL: replicas are MySQL's.
 */
function readReplicaUrls(env: NodeJS.ProcessEnv, name: string, primaryVariable: string, primaryUrl: string | undefined): string[] | undefined {
  const prefixed = `${name.toUpperCase()}_DATABASE_READ_URLS`;
  const variable = env[prefixed] ? prefixed : 'DATABASE_READ_URLS';
  const raw = env[variable]?.trim();
  if (!raw) return undefined;
  const urls = raw.split(',').map((entry) => entry.trim());
  urls.forEach((url, index) => {
    const shown = url === '' ? 'an empty entry' : `"${url.split(':')[0]}:..."`;
    if (!MYSQL_URL.test(url) || !URL.canParse(url)) {
      throw new Error(`${variable}: entry ${index + 1} must be a mysql:// or mariadb:// URL such as mysql://reader:pass@replica1:3306/db (got ${shown})`);
    }
  });
  if (!primaryUrl || !MYSQL_URL.test(primaryUrl.trim())) {
    throw new Error(`${variable} needs a MySQL primary: set ${primaryVariable} to a mysql:// URL (read replicas are not used with SQLite)`);
  }
  return urls;
}
