import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { randomUUID } from 'node:crypto';
import { ReplayGuard, signingSecret, verifyRequest, type Caller } from '@partnership/request-signing';
import express, { type NextFunction, type Request, type Response } from 'express';
import { defaultFieldResolver, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { enforceAuthorization, type RequestContext } from './authorization';
import { defaultDataDir, type SubgraphConfig } from './config';
import { createDatabase, openAndMigrate, type Database } from './data-source';
import { EntityLookup } from './entity-lookup';
import { createLogger, type Logger } from './logger';
import { loadReferenceRows, type ReferenceTable } from './reference-rows';
import type { SyntheticPlan } from './synthetic-plan';

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
  /** Writes this subgraph's share of a synthetic data plan (tests, benchmarks, `npm run synthetic`). */
  loadSyntheticData(database: Database, plan: SyntheticPlan): Promise<void>;
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
  /** Stops accepting requests, lets requests in flight finish, closes the database. */
  stop(): Promise<void>;
}

/**
 * Builds a subgraph service: opens its database, applies migrations, loads reference data, and prepares
 * an HTTP server with `/graphql`, `/health/live` and `/health/ready`. Does not listen until `listen()`.
 */
export async function buildSubgraph<Context extends RequestContext>(
  definition: SubgraphDefinition<Context>,
  config: SubgraphConfig,
): Promise<SubgraphServer> {
  const logger = createLogger(definition.name);
  const database = createDatabase({
    url: config.databaseUrl,
    name: definition.name,
    dataDir: config.dataDir,
    entities: definition.entities,
    migrations: definition.migrations,
    logger,
  });
  await openAndMigrate(database, logger);
  if (config.loadReferenceData !== false) {
    const inserted = await loadReferenceRows(database.dataSource, definition.referenceTables());
    logger.info({ inserted }, inserted > 0 ? 'reference data loaded' : 'reference data already present');
  }

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  let url = '';

  const secret = config.signingSecret ?? signingSecret(process.env, config.dataDir ?? defaultDataDir(process.env));
  const verifySignature = gatewaySignatureCheck(definition.name, secret, config.signatureMaxAgeMs, logger);
  const peers = new EntityLookup(config.peers ?? {}, secret);

  const apollo = new ApolloServer<Context>({
    schema: renewContextAfterMutations(
      enforceAuthorization(buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers }])),
      () => definition.createContext(database),
    ),
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => maskInternalError(formatted, error, logger),
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
    ],
  });
  await apollo.start();

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: definition.name });
  });
  app.get('/health/ready', async (_req, res) => {
    try {
      await database.dataSource.query('SELECT 1');
      res.json({ status: 'ready', service: definition.name });
    } catch (err) {
      logger.warn({ err }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable', service: definition.name, reason: 'database unreachable' });
    }
  });
  // The body is read raw first: the signature covers its exact bytes.
  app.use(
    '/graphql',
    express.raw({ type: () => true, limit: '1mb' }),
    verifySignature,
    parseJsonBody,
    expressMiddleware(apollo, {
      context: async ({ res }) =>
        ({ ...definition.createContext(database), caller: res.locals.caller as Caller | null, requestId: res.locals.requestId as string, peers }) as Context,
    }),
  );

  return {
    name: definition.name,
    database,
    logger,
    get url() {
      return url;
    },
    listen(port = config.port, host = config.host ?? '127.0.0.1') {
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
    async stop() {
      await apollo.stop();
      if (database.dataSource.isInitialized) await database.dataSource.destroy();
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
function gatewaySignatureCheck(name: string, secret: string, maxAgeMs: number | undefined, logger: Logger) {
  const replays = new ReplayGuard();
  return (req: Request, res: Response, next: NextFunction) => {
    // The gateway only POSTs; a GET would run the query in its URL, which the signature does not cover.
    if (req.method !== 'POST') {
      res.status(405).set('allow', 'POST').json({ errors: [{ message: 'Only POST requests signed by the gateway are accepted', extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verification = verifyRequest(secret, req.headers, body, { maxAgeMs, replays, audience: name });
    // The gateway's request id, when well formed (it reaches logs and audit entries); otherwise a new one.
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(given) ? given : randomUUID();
    if (!verification.ok) {
      logger.warn({ requestId, reason: verification.reason, remote: req.socket.remoteAddress }, 'refused request without a valid gateway signature');
      res.status(401).json({ errors: [{ message: `Unauthorized: ${verification.reason}`, extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    res.locals.caller = verification.caller;
    res.locals.requestId = requestId;
    next();
  };
}

function parseJsonBody(req: Request, res: Response, next: NextFunction): void {
  const raw = req.body as Buffer;
  if (raw.length === 0) {
    req.body = undefined;
  } else {
    try {
      req.body = JSON.parse(raw.toString('utf8'));
    } catch {
      res.status(400).json({ errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
  }
  next();
}

// Clients see the code and a safe message; internal details go to the log only.
function maskInternalError(formatted: GraphQLFormattedError, error: unknown, logger: Logger): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code !== undefined && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  logger.error({ err: error, path: formatted.path }, 'internal error');
  return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
