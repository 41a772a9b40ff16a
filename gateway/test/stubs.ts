/**
 * Test helpers: tiny stub subgraphs (real @apollo/subgraph servers on free ports), a supergraph composed for
 * them, a gateway started on it, and a logger whose lines the tests can read.
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
import express from 'express';
import { parse } from 'graphql';
import pino, { type Logger } from 'pino';
import { createGateway, type Gateway } from '../src/create-gateway';
import type { GatewayConfig } from '../src/config';

export const federationLink = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

export interface Stub {
  name: string;
  sdl: string;
  readonly url: string;
  readonly port: number;
  /** TCP connections the stub has accepted so far. */
  readonly connections: number;
  /** GraphQL requests it has answered so far. */
  readonly requests: number;
  stop(): Promise<void>;
  /** Starts again on the same port after `stop()`. */
  restart(): Promise<void>;
}

/** A subgraph server built with @apollo/subgraph, listening on 127.0.0.1 (port 0 = a free one). */
export async function startStub(
  name: string,
  sdl: string,
  resolvers: GraphQLResolverMap<unknown>,
  options: { port?: number; health?: () => number } = {},
): Promise<Stub> {
  const port = options.port ?? 0;
  let server: Server | undefined;
  let apollo: ApolloServer | undefined;
  let currentPort = port;
  let connections = 0;
  let requests = 0;

  const start = async () => {
    apollo = new ApolloServer({
      schema: buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers }]),
      plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginLandingPageDisabled()],
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
    app.use('/graphql', express.json(), expressMiddleware(apollo));
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
    subgraphUrlOverride: () => undefined,
    subgraphTimeoutMs: 5000,
    corsOrigins: ['http://localhost:*'],
    supergraphPollIntervalMs: 50,
    examplesDir: join(tmpdir(), 'no-examples-here'),
    introspection: true,
    logLevel: 'silent',
    ...overrides,
  };
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
