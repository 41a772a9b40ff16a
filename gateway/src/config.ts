import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { isRole, ROLES, type Role } from '@partnership/domain';
import express from 'express';
import { configuredSigningSecret, MIN_SECRET_LENGTH } from '@partnership/request-signing';
import {
  defaultDataDir,
  integerFromEnv,
  metricsSettingsFromEnv,
  packageRoot,
  shutdownTimingsFromEnv,
  type MetricsSettings,
} from '@partnership/service-runtime';
import { defaultMaxSignatures, defaultOperationUsageKeyPrefix, type OperationUsageSettings } from './operation-usage';
import { trustedDocumentsModes, type TrustedDocumentsMode, type TrustedDocumentsSettings } from './trusted-documents';

/** The gateway package's folder (works from `src/` and from compiled `dist/src/`). */
export const gatewayPackageDir = packageRoot(__dirname);
/** The committed supergraph, composed by `npm run compose`. */
export const defaultSupergraphPath = resolve(gatewayPackageDir, '..', 'supergraph', 'supergraph.graphql');
/** The saved client operations offered as examples in the explorer. */
export const defaultExamplesDir = resolve(gatewayPackageDir, '..', 'supergraph', 'operations');
/** The trusted documents manifest of the saved client operations, built by `npm run compose`. */
export const defaultTrustedDocumentsManifest = resolve(gatewayPackageDir, '..', 'supergraph', 'trusted-documents.json');
/** Browser origins allowed by default: any port on this machine (local front-end development). */
export const defaultCorsOrigins = ['http://localhost:*', 'http://127.0.0.1:*'];

/** Everything the gateway needs to run; `gatewayConfigFromEnv` reads it from the environment. */
export interface GatewayConfig {
  /** Port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Interface to listen on. */
  host: string;
  /**
   * Which proxies in front of the gateway to believe about the client's address (X-Forwarded-For): false, none (the
   * default: the address is the connection's); a number, that many hops; or addresses, CIDR ranges and Express's
   * names (loopback, linklocal, uniquelocal). The address is what anonymous callers' rate limits are counted by.
   */
  trustProxy: false | number | string[];
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
  /**
   * Safe rollout: how often a new supergraph waiting for its subgraphs to serve the schema it was composed from checks
   * them again, in milliseconds (default 3000).
   */
  supergraphRolloutRetryMs?: number;
  /** Folder of `.graphql` operations offered as examples in the explorer; missing folder = no examples. */
  examplesDir: string;
  /**
   * Who may introspect the schema (the explorer's docs and completion need it): true everyone, false no one, or
   * the roles allowed (callers with a token carrying one of them).
   */
  introspection: IntrospectionPolicy;
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  logLevel: string;
  /** Local state shared by every service started from the same folder: `<dataDir>/secrets/` holds generated keys. */
  dataDir: string;
  /**
   * The secret that signs subgraph requests; undefined: the process's GATEWAY_SIGNING_SECRET, else the local secret
   * file in `dataDir` (the subgraph kit resolves it the same way).
   */
  signingSecret?: string;
  /** How bearer tokens are checked. */
  authentication: AuthenticationConfig;
  /** Operations beyond these are refused before any subgraph is called. */
  limits: OperationLimits;
  /** When a subgraph keeps failing, its requests fail fast for a while instead of waiting for it. */
  breaker: BreakerSettings;
  /** Requests per caller and minute. */
  rateLimit: RateLimitSettings;
  /** How long `stop()` lets requests in flight finish before it closes their connections, in milliseconds. */
  shutdownGraceMs: number;
  /** Signatures of the operations served, with counts and last-seen dates (for `npm run check -- --usage`); absent: off. */
  operationUsage?: OperationUsageSettings;
  /** Which operations are accepted: any (`off`, absent), any and trusted documents by id (`allow`), trusted documents only (`only`). */
  trustedDocuments?: TrustedDocumentsSettings;
  /** Identical query fetches in flight to one subgraph for one caller share one request. */
  subgraphDeduplication: boolean;
  /** Whole answers to queries, kept as long as the subgraphs' cache hints allow. */
  responseCache: ResponseCacheSettings;
  /** How the explorer lets an analyst sign in; absent: it does not (a token can still be sent in its Headers tab). */
  explorerSignIn?: ExplorerSignInConfig;
  /** The Prometheus metrics listener; absent or no port: none (admins still read the metrics at `/metrics`). */
  metrics?: MetricsSettings;
}

export interface ExplorerSignInConfig {
  /**
   * NODE_ENV is not `production`, so the development sign-in (pick a partner and role, get a short-lived token of the
   * local key) may be offered: it is only when the gateway also uses the local key and listens on a loopback address.
   */
  developmentAllowed: boolean;
  /** OpenID Connect sign-in in the browser (authorization code flow with PKCE) against AUTH_ISSUER; absent: none. */
  oidc?: ExplorerOidcConfig;
}

export interface ExplorerOidcConfig {
  /** The issuer: the browser discovers its endpoints at `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** The explorer's client id at the issuer: a public client (no secret), redirect URI the explorer page `/`. */
  clientId: string;
  /** Scopes asked for. */
  scope: string;
}

export interface ResponseCacheSettings {
  enabled: boolean;
  /** Redis shared by every gateway replica (answers, persisted queries, invalidations); undefined: in this process. */
  redisUrl?: string;
  /** Prefix of the keys in Redis. */
  keyPrefix: string;
  /** Size of the in-process cache, in bytes (the least recently used answers go first). */
  maxBytes: number;
  /** Whether the entities of subgraph answers are kept too (only while the response cache is on). */
  entityCache: boolean;
}

/** The circuit breaker in front of each subgraph (opossum). */
export interface BreakerSettings {
  /** It opens when more than this percentage of the requests in the window failed (network error, timeout, HTTP 5xx)... */
  errorThresholdPercent: number;
  /** ...and the window holds at least this many requests. */
  volumeThreshold: number;
  /** The rolling window the failures are counted in, in milliseconds. */
  windowMs: number;
  /** How long it stays open before one trial request may go through (half-open), in milliseconds. */
  resetMs: number;
}

export interface RateLimitSettings {
  /** GraphQL requests per caller (token subject, else client address) and minute; 0: no limit. */
  perMinute: number;
  /** Redis shared by every gateway replica; undefined: counted in this process. */
  redisUrl?: string;
  /** Prefix of the counters' keys (in Redis and in memory). */
  keyPrefix: string;
}

export type IntrospectionPolicy = boolean | Role[];

/** Where the keys that verify tokens come from. */
export type TokenKeySource =
  /** An identity provider's JSON Web Key Set (production). */
  | { kind: 'jwks'; url: string }
  /** A shared HMAC secret. */
  | { kind: 'secret'; secret: string }
  /** The local ES256 key pair in `<dataDir>/secrets/local-jwt-key.json`, generated on first use (`npm run token`). */
  | { kind: 'local' };

export interface AuthenticationConfig {
  keySource: TokenKeySource;
  /** JWS algorithms accepted; never `none`. */
  algorithms: string[];
  /** Required `iss` claim. */
  issuer: string;
  /** Required `aud` claim (one of the token's audiences). */
  audience: string;
  /** Leeway for `exp` and `nbf` between clocks, in seconds. */
  clockToleranceSeconds: number;
  /** Longest lifetime accepted (`exp` − `iat`, or `exp` − now without `iat`), in seconds. */
  maxTokenLifetimeSeconds: number;
}

export interface OperationLimits {
  /** Deepest field nesting, fields in fragments counted where the fragment is spread. */
  maxDepth: number;
  /** Aliases in one operation, fragments included. */
  maxAliases: number;
  /** Fields selected at the root of one operation (`__typename` excluded). */
  maxRootFields: number;
  /** Lexical tokens in the document (names, punctuation, values). */
  maxTokens: number;
  /** Estimated cost: each field 1, a list's children times its size (its `@listSize` in the supergraph, else `first`, else 20 for connections and 10 for lists). */
  maxCost: number;
  /** Size of a request body. */
  maxRequestBytes: number;
}

export const defaultIssuer = 'uz-fr-health-graph-local';
export const defaultAudience = 'uz-fr-health-graph';
/** Algorithms that jose verifies; `none` is never one of them. */
export const asymmetricAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
export const hmacAlgorithms = ['HS256', 'HS384', 'HS512'];
export const defaultLimits: OperationLimits = {
  maxDepth: 15,
  maxAliases: 30,
  maxRootFields: 20,
  maxTokens: 5000,
  maxCost: 100_000,
  maxRequestBytes: 256 * 1024,
};
// The window is several subgraph timeouts long, so that even one client asking again and again opens the circuit.
export const defaultBreaker: BreakerSettings = { errorThresholdPercent: 50, volumeThreshold: 5, windowMs: 60_000, resetMs: 10_000 };
/** 10 requests a second on average: far above what a person or a front-end needs, far below a flood. */
export const defaultRateLimitPerMinute = 600;
/** The most worker processes GATEWAY_WORKERS may ask for. */
export const maxGatewayWorkers = 64;

/**
 * GATEWAY_WORKERS: how many processes serve the gateway's port (node:cluster), 1 to 64, or `auto` for one per core this
 * process may use (`os.availableParallelism()`, at most 64); default 1: this process serves alone, no cluster.
 */
export function gatewayWorkersFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.GATEWAY_WORKERS?.trim();
  if (raw === 'auto') return Math.min(availableParallelism(), maxGatewayWorkers);
  const value = raw === undefined || raw === '' ? 1 : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > maxGatewayWorkers) {
    throw new Error(`GATEWAY_WORKERS must be a whole number from 1 to ${maxGatewayWorkers}, or auto for one per core (got "${env.GATEWAY_WORKERS}")`);
  }
  return value;
}

/** The environment variable that overrides a subgraph's routing URL: the name upper-cased, other characters as `_`, then `_URL`. */
export function subgraphUrlVariable(subgraphName: string): string {
  return `${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/**
 * Reads the configuration from environment variables, each with a local default:
 * PORT (4000), HOST (127.0.0.1), TRUST_PROXY (none), SUPERGRAPH_PATH (the committed supergraph), `<SUBGRAPH>_URL` per subgraph,
 * SUBGRAPH_TIMEOUT_MS (10000), CORS_ORIGINS (comma-separated; default http://localhost:* and http://127.0.0.1:*),
 * SUPERGRAPH_POLL_INTERVAL_MS (1000), EXPLORER_EXAMPLES_DIR (supergraph/operations), INTROSPECTION (true, false or roles;
 * default true, false when NODE_ENV=production),
 * LOG_LEVEL (info), DATA_DIR (./data where npm was run), GATEWAY_SIGNING_SECRET (the local secret file), the token settings
 * of `authenticationConfigFromEnv` and the operation limits MAX_DEPTH (15), MAX_ALIASES (30), MAX_ROOT_FIELDS (20),
 * MAX_TOKENS (5000), MAX_COST (100000), MAX_REQUEST_BYTES (262144), the circuit breaker BREAKER_ERROR_THRESHOLD_PERCENT (50),
 * BREAKER_VOLUME_THRESHOLD (5), BREAKER_WINDOW_MS (60000), BREAKER_RESET_MS (10000), the rate limit RATE_LIMIT_PER_MINUTE
 * (600, 0 = none), REDIS_URL (unset: in memory), RATE_LIMIT_KEY_PREFIX (gateway-rate-limit), SHUTDOWN_GRACE_MS (5000, as for
 * every service), the operation usage settings of `operationUsageFromEnv`, SUBGRAPH_DEDUPLICATION (on or off; on) and the
 * response cache RESPONSE_CACHE (on or off; on), RESPONSE_CACHE_MAX_MB (16, in-process only), RESPONSE_CACHE_KEY_PREFIX
 * (gateway-response-cache, in Redis when REDIS_URL is set), ENTITY_CACHE (on or off; on: only with the response cache).
 * The trusted documents settings are those of `trustedDocumentsFromEnv`, the explorer's sign-in those of `explorerSignInFromEnv`,
 * the metrics listener METRICS_PORT (unset: none) and METRICS_HOST (127.0.0.1).
 * Throws a message naming the variable when a value is unusable.
 */
export function gatewayConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return {
    port: integerFromEnv(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    trustProxy: trustProxyFromEnv(env),
    supergraphPath: env.SUPERGRAPH_PATH ? resolve(env.SUPERGRAPH_PATH) : defaultSupergraphPath,
    subgraphUrlOverride: (name) => {
      const variable = subgraphUrlVariable(name);
      const value = env[variable];
      if (!value) return undefined;
      if (!isHttpUrl(value)) throw new Error(`${variable} must be an http:// or https:// URL (got "${value}")`);
      return value;
    },
    subgraphTimeoutMs: integerFromEnv(env, 'SUBGRAPH_TIMEOUT_MS', 10_000, 1, 600_000),
    corsOrigins:
      env.CORS_ORIGINS !== undefined && env.CORS_ORIGINS.trim() !== ''
        ? env.CORS_ORIGINS.split(',')
            .map((o) => o.trim())
            .filter(Boolean)
        : defaultCorsOrigins,
    supergraphPollIntervalMs: integerFromEnv(env, 'SUPERGRAPH_POLL_INTERVAL_MS', 1000, 10, 3_600_000),
    supergraphRolloutRetryMs: integerFromEnv(env, 'SUPERGRAPH_ROLLOUT_RETRY_MS', 3000, 10, 3_600_000),
    examplesDir: env.EXPLORER_EXAMPLES_DIR ? resolve(env.EXPLORER_EXAMPLES_DIR) : defaultExamplesDir,
    introspection: introspectionFromEnv(env),
    logLevel: env.LOG_LEVEL || 'info',
    dataDir: defaultDataDir(env),
    signingSecret: configuredSigningSecret(env),
    authentication: authenticationConfigFromEnv(env),
    limits: {
      maxDepth: integerFromEnv(env, 'MAX_DEPTH', defaultLimits.maxDepth, 1, 1000),
      maxAliases: integerFromEnv(env, 'MAX_ALIASES', defaultLimits.maxAliases, 0, 100_000),
      maxRootFields: integerFromEnv(env, 'MAX_ROOT_FIELDS', defaultLimits.maxRootFields, 1, 10_000),
      maxTokens: integerFromEnv(env, 'MAX_TOKENS', defaultLimits.maxTokens, 100, 1_000_000),
      maxCost: integerFromEnv(env, 'MAX_COST', defaultLimits.maxCost, 1, 1_000_000_000),
      maxRequestBytes: integerFromEnv(env, 'MAX_REQUEST_BYTES', defaultLimits.maxRequestBytes, 1024, 100 * 1024 * 1024),
    },
    breaker: {
      errorThresholdPercent: integerFromEnv(env, 'BREAKER_ERROR_THRESHOLD_PERCENT', defaultBreaker.errorThresholdPercent, 1, 99),
      volumeThreshold: integerFromEnv(env, 'BREAKER_VOLUME_THRESHOLD', defaultBreaker.volumeThreshold, 1, 100_000),
      windowMs: integerFromEnv(env, 'BREAKER_WINDOW_MS', defaultBreaker.windowMs, 100, 3_600_000),
      resetMs: integerFromEnv(env, 'BREAKER_RESET_MS', defaultBreaker.resetMs, 10, 3_600_000),
    },
    rateLimit: {
      perMinute: integerFromEnv(env, 'RATE_LIMIT_PER_MINUTE', defaultRateLimitPerMinute, 0, 1_000_000_000),
      redisUrl: redisUrlFromEnv(env),
      keyPrefix: env.RATE_LIMIT_KEY_PREFIX || 'gateway-rate-limit',
    },
    shutdownGraceMs: shutdownTimingsFromEnv(env).graceMs,
    operationUsage: operationUsageFromEnv(env),
    trustedDocuments: trustedDocumentsFromEnv(env),
    subgraphDeduplication: switchFromEnv(env, 'SUBGRAPH_DEDUPLICATION', true),
    responseCache: {
      enabled: switchFromEnv(env, 'RESPONSE_CACHE', true),
      redisUrl: redisUrlFromEnv(env),
      keyPrefix: env.RESPONSE_CACHE_KEY_PREFIX || 'gateway-response-cache',
      maxBytes: integerFromEnv(env, 'RESPONSE_CACHE_MAX_MB', 16, 1, 65_536) * 1024 * 1024,
      entityCache: switchFromEnv(env, 'ENTITY_CACHE', true),
    },
    explorerSignIn: explorerSignInFromEnv(env),
    metrics: metricsSettingsFromEnv(env),
  };
}

/**
 * The explorer's sign-in: the development sign-in unless NODE_ENV=production; OpenID Connect when
 * EXPLORER_OIDC_CLIENT_ID is set (a public client of AUTH_ISSUER, whose tokens AUTH_JWKS_URL verifies), with
 * EXPLORER_OIDC_SCOPE (openid profile).
 */
export function explorerSignInFromEnv(env: NodeJS.ProcessEnv): ExplorerSignInConfig {
  const developmentAllowed = env.NODE_ENV !== 'production';
  const clientId = env.EXPLORER_OIDC_CLIENT_ID?.trim();
  if (!clientId) return { developmentAllowed };
  const issuer = env.AUTH_ISSUER;
  if (!issuer || !isHttpUrl(issuer)) throw new Error(`EXPLORER_OIDC_CLIENT_ID needs AUTH_ISSUER, the issuer's URL (got "${issuer ?? ''}")`);
  // The authorization code and the token travel to and from the issuer: plain http only on this machine.
  const { protocol, hostname } = new URL(issuer);
  if (protocol !== 'https:' && !isLoopbackHost(hostname)) throw new Error(`AUTH_ISSUER must be an https:// URL for the explorer's sign-in (got "${issuer}")`);
  if (!env.AUTH_JWKS_URL) throw new Error("EXPLORER_OIDC_CLIENT_ID needs AUTH_JWKS_URL, the issuer's key set (its jwks_uri)");
  return { developmentAllowed, oidc: { issuer, clientId, scope: env.EXPLORER_OIDC_SCOPE?.trim() || 'openid profile' } };
}

/** Whether a host name or address is this machine's loopback: localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || /^::ffff:127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * TRUST_PROXY: unset (trust no proxy), a number of hops from 1 to 10, or a comma-separated list of addresses, CIDR
 * ranges and the names loopback, linklocal, uniquelocal (Express's `trust proxy`, which also checks the list).
 */
function trustProxyFromEnv(env: NodeJS.ProcessEnv): GatewayConfig['trustProxy'] {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw) return false;
  const refused = (reason: string) =>
    new Error(
      `TRUST_PROXY must be a number of proxies from 1 to 10, or addresses, CIDR ranges and the names loopback, linklocal, uniquelocal separated by commas (got "${raw}": ${reason})`,
    );
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops >= 1 && hops <= 10) return hops;
    throw refused('not from 1 to 10');
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  try {
    express().set('trust proxy', entries);
  } catch (error) {
    throw refused((error as Error).message);
  }
  return entries;
}

function switchFromEnv(env: NodeJS.ProcessEnv, variable: string, fallback: boolean): boolean {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'on' || raw === 'true' || raw === '1') return true;
  if (raw === 'off' || raw === 'false' || raw === '0') return false;
  throw new Error(`${variable} must be on or off (got "${raw}")`);
}

/**
 * TRUSTED_DOCUMENTS: off (default), allow or only; TRUSTED_DOCUMENTS_MANIFESTS: comma-separated paths of more manifests
 * (the front-ends' own), read with supergraph/trusted-documents.json.
 */
export function trustedDocumentsFromEnv(env: NodeJS.ProcessEnv): TrustedDocumentsSettings {
  const mode = (env.TRUSTED_DOCUMENTS || 'off').trim();
  if (!trustedDocumentsModes.includes(mode as TrustedDocumentsMode))
    throw new Error(`TRUSTED_DOCUMENTS must be ${trustedDocumentsModes.join(', ')} (got "${mode}")`);
  const extra = (env.TRUSTED_DOCUMENTS_MANIFESTS ?? '')
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean)
    .map((path) => resolve(path));
  return { mode: mode as TrustedDocumentsMode, manifests: [defaultTrustedDocumentsManifest, ...extra] };
}

/**
 * OPERATION_USAGE: on (default: Redis when REDIS_URL is set, else the file), file, redis or off;
 * OPERATION_USAGE_FILE (<DATA_DIR>/operation-usage.json), OPERATION_USAGE_FLUSH_MS (60000),
 * OPERATION_USAGE_MAX_SIGNATURES (10000), OPERATION_USAGE_KEY_PREFIX (gateway-operation-usage).
 */
export function operationUsageFromEnv(env: NodeJS.ProcessEnv): OperationUsageSettings {
  const raw = (env.OPERATION_USAGE || 'on').trim();
  if (!['on', 'off', 'file', 'redis'].includes(raw)) throw new Error(`OPERATION_USAGE must be on, off, file or redis (got "${raw}")`);
  const redisUrl = redisUrlFromEnv(env);
  if (raw === 'redis' && !redisUrl) throw new Error('OPERATION_USAGE=redis needs REDIS_URL');
  const mode = raw === 'on' ? (redisUrl ? 'redis' : 'file') : (raw as OperationUsageSettings['mode']);
  return {
    mode,
    file: env.OPERATION_USAGE_FILE ? resolve(env.OPERATION_USAGE_FILE) : join(defaultDataDir(env), 'operation-usage.json'),
    redisUrl,
    keyPrefix: env.OPERATION_USAGE_KEY_PREFIX || defaultOperationUsageKeyPrefix,
    flushIntervalMs: integerFromEnv(env, 'OPERATION_USAGE_FLUSH_MS', 60_000, 100, 3_600_000),
    maxSignatures: integerFromEnv(env, 'OPERATION_USAGE_MAX_SIGNATURES', defaultMaxSignatures, 1, 1_000_000),
  };
}

/**
 * Token settings: AUTH_JWKS_URL (an identity provider's key set; default algorithms RS256,ES256) or AUTH_JWT_SECRET
 * (an HS256 secret of at least 32 characters) or, with neither, the local ES256 key of `npm run token`;
 * AUTH_ALGORITHMS (comma-separated allow-list), AUTH_ISSUER (uz-fr-health-graph-local), AUTH_AUDIENCE
 * (uz-fr-health-graph), AUTH_CLOCK_TOLERANCE_SECONDS (5), AUTH_MAX_TOKEN_LIFETIME_SECONDS (86400).
 */
export function authenticationConfigFromEnv(env: NodeJS.ProcessEnv): AuthenticationConfig {
  const jwksUrl = env.AUTH_JWKS_URL || undefined;
  const secret = env.AUTH_JWT_SECRET || undefined;
  if (jwksUrl && secret) throw new Error('set AUTH_JWKS_URL or AUTH_JWT_SECRET, not both');
  let keySource: TokenKeySource;
  if (jwksUrl) {
    if (!isHttpUrl(jwksUrl)) throw new Error(`AUTH_JWKS_URL must be an http:// or https:// URL (got "${jwksUrl}")`);
    keySource = { kind: 'jwks', url: jwksUrl };
  } else if (secret) {
    if (secret.length < MIN_SECRET_LENGTH) throw new Error(`AUTH_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    keySource = { kind: 'secret', secret };
  } else {
    keySource = { kind: 'local' };
  }
  const defaults = { jwks: ['RS256', 'ES256'], secret: ['HS256'], local: ['ES256'] }[keySource.kind];
  const algorithms = env.AUTH_ALGORITHMS
    ? env.AUTH_ALGORITHMS.split(',')
        .map((a) => a.trim())
        .filter(Boolean)
    : defaults;
  const usable = keySource.kind === 'secret' ? hmacAlgorithms : asymmetricAlgorithms;
  for (const algorithm of algorithms) {
    if (algorithm.toLowerCase() === 'none') throw new Error('AUTH_ALGORITHMS must not include "none": unsigned tokens are never accepted');
    if (!usable.includes(algorithm)) {
      const source = keySource.kind === 'secret' ? 'AUTH_JWT_SECRET' : keySource.kind === 'jwks' ? 'AUTH_JWKS_URL' : 'the local key';
      throw new Error(`AUTH_ALGORITHMS: "${algorithm}" cannot be used with ${source}; use ${usable.join(', ')}`);
    }
  }
  if (algorithms.length === 0) throw new Error('AUTH_ALGORITHMS must name at least one algorithm');
  if (keySource.kind === 'local' && !algorithms.includes('ES256')) throw new Error('AUTH_ALGORITHMS must include ES256 to accept tokens of the local key');
  return {
    keySource,
    algorithms,
    issuer: env.AUTH_ISSUER || defaultIssuer,
    audience: env.AUTH_AUDIENCE || defaultAudience,
    clockToleranceSeconds: integerFromEnv(env, 'AUTH_CLOCK_TOLERANCE_SECONDS', 5, 0, 300),
    maxTokenLifetimeSeconds: integerFromEnv(env, 'AUTH_MAX_TOKEN_LIFETIME_SECONDS', 86_400, 1, 31_536_000),
  };
}

// Open for local use; in production the schema (and "Did you mean" suggestions) are private unless INTROSPECTION says otherwise.
function introspectionFromEnv(env: NodeJS.ProcessEnv): IntrospectionPolicy {
  const raw = env.INTROSPECTION;
  if (raw === undefined || raw.trim() === '') return env.NODE_ENV !== 'production';
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  const roles = raw
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  if (roles.length === 0 || !roles.every(isRole)) {
    throw new Error(`INTROSPECTION must be true, false or a comma-separated list of roles among ${ROLES.join(', ')} (got "${raw}")`);
  }
  return [...new Set(roles)];
}

function redisUrlFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.REDIS_URL || undefined;
  if (value !== undefined && !/^rediss?:\/\//.test(value)) throw new Error(`REDIS_URL must be a redis:// or rediss:// URL`);
  return value;
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
