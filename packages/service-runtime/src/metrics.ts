import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { integerFromEnv } from './environment';
import { ERROR_CODES } from './error-codes';

/**
 * Prometheus metrics shared by every service, named as the OpenTelemetry semantic conventions (and Apollo Router) name
 * them. Each service builds one registry (one per process in production; tests run several services in one process,
 * each with its own). Labels hold only bounded values: route patterns, methods, status codes, known operation names,
 * error codes. Never ids, URLs or user input.
 */

/** Where the metrics listener binds; `port` undefined: no listener. */
export interface MetricsSettings {
  port?: number;
  host: string;
}

/** METRICS_PORT (unset: no metrics listener; 0 picks a free port) and METRICS_HOST (127.0.0.1). */
export function metricsSettingsFromEnv(env: NodeJS.ProcessEnv): MetricsSettings {
  const port = env.METRICS_PORT === undefined || env.METRICS_PORT.trim() === '' ? undefined : integerFromEnv(env, 'METRICS_PORT', 0, 0, 65535);
  return { port, host: env.METRICS_HOST || '127.0.0.1' };
}

/** OpenTelemetry's recommended buckets for durations in seconds. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** A registry with the default process metrics (CPU, memory, event loop lag, GC, handles). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Label value of a path that is none of the service's routes (scanners, typos): one value, whatever the path. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * `http_server_request_duration_seconds` by `http_route`, `http_request_method` and `http_response_status_code`, as an
 * express middleware mounted first. `routes` are the service's route patterns: exact paths, or with `:name` for one
 * path segment (`/explorer/:asset`); any other path is `unmatched`, and a method outside the usual ones `_OTHER`.
 */
export function httpServerMetrics(registry: Registry, routes: readonly string[]) {
  const duration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests, by route pattern, method and status code.',
    labelNames: ['http_route', 'http_request_method', 'http_response_status_code'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const routeOf = routeMatcher(routes);
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const start = performance.now();
    const route = routeOf(req.url ?? '/');
    res.once('finish', () => {
      const method = knownMethods.has(req.method ?? '') ? (req.method as string) : '_OTHER';
      duration.observe({ http_route: route, http_request_method: method, http_response_status_code: res.statusCode }, (performance.now() - start) / 1000);
    });
    next();
  };
}

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function routeMatcher(routes: readonly string[]): (url: string) => string {
  const exact = new Set(routes.filter((route) => !route.includes(':')));
  const patterns = routes
    .filter((route) => route.includes(':'))
    .map((route) => ({ route, regex: new RegExp(`^${route.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:\w+/g, '[^/]+')}$`) }));
  return (url) => {
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (exact.has(path)) return path;
    return patterns.find((p) => p.regex.test(path))?.route ?? UNMATCHED_ROUTE;
  };
}

/**
 * Bounds the values of a label taken from clients (operation names): the `known` names, then the first `maxSeen` other
 * names met, keep their own value; later new names fall into `other`, and a missing name is `unnamed`. A client's
 * `operationName` may be any string: one that is not a GraphQL name of at most 128 characters is `other` at once, so
 * that neither its size nor its characters reach the registry.
 */
export class BoundedLabel {
  private readonly kept: Set<string>;

  private seen = 0;

  constructor(
    known: Iterable<string>,
    private readonly maxSeen: number,
  ) {
    this.kept = new Set(known);
  }

  valueOf(name: string | null | undefined): string {
    if (!name) return 'unnamed';
    if (this.kept.has(name)) return name;
    if (!graphqlName.test(name)) return 'other';
    if (this.seen >= this.maxSeen) return 'other';
    this.seen += 1;
    this.kept.add(name);
    return name;
  }
}

const graphqlName = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;

/** How many operation names besides the known ones keep their own label value. */
export const DEFAULT_MAX_OPERATION_NAMES = 100;

const errorCodes = new Set<string>(Object.values(ERROR_CODES));

/** The error's code as a label: one of ERROR_CODES, else `other`. */
export function errorCodeLabel(code: unknown): string {
  return typeof code === 'string' && errorCodes.has(code) ? code : 'other';
}

/** What the operation metrics read of Apollo Server's request context (the gateway and the subgraphs both run Apollo Server 5). */
interface OperationRequestContext {
  operationName?: string | null;
  operation?: { operation: string } | null;
  document?: { definitions: ReadonlyArray<{ kind: string; operation?: string; name?: { value: string } }> };
  request: { operationName?: string | null };
  response: { body: { kind: string; singleResult?: { errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> } } };
  metrics?: { responseCacheHit?: boolean };
}

/**
 * An Apollo Server plugin: `graphql_operation_duration_seconds` by `graphql_operation_name` (bounded by `names`),
 * `graphql_operation_type` and `outcome` (success; error: it ran and answered errors; refused: it did not run, for
 * a parse, validation or policy error), and `graphql_errors_total` by `code` for each error sent. A cached answer
 * counts as run. Errors raised before Apollo's plugins run (a refused token, the rate limit) are not seen here:
 * `http_server_request_duration_seconds` counts those requests by status.
 */
export function graphqlOperationMetrics(registry: Registry, names: BoundedLabel) {
  const duration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'Duration of GraphQL operations, by operation name (known names only, else other or unnamed), type and outcome.',
    labelNames: ['graphql_operation_name', 'graphql_operation_type', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors sent, by extensions.code (codes outside the known set: other).',
    labelNames: ['code'],
    registers: [registry],
  });
  return {
    async requestDidStart() {
      const start = performance.now();
      let executed = false;
      return {
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse(context: OperationRequestContext) {
          const sent = context.response.body.kind === 'single' ? context.response.body.singleResult?.errors : undefined;
          for (const error of sent ?? []) errors.inc({ code: errorCodeLabel(error.extensions?.code) });
          const ran = executed || context.metrics?.responseCacheHit === true;
          const outcome = !ran ? 'refused' : sent?.length ? 'error' : 'success';
          // A refused operation was parsed, maybe not resolved: its document's only operation says what it was.
          const sole = context.operation ? undefined : soleOperation(context.document);
          const type = context.operation?.operation ?? sole?.operation ?? 'unknown';
          const name = names.valueOf(context.operationName ?? context.request.operationName ?? sole?.name?.value);
          duration.observe({ graphql_operation_name: name, graphql_operation_type: type, outcome }, (performance.now() - start) / 1000);
        },
      };
    },
  };
}

function soleOperation(document: OperationRequestContext['document']) {
  const operations = document?.definitions.filter((definition) => definition.kind === 'OperationDefinition') ?? [];
  return operations.length === 1 ? operations[0] : undefined;
}

/** The text of `registry` for a response: content type and body. */
export async function metricsText(registry: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** A metrics listener: GET /metrics answers the registry's text; anything else 404. */
export interface MetricsListener {
  /** `http://host:port/metrics` */
  url: string;
  close(): Promise<void>;
}

/** Serves `registry` at `/metrics` on `settings.host`:`settings.port`; undefined when no port is set. */
export async function listenForMetrics(registry: Registry, settings: MetricsSettings | undefined): Promise<MetricsListener | undefined> {
  if (settings?.port === undefined) return undefined;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are served at /metrics\n');
      return;
    }
    metricsText(registry).then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
