/**
 * Test helpers: tiny stub subgraphs (real @apollo/subgraph servers on free ports that verify the gateway's
 * signature and record each call), a supergraph composed for them, a gateway started on it, tokens of the local
 * test key, and a logger whose lines the tests can read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { expressMiddleware } from '@as-integrations/express5';
import { verifyRequest, type Caller } from '@partnership/request-signing';
import express, { type Request } from 'express';
import { parse } from 'graphql';
import pino, { type Logger } from 'pino';
import { issueToken, localSigningKey, type TokenClaims } from '../src/authentication';
import { createGateway, type Gateway } from '../src/create-gateway';
import { defaultAudience, defaultBreaker, defaultIssuer, defaultLimits, type GatewayConfig } from '../src/config';

/** The secret test gateways sign with and test stubs verify with. */
export const testSigningSecret = 'gateway-test-signing-secret-0123456789abcdef';
/** Where test gateways keep their local token key (shared by every run; the key is created once). */
export const testDataDir = join(tmpdir(), 'partnership-gateway-test-data');

/** A call a stub accepted: the signature verified, so `caller` is whom the gateway vouched for. */
export interface StubCall {
  caller: Caller | null;
  requestId: string | undefined;
  query: string;
  headers: Record<string, string | string[] | undefined>;
}

export const federationLink = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

export interface Stub {
  name: string;
  sdl: string;
  readonly url: string;
  readonly port: number;
  /** TCP connections the stub has accepted so far. */
  readonly connections: number;
  /** GraphQL requests it has received so far (signed or not). */
  readonly requests: number;
  /** The requests whose signature verified, in order. */
  readonly calls: StubCall[];
  /** Why requests were refused (bad or missing signature), in order. */
  readonly refusals: string[];
  stop(): Promise<void>;
  /** Starts again on the same port after `stop()`. */
  restart(): Promise<void>;
}

/**
 * A subgraph server built with @apollo/subgraph, listening on 127.0.0.1 (port 0 = a free one). Like the partnership's
 * subgraphs it answers only requests signed by the gateway (`signingSecret`, default the test secret): others get 401.
 */
export async function startStub(
  name: string,
  sdl: string,
  resolvers: GraphQLResolverMap<unknown>,
  options: { port?: number; health?: () => number; signingSecret?: string; stacktraces?: boolean } = {},
): Promise<Stub> {
  const port = options.port ?? 0;
  const secret = options.signingSecret ?? testSigningSecret;
  let server: Server | undefined;
  let apollo: ApolloServer | undefined;
  let currentPort = port;
  let connections = 0;
  let requests = 0;
  const calls: StubCall[] = [];
  const refusals: string[] = [];
  const rawBodies = new WeakMap<Request, Buffer>();

  const start = async () => {
    apollo = new ApolloServer({
      schema: buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers }]),
      plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginLandingPageDisabled()],
      ...(options.stacktraces && { includeStacktraceInErrorResponses: true }),
    });
    await apollo.start();
    const app = express();
    // Like the partnership's subgraphs, a stub may have a readiness endpoint next to /graphql.
    const health = options.health;
    if (health) app.get('/health/ready', (_req, res) => res.status(health()).json({ service: name }));
    app.use('/graphql', (_req, _res, next) => {
      requests += 1;
      next();
    });
    app.use(
      '/graphql',
      express.json({ verify: (req, _res, buffer) => rawBodies.set(req as Request, buffer) }),
      (req, res, next) => {
        const verdict = verifyRequest(secret, req.headers, rawBodies.get(req) ?? Buffer.alloc(0));
        if (!verdict.ok) {
          refusals.push(verdict.reason);
          res.status(401).json({ errors: [{ message: verdict.reason, extensions: { code: 'UNAUTHENTICATED' } }] });
          return;
        }
        const requestId = req.headers['x-request-id'];
        calls.push({
          caller: verdict.caller,
          requestId: typeof requestId === 'string' ? requestId : undefined,
          query: req.body?.query,
          headers: { ...req.headers },
        });
        next();
      },
      expressMiddleware(apollo),
    );
    server = createServer(app);
    server.on('connection', () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => server!.listen(currentPort, '127.0.0.1', resolve));
    currentPort = (server.address() as AddressInfo).port;
  };
  await start();

  return {
    name,
    sdl,
    get url() {
      return `http://127.0.0.1:${currentPort}/graphql`;
    },
    get port() {
      return currentPort;
    },
    get connections() {
      return connections;
    },
    get requests() {
      return requests;
    },
    calls,
    refusals,
    async stop() {
      if (!server) return;
      const closing = server;
      server = undefined;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
      await apollo?.stop();
    },
    restart: start,
  };
}

/** Composes a supergraph from stubs (or any name/url/SDL triples); throws the composition errors. */
export function composeSupergraph(subgraphs: Array<{ name: string; url: string; sdl: string }>): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

export interface ScratchDir {
  dir: string;
  file(name: string, text: string): string;
  remove(): void;
}

export function scratchDir(label: string): ScratchDir {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  return {
    dir,
    file(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A pino logger that keeps its JSON lines for the test to read. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info', base: { service: 'gateway' } }, sink), lines };
}

export function testConfig(overrides: Partial<GatewayConfig> & Pick<GatewayConfig, 'supergraphPath'>): GatewayConfig {
  return {
    port: 0,
    host: '127.0.0.1',
    trustProxy: false,
    subgraphUrlOverride: () => undefined,
    subgraphTimeoutMs: 5000,
    corsOrigins: ['http://localhost:*'],
    supergraphPollIntervalMs: 50,
    examplesDir: join(tmpdir(), 'no-examples-here'),
    introspection: true,
    logLevel: 'silent',
    dataDir: testDataDir,
    signingSecret: testSigningSecret,
    authentication: {
      keySource: { kind: 'local' },
      algorithms: ['ES256'],
      issuer: defaultIssuer,
      audience: defaultAudience,
      clockToleranceSeconds: 5,
      maxTokenLifetimeSeconds: 86_400,
    },
    limits: defaultLimits,
    breaker: defaultBreaker,
    rateLimit: { perMinute: 0, keyPrefix: 'gateway-test' },
    shutdownGraceMs: 5000,
    subgraphDeduplication: true,
    responseCache: { enabled: true, keyPrefix: 'gateway-test', maxBytes: 16 * 1024 * 1024, entityCache: true },
    ...overrides,
  };
}

/** A token of the test gateways' local key: the claims given, default issuer and audience, one hour unless told. */
export function testToken(
  claims: TokenClaims,
  options: { ttlSeconds?: number; now?: number; issuer?: string; audience?: string; dataDir?: string } = {},
): Promise<string> {
  return issueToken(claims, {
    key: localSigningKey(options.dataDir ?? testDataDir),
    issuer: options.issuer ?? defaultIssuer,
    audience: options.audience ?? defaultAudience,
    ttlSeconds: options.ttlSeconds ?? 3600,
    now: options.now,
  });
}

/** Creates a gateway and starts it on a free port. */
export async function startGateway(config: GatewayConfig, logger?: Logger): Promise<Gateway & { base: string }> {
  const gateway = await createGateway(config, { logger: logger ?? pino({ level: 'silent' }) });
  const url = await gateway.listen(0, '127.0.0.1');
  return Object.assign(gateway, { base: url.replace(/\/graphql$/, '') });
}

/** Retries `check` until it stops throwing, or fails with its last error after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port that nothing listens on (just released by the system), for URLs that must refuse connections. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
