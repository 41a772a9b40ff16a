import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { randomUUID } from 'node:crypto';
import { REPLAYED, ReplayGuard, signingSecret, verifyRequest, type Caller, type CallerVocabulary } from '@partnership/request-signing';
import { DEFAULT_SHUTDOWN_GRACE_MS, ERROR_CODES, listenForMetrics, withTraceId, type MetricsListener } from '@partnership/service-runtime';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import { defaultFieldResolver, GraphQLError, Kind, visit, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { enforceAuthorization, type RequestContext } from './authorization';
import { cacheHintsPlugin } from './cache-hints';
import {
  DEFAULT_CACHE_MAX_AGE_SECONDS,
  DEFAULT_MAX_ENTITY_REPRESENTATIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  defaultDataDir,
  type SubgraphConfig,
} from './config';
import { checkSchema, createDatabase, isStatementTimeout, openAndMigrate, type Database } from './data-source';
import { EntityLookup } from './entity-lookup';
import { createLogger, type Logger } from './logger';
import { createSubgraphMetrics } from './metrics';
import { loadReferenceRows, type ReferenceTable } from './reference-rows';
import { NonceClaims } from './request-nonce';
import { currentRequest, runInRequestScope } from './request-scope';

/** What a subgraph package declares about itself; the kit turns it into a running service. */
export interface SubgraphDefinition<Context extends RequestContext> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<Context>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  /** The reference rows from the sources, parents first; the kit inserts the missing ones at start (idempotent). */
  referenceTables(): ReferenceTable[];
  /**
   * The partners and roles a caller may name (the domain's). The kit refuses a signed caller outside them and
   * fails at start on a `@requiresRole` naming another role. Without it, any well-formed caller passes.
   */
  callers?: CallerVocabulary;
  /**
   * Writes this subgraph's share of a synthetic data plan (tests, benchmarks, `npm run synthetic`). The plan is the
   * domain's; the kit only hands it over.
   */
  loadSyntheticData(database: Database, plan: unknown): Promise<void>;
  /** Per-request context: fresh DataLoaders for every request. The kit adds the caller and request id. */
  createContext(database: Database): Omit<Context, keyof RequestContext>;
}

export interface SubgraphServer {
  name: string;
  database: Database;
  logger: Logger;
  /** Starts listening; port 0 picks a free port. Resolves with the GraphQL URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** The GraphQL URL once listening. */
  readonly url: string;
  /** The metrics listener's URL once listening, when `metrics.port` is set. */
  readonly metricsUrl: string | undefined;
  /**
   * Stops accepting requests and closes idle connections; requests in flight get the shutdown grace to finish, then
   * their connections are cut and their further statements refused; then closes the database. Safe to call twice.
   */
  stop(): Promise<void>;
}

/**
 * Builds a subgraph service: opens its database, applies migrations, loads reference data, and prepares
 * an HTTP server with `/graphql`, `/health/live` and `/health/ready`. Does not listen until `listen()`.
 */
export async function buildSubgraph<Context extends RequestContext>(definition: SubgraphDefinition<Context>, config: SubgraphConfig): Promise<SubgraphServer> {
  const logger = createLogger(definition.name);
  const statementTimeoutMs = config.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const database = createDatabase({
    url: config.databaseUrl,
    name: definition.name,
    dataDir: config.dataDir,
    entities: definition.entities,
    migrations: definition.migrations,
    logger,
    statementTimeoutMs,
    readUrls: config.databaseReadUrls,
  });
  await openAndMigrate(database, logger);
  if (config.loadReferenceData !== false) {
    const inserted = await loadReferenceRows(database.dataSource, definition.referenceTables());
    logger.info({ inserted }, inserted > 0 ? 'reference data loaded' : 'reference data already present');
  }

  const metrics = createSubgraphMetrics(database);
  let metricsListener: MetricsListener | undefined;
  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.httpServer);
  // Every answer is to a POST, which no ETag can make fresh: hashing each answer for one would be work for nobody.
  app.set('etag', false);
  const httpServer = createServer(app);
  let url = '';
  let stopping: Promise<void> | undefined;

  const secret = config.signingSecret ?? signingSecret(process.env, config.dataDir ?? defaultDataDir(process.env));
  const verifySignature = gatewaySignatureCheck(definition.name, secret, config.signatureMaxAgeMs, logger, definition.callers);
  const peers = new EntityLookup(config.peers ?? {}, secret, logger);

  const apollo = new ApolloServer<Context>({
    schema: renewContextAfterMutations(
      enforceAuthorization(buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers }]), definition.callers?.roles),
      () => definition.createContext(database),
    ),
    includeStacktraceInErrorResponses: false,
    // runService owns the signals. Apollo's own handler would call stop() beside it, and a second stop() during the
    // first waits forever in Apollo 5 (a MySQL pool then keeps the process alive).
    stopOnTerminationSignals: false,
    // A traced request's errors carry its trace id, as the gateway's do.
    formatError: (formatted, error) => withTraceId(maskInternalError(formatted, error, statementTimeoutMs, logger)),
    plugins: [
      metrics.operations,
      // Freshness for the gateway's response cache; a field behind @authenticated or @requiresRole makes the answer
      // private (authorization.ts).
      ApolloServerPluginCacheControlDisabled(),
      cacheHintsPlugin(config.cacheMaxAgeSeconds ?? DEFAULT_CACHE_MAX_AGE_SECONDS),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS }),
      entityRepresentationsCap(config.maxEntityRepresentations ?? DEFAULT_MAX_ENTITY_REPRESENTATIONS),
      mutationReplayGuard(new NonceClaims(database)),
    ],
  });
  await apollo.start();

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: definition.name });
  });
  // Ready when the schema is what this code needs; the reason it is not goes to the log only.
  app.get('/health/ready', async (_req, res) => {
    try {
      await checkSchema(database);
      res.json({ status: 'ready' });
    } catch (err) {
      logger.warn({ err }, 'not ready');
      res.status(503).json({ status: 'unavailable' });
    }
  });
  // The body is read raw first: the signature covers its exact bytes.
  app.use(
    '/graphql',
    express.raw({ type: () => true, limit: '1mb' }),
    verifySignature,
    requestScope(config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, () => stopping !== undefined, logger),
    parseJsonBody,
    expressMiddleware(apollo, {
      context: async ({ res }) =>
        ({ ...definition.createContext(database), caller: res.locals.caller as Caller | null, requestId: res.locals.requestId as string, peers }) as Context,
    }),
  );
  app.use(requestErrors(logger));

  return {
    name: definition.name,
    database,
    logger,
    get url() {
      return url;
    },
    get metricsUrl() {
      return metricsListener?.url;
    },
    async listen(port = config.port, host = config.host ?? '127.0.0.1') {
      metricsListener ??= await listenForMetrics(metrics.registry, config.metrics);
      return new Promise<string>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address() as AddressInfo;
          url = `http://${host}:${address.port}/graphql`;
          logger.info({ url }, 'listening');
          resolve(url);
        });
      });
    },
    stop() {
      stopping ??= (async () => {
        await apollo.stop();
        await metricsListener?.close();
        // On MySQL this waits for statements still running, each bounded by the statement time limit.
        if (database.dataSource.isInitialized) await database.dataSource.destroy();
      })();
      return stopping;
    },
  };
}

/**
 * Mutations run one after another. After each, the request's loaders start afresh, so neither the mutation's payload
 * nor a later mutation of the same request reads records the loaders cached before the change.
 */
function renewContextAfterMutations(schema: GraphQLSchema, freshContext: () => object): GraphQLSchema {
  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {})) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = async (source, args, context: object, info) => {
      try {
        return await resolve(source, args, context, info);
      } finally {
        Object.assign(context, freshContext());
      }
    };
  }
  return schema;
}

/**
 * Only the gateway may call a subgraph: requests without a valid, fresh, unreplayed gateway signature over their
 * exact body get HTTP 401 before any GraphQL work (including `_entities` and `_service`). Health endpoints are
 * outside this check.
 */
function gatewaySignatureCheck(name: string, secret: string, maxAgeMs: number | undefined, logger: Logger, callers: CallerVocabulary | undefined) {
  const replays = new ReplayGuard();
  return (req: Request, res: Response, next: NextFunction) => {
    // The gateway only POSTs; a GET would run the query in its URL, which the signature does not cover.
    if (req.method !== 'POST') {
      res
        .status(405)
        .set('allow', 'POST')
        .json({ errors: [{ message: 'Only POST requests signed by the gateway are accepted', extensions: { code: ERROR_CODES.METHOD_NOT_ALLOWED } }] });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verification = verifyRequest(secret, req.headers, body, { maxAgeMs, replays, audience: name, callers });
    // The gateway's request id, when well formed (it reaches logs and audit entries); otherwise a new one.
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(given) ? given : randomUUID();
    if (!verification.ok) {
      logger.warn({ requestId, reason: verification.reason, remote: req.socket.remoteAddress }, 'refused request without a valid gateway signature');
      res.status(401).json({ errors: [{ message: `Unauthorized: ${verification.reason}`, extensions: { code: ERROR_CODES.UNAUTHENTICATED } }] });
      return;
    }
    res.locals.caller = verification.caller;
    res.locals.requestId = requestId;
    res.locals.signature = { nonce: verification.nonce, expiresAt: verification.expiresAt };
    next();
  };
}

/**
 * Runs the rest of a signed request in its request scope, with a signal aborted when nobody waits for the answer any
 * more: the client (the gateway, which gives up after its own timeout) closed the connection, the request ran longer
 * than `timeoutMs`, or the service is stopping and cut it. From then on its SQL statements are refused (see
 * SqlStatementLog) and its reference checks dropped, so abandoned work ends at once instead of running on.
 */
function requestScope(timeoutMs: number, isStopping: () => boolean, logger: Logger) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const requestId = res.locals.requestId as string;
    const controller = new AbortController();
    const abandon = (reason: string) => {
      if (controller.signal.aborted) return;
      controller.abort(reason);
      logger.warn({ requestId, reason }, 'request abandoned');
    };
    const deadline = setTimeout(() => abandon(`it ran longer than ${timeoutMs} ms`), timeoutMs);
    res.once('close', () => {
      clearTimeout(deadline);
      if (!res.writableFinished) abandon(isStopping() ? 'the service is stopping' : 'the client closed the connection');
    });
    const { nonce, expiresAt } = res.locals.signature as { nonce: string; expiresAt: number };
    runInRequestScope({ requestId, nonce, expiresAt, signal: controller.signal }, next);
  };
}

/**
 * A signed mutation is run at most once across restarts and replicas: its nonce is claimed in the subgraph's database
 * before any resolver runs, and a nonce claimed before is refused (HTTP 401), however long ago the process that saw
 * it restarted. Queries rely on the in-memory ReplayGuard only: a replayed read returns what the eavesdropper who
 * captured the request already saw, and would cost every read a write.
 */
function mutationReplayGuard(nonces: NonceClaims): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'mutation') return;
          // Every /graphql request runs in a request scope (requestScope precedes Apollo).
          const scope = currentRequest()!;
          // Before any resolver reads: a mutation reads from the primary only (read-your-writes).
          scope.mutation = true;
          const { nonce, expiresAt } = scope;
          if (!(await nonces.claim(nonce, expiresAt))) {
            throw new GraphQLError(`Unauthorized: ${REPLAYED}`, { extensions: { code: ERROR_CODES.UNAUTHENTICATED, http: { status: 401 } } });
          }
        },
      };
    },
  };
}

/**
 * Refuses an `_entities` call with more than `max` representations before anything runs: each one costs a lookup and
 * its share of the answer, and the 1 MB body limit alone lets one signed call carry tens of thousands. Where a
 * document's `_entities` fields take their representations is read once per document (Apollo keeps parsed documents),
 * not on every request.
 */
function entityRepresentationsCap(max: number): ApolloServerPlugin {
  const sourcesOf = new WeakMap<DocumentNode, RepresentationsSource[]>();
  const listener = {
    async didResolveOperation({ document, request }: { document: DocumentNode; request: { variables?: Record<string, unknown> } }) {
      let sources = sourcesOf.get(document);
      if (sources === undefined) {
        sources = representationsSources(document);
        sourcesOf.set(document, sources);
      }
      for (const source of sources) {
        const given = source.variable === undefined ? undefined : request.variables?.[source.variable];
        const count = source.variable === undefined ? source.count : Array.isArray(given) ? given.length : 0;
        if (count > max) {
          throw new GraphQLError(`_entities accepts at most ${max} representations per call (got ${count}); split the call`, {
            extensions: { code: ERROR_CODES.BAD_USER_INPUT, field: 'representations', maximum: max, http: { status: 400 } },
          });
        }
      }
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}

/** Where an `_entities` field takes its representations: a list written in the document, or a variable. */
type RepresentationsSource = { variable: string; count?: undefined } | { variable?: undefined; count: number };

function representationsSources(document: DocumentNode): RepresentationsSource[] {
  const sources: RepresentationsSource[] = [];
  visit(document, {
    Field(node) {
      if (node.name.value !== '_entities') return;
      const value = node.arguments?.find((a) => a.name.value === 'representations')?.value;
      if (value?.kind === Kind.VARIABLE) sources.push({ variable: value.name.value });
      else sources.push({ count: value?.kind === Kind.LIST ? value.values.length : 0 });
    },
  });
  return sources;
}

function parseJsonBody(req: Request, res: Response, next: NextFunction): void {
  const raw = req.body as Buffer;
  if (raw.length === 0) {
    req.body = undefined;
  } else {
    try {
      req.body = JSON.parse(raw.toString('utf8'));
    } catch {
      res.status(400).json({ errors: [{ message: 'The request body is not valid JSON', extensions: { code: ERROR_CODES.BAD_REQUEST } }] });
      return;
    }
  }
  next();
}

// Clients see the code and a safe message; internal details go to the log only.
function maskInternalError(formatted: GraphQLFormattedError, error: unknown, statementTimeoutMs: number, logger: Logger): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code !== undefined && code !== ERROR_CODES.INTERNAL_SERVER_ERROR) return formatted;
  const { locations, path } = formatted;
  if (isStatementTimeout(unwrapResolverError(error))) {
    logger.warn({ err: error, path, requestId: currentRequest()?.requestId }, 'statement stopped by the time limit');
    return {
      message: `A database statement ran longer than ${statementTimeoutMs} ms and was stopped`,
      locations,
      path,
      extensions: { code: ERROR_CODES.TIMEOUT },
    };
  }
  logger.error({ err: error, path, requestId: currentRequest()?.requestId }, 'internal error');
  return { message: 'Internal server error', locations, path, extensions: { code: ERROR_CODES.INTERNAL_SERVER_ERROR } };
}

// Failures before GraphQL (a body over 1 MB, a broken upload) get a GraphQL-shaped answer, never express's HTML
// page, which outside production carries a stack trace with the service's file paths.
function requestErrors(logger: Logger): ErrorRequestHandler {
  return (error: { status?: number; type?: string }, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (error.type === 'entity.too.large') {
      res
        .status(413)
        .json({ errors: [{ message: 'The request body is too large: at most 1 MB is accepted', extensions: { code: ERROR_CODES.PAYLOAD_TOO_LARGE } }] });
    } else if (error.status !== undefined && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({ errors: [{ message: 'The request could not be read', extensions: { code: ERROR_CODES.BAD_REQUEST } }] });
    } else {
      logger.error({ err: error }, 'request failed');
      res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: ERROR_CODES.INTERNAL_SERVER_ERROR } }] });
    }
  };
}
