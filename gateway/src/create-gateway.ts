import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler } from 'express';
import { signingSecret, type Caller } from '@partnership/request-signing';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import pino, { type Logger } from 'pino';
import { ERROR_CODES, listenForMetrics, metricsText, type MetricsListener } from '@partnership/service-runtime';
import { createAuthenticator } from './authentication';
import type { GatewayConfig } from './config';
import { corsAllowList } from './cors';
import { developmentSignIn } from './dev-sign-in';
import { formatGatewayError, sendGatewayError } from './error-masking';
import { examplesFor, explorerAssets, loadExamples, sendExplorerPage, wantsExplorerPage } from './explorer';
import { introspectionPolicyPlugin } from './introspection';
import { createGatewayMetrics, manifestOperationNames } from './metrics';
import { noListSizes } from './list-sizes';
import { operationLimitRules, operationLimitsPlugin, parseOptionsFor } from './operation-limits';
import { operationResolutionPlugin } from './operation-resolution';
import { createOperationUsageRecorder, operationUsagePlugin } from './operation-usage';
import { explainPreflightHeaders } from './preflight-headers';
import { createRateLimiter, rateLimitKey } from './rate-limit';
import { createEntityCache } from './entity-cache';
import { createGatewayCache } from './response-cache';
import { assignRequestIds, enterRequestScope, requestScopeOf } from './request-id';
import {
  checkSubgraphHealth,
  type SubgraphHealth,
  createSubgraphAgent,
  createSubgraphTransport,
  fetchServiceSdl,
  SignedSubgraphDataSource,
  type SubgraphCallContext,
  type SubgraphTransport,
} from './subgraph-http';
import type { PendingRollout } from './rollout';
import { supergraphFromFile, type CheckedSupergraph } from './supergraph-file';
import { loadTrustedDocuments, refuseUntrustedOperations, trustedDocumentsPlugin } from './trusted-documents';

export { gatewayConfigFromEnv, subgraphUrlVariable, type GatewayConfig, type OperationLimits, type AuthenticationConfig } from './config';
export { issueToken, localJwtKeyFile, localSigningKey, type TokenClaims } from './authentication';
export { subgraphSdlFingerprint } from './rollout';
export { readOperationUsage, usedCoordinates, type CoordinateUse, type OperationUsageEntry, type OperationUsageFile } from './operation-usage';
export { loadTrustedDocuments, persistedQueryManifest, type OperationType, type PersistedQueryManifest } from './trusted-documents';

/** The context of one GraphQL request: who it acts for (null: anonymous), its id, and a logger that carries the id. */
export interface GatewayContext extends SubgraphCallContext {
  logger: Logger;
}

export interface Gateway {
  logger: Logger;
  /** Starts listening; port 0 picks a free port. Resolves with the GraphQL URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** The GraphQL URL once listening. */
  readonly url: string;
  /** The metrics listener's URL once listening, when `metrics.port` is set. */
  readonly metricsUrl: string | undefined;
  /**
   * Stops accepting requests, lets requests in flight finish for up to `shutdownGraceMs` (then closes their
   * connections), stops watching the supergraph, closes connections to the subgraphs and Redis.
   */
  stop(): Promise<void>;
}

/**
 * Builds the gateway: @apollo/gateway over the supergraph file (reloaded when it changes), Apollo Server on
 * express with `/graphql`, `/health/live`, `/health/ready` and the explorer at `/`. Loads the supergraph
 * (and fails with the reason when it cannot be served) but does not listen until `listen()`.
 *
 * Every request gets an id; a bearer token, when given, must be valid (else 401 before anything runs); each caller has
 * a budget of requests a minute (else 429); operations beyond the limits are refused before any subgraph is called;
 * each subgraph request is signed for the caller, behind a circuit breaker per subgraph.
 */
export async function createGateway(config: GatewayConfig, options: { logger?: Logger } = {}): Promise<Gateway> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'gateway' } });
  // First: an unusable manifest stops the start before anything is opened.
  const trustedDocuments = loadTrustedDocuments(config.trustedDocuments);
  // Like the subgraph kit: the configured secret, else the process's GATEWAY_SIGNING_SECRET, else the local file.
  const secret = config.signingSecret ?? signingSecret(process.env, config.dataDir);
  const authenticator = createAuthenticator(config.authentication, config.dataDir);
  const agent = createSubgraphAgent();
  const rateLimiter = await createRateLimiter(config.rateLimit, logger);
  const operationUsage = createOperationUsageRecorder(config.operationUsage, logger);
  const metrics = createGatewayMetrics({
    knownOperationNames: manifestOperationNames(config.trustedDocuments?.manifests ?? []),
    breakerStates: () => [...transports].map(([name, transport]) => [name, transport.breakerState()]),
    rollout: () => rollout,
  });
  let metricsListener: MetricsListener | undefined;
  // One transport (and circuit breaker) per subgraph name, kept across supergraph reloads.
  const transports = new Map<string, SubgraphTransport>();
  const transportOf = (name: string): SubgraphTransport => {
    let transport = transports.get(name);
    if (!transport) {
      transport = createSubgraphTransport(name, {
        agent,
        timeoutMs: config.subgraphTimeoutMs,
        signingSecret: secret,
        breaker: config.breaker,
        deduplicate: config.subgraphDeduplication,
        logger,
        observe: metrics.subgraphRequests(name),
      });
      transports.set(name, transport);
    }
    return transport;
  };
  const release = async () => {
    for (const transport of transports.values()) transport.shutdown();
    await metricsListener?.close();
    await rateLimiter.close();
    await operationUsage.close();
    await cache.close();
    // Requests to subgraphs still in flight belong to client connections the drain has closed: no one waits for them.
    await agent.destroy();
  };
  let serving: CheckedSupergraph | undefined;
  const cache = createGatewayCache(config.responseCache, () => serving?.id, logger);
  const entityCache = cache.entities && createEntityCache(cache.entities, metrics.entityCacheLookups);
  let apiSchema: GraphQLSchema | undefined;
  // Safe rollout: a new supergraph waiting until its subgraphs serve the schemas it was composed from.
  let rollout: PendingRollout | undefined;

  // @apollo/gateway sends usage metrics to Apollo (and probes cloud metadata addresses) unless this is set.
  // The gateway runs offline; APOLLO_TELEMETRY_DISABLED=false turns it back on.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';

  const gateway = new ApolloGateway({
    logger,
    supergraphSdl: supergraphFromFile({
      path: config.supergraphPath,
      pollIntervalMs: config.supergraphPollIntervalMs,
      urlOverride: config.subgraphUrlOverride,
      logger,
      onServing: (supergraph) => {
        serving = supergraph;
      },
      servedSdl: (subgraph) => fetchServiceSdl(subgraph.name, subgraph.url, agent, Math.min(config.subgraphTimeoutMs, 5000), secret),
      rolloutRetryMs: config.supergraphRolloutRetryMs,
      onRollout: (pending) => {
        rollout = pending;
      },
    }),
    // Routing URLs come from the supergraph unless `<NAME>_URL` overrides them.
    buildService: ({ name, url }) =>
      new SignedSubgraphDataSource(name, logger, { url: config.subgraphUrlOverride(name) ?? url, fetcher: transportOf(name).fetcher }, entityCache),
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
    apiSchema = schema;
  });

  const app = express();
  app.disable('x-powered-by');
  // Behind a load balancer every connection comes from it: the client's address is in X-Forwarded-For (TRUST_PROXY).
  app.set('trust proxy', config.trustProxy);
  const httpServer = createServer(app);
  let url = '';

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger,
    // Automatic persisted queries, and the answers when the response cache is on: shared through Redis when REDIS_URL is set.
    cache: cache.store,
    // The INTROSPECTION policy is applied per caller by introspectionPolicyPlugin.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    stopOnTerminationSignals: false,
    parseOptions: parseOptionsFor(config.limits),
    validationRules: operationLimitRules(config.limits),
    formatError: (formatted, error) => formatGatewayError(formatted, error, logger),
    plugins: [
      ...metrics.plugins(cache.plugins.length > 0),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      operationResolutionPlugin(),
      introspectionPolicyPlugin(config.introspection),
      operationLimitsPlugin(config.limits.maxCost, () => serving?.listSizes ?? noListSizes),
      operationUsagePlugin(operationUsage),
      trustedDocumentsPlugin(trustedDocuments),
      // Last: a cached answer is served only once the operation has passed every check above.
      ...cache.plugins,
    ],
  });
  try {
    await apollo.start();
  } catch (error) {
    await release();
    throw error;
  }

  const examples = loadExamples(config.examplesDir, logger);
  app.use(metrics.httpServer);
  app.use(assignRequestIds(logger));
  app.use(corsAllowList(config.corsOrigins));
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  // Ready: a supergraph is loaded and every subgraph's readiness check passes. Anyone gets the verdict; the detail
  // (subgraphs, circuit breakers, supergraph id, never URLs or paths) is for admins and the log.
  // Readiness is public: however many callers ask at once, one round of probes is in flight and they share its answer.
  let probing: { supergraph: CheckedSupergraph; round: Promise<SubgraphHealth[]> } | undefined;
  const probeSubgraphs = (supergraph: CheckedSupergraph): Promise<SubgraphHealth[]> => {
    if (probing?.supergraph !== supergraph) {
      const probeTimeoutMs = Math.min(config.subgraphTimeoutMs, 5000);
      const round = Promise.all(supergraph.subgraphs.map((s) => checkSubgraphHealth(s.name, s.url, agent, probeTimeoutMs, secret)));
      probing = { supergraph, round };
      void round.finally(() => {
        if (probing?.round === round) probing = undefined;
      });
    }
    return probing.round;
  };
  app.get('/health/ready', async (req, res) => {
    const supergraph = serving;
    const subgraphs = supergraph ? await probeSubgraphs(supergraph) : [];
    const ready = supergraph !== undefined && subgraphs.every((s) => s.status === 'ready');
    const { logger: requestLogger } = requestScopeOf(res);
    if (!supergraph) requestLogger.warn('not ready: no supergraph loaded');
    else if (!ready) requestLogger.warn({ subgraphs: subgraphs.filter((s) => s.status !== 'ready') }, 'not ready: a subgraph does not answer');
    const status = ready ? 'ready' : 'unavailable';
    const caller = await authenticator.authenticate(req.headers.authorization).catch(() => null);
    if (!caller?.roles.includes('admin')) {
      res.status(ready ? 200 : 503).json({ status });
      return;
    }
    res.status(ready ? 200 : 503).json({
      status,
      service: 'gateway',
      supergraph: supergraph ? { id: supergraph.id } : null,
      // A new supergraph that waits for subgraphs still serving another schema (the one above keeps serving).
      rollout: rollout
        ? {
            waiting: rollout.id,
            since: rollout.since,
            checkedAt: rollout.checkedAt,
            lagging: rollout.lagging.map(({ name, reason, expected, serving: current }) => ({ name, reason, expected, serving: current })),
          }
        : null,
      subgraphs: subgraphs.map(({ detail: _detail, ...shown }) => ({ ...shown, breaker: transports.get(shown.name)?.breakerState() ?? 'closed' })),
    });
  });
  // The metrics (they name subgraphs and operations) for admins, the same as the metrics listener serves.
  app.get('/metrics', async (req, res) => {
    const caller = await authenticator.authenticate(req.headers.authorization).catch(() => null);
    if (!caller?.roles.includes('admin')) {
      sendGatewayError(res, caller ? 403 : 401, 'Metrics are for admins', { code: caller ? ERROR_CODES.FORBIDDEN : ERROR_CODES.UNAUTHENTICATED });
      return;
    }
    const { contentType, body } = await metricsText(metrics.registry);
    res.type(contentType).send(body);
  });
  app.use(explorerAssets());
  const devSignIn = developmentSignIn(config, httpServer);
  app.use(devSignIn.router);
  const sendPage = (res: express.Response) =>
    sendExplorerPage(res, examplesFor(apiSchema, examples), { development: devSignIn.available(), oidc: config.explorerSignIn?.oidc });
  app.get('/', (_req, res) => sendPage(res));
  app.get('/graphql', (req, res, next) => (wantsExplorerPage(req) ? sendPage(res) : next()));
  app.use(
    '/graphql',
    // Before Apollo's CSRF prevention: the same refusals, saying which header to send.
    explainPreflightHeaders(),
    express.json({ limit: config.limits.maxRequestBytes }),
    (req, _res, next) => {
      // A body that is not JSON is left unparsed: let Apollo answer it (CSRF prevention, "POST body missing").
      req.body ??= undefined;
      next();
    },
    enterRequestScope(),
    refuseUntrustedOperations(trustedDocuments),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GatewayContext> => {
        const { requestId, logger: requestLogger } = requestScopeOf(res);
        const count = async (key: string) => {
          try {
            await rateLimiter.consume(key);
          } catch (error) {
            if (error instanceof GraphQLError) requestLogger.info({ key }, 'rate limited');
            throw error;
          }
        };
        let caller: Caller | null;
        try {
          caller = await authenticator.authenticate(req.headers.authorization);
        } catch (error) {
          // Other failures (an unreachable key set) are logged with the masked error.
          if (error instanceof GraphQLError) requestLogger.info({ reason: error.message }, 'token refused');
          // A refused token still costs its address one request, so a flood of bad tokens is limited too.
          await count(rateLimitKey(null, req.ip));
          throw error;
        }
        // Counted once the caller is known, before the operation is parsed.
        await count(rateLimitKey(caller, req.ip));
        return { caller, requestId, logger: requestLogger };
      },
    }),
  );
  app.use((_req, res) => {
    sendGatewayError(res, 404, 'Not found: GraphQL is served at /graphql', { code: ERROR_CODES.NOT_FOUND });
  });
  app.use(requestErrors(config.limits.maxRequestBytes));

  return {
    logger,
    get url() {
      return url;
    },
    get metricsUrl() {
      return metricsListener?.url;
    },
    async listen(port = config.port, host = config.host) {
      metricsListener ??= await listenForMetrics(metrics.registry, config.metrics);
      return new Promise<string>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          const address = httpServer.address() as AddressInfo;
          url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/graphql`;
          logger.info({ url, supergraph: config.supergraphPath, tokens: authenticator.keySource }, 'listening');
          resolve(url);
        });
      });
    },
    async stop() {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await release();
    },
  };
}

// Bodies that are not JSON, or too large, get a GraphQL-shaped 4xx instead of express's HTML page (with the trace id,
// as every other error).
function requestErrors(maxRequestBytes: number): ErrorRequestHandler {
  return (error: { type?: string; status?: number; message?: string }, _req, res, next) => {
    if (res.headersSent) return next(error);
    const { requestId, logger } = requestScopeOf(res);
    const fail = (status: number, message: string, extensions: Record<string, unknown>) => sendGatewayError(res, status, message, extensions);
    if (error.type === 'entity.parse.failed') {
      fail(400, `The request body is not valid JSON: ${error.message}`, { code: ERROR_CODES.BAD_REQUEST });
    } else if (error.type === 'entity.too.large') {
      fail(413, `The request body is too large: at most ${maxRequestBytes} bytes are accepted`, {
        code: ERROR_CODES.PAYLOAD_TOO_LARGE,
        limit: 'requestBytes',
        maximum: maxRequestBytes,
      });
    } else if (error.status !== undefined && error.status >= 400 && error.status < 500) {
      fail(error.status, error.message ?? 'Bad request', { code: ERROR_CODES.BAD_REQUEST });
    } else {
      logger.error({ err: error }, 'request failed');
      fail(500, 'Internal server error', { code: ERROR_CODES.INTERNAL_SERVER_ERROR, requestId });
    }
  };
}
