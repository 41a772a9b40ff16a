/**
 * Helpers for tests of the subgraphs, the gateway and the whole federation. Not used in production code.
 * MySQL tests run only when MYSQL_TEST_URL names a server where the user may CREATE DATABASE; each test file
 * gets its own scratch database (utf8mb4), dropped afterwards, so test files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signRequest, verifyRequest, type Caller } from '@partnership/request-signing';
import { createConnection } from 'mysql2/promise';
import type { RequestContext } from './authorization';
import { createDatabase } from './data-source';
import type { PeerUrls } from './entity-lookup';
import { createLogger } from './logger';
import { loadReferenceRows, removeReferenceRows } from './reference-rows';
import { buildSubgraph, type SubgraphDefinition, type SubgraphServer } from './server';

export const mysqlTestUrl: string | undefined = process.env.MYSQL_TEST_URL || undefined;

/** `describe` for tests that need MySQL: skipped, with the reason in its name, when MYSQL_TEST_URL is unset. */
export const describeOnMysql: (name: string, fn: () => void) => void = (name, fn) =>
  mysqlTestUrl ? describe(`${name} on MySQL`, fn) : describe.skip(`${name} on MySQL (skipped: MYSQL_TEST_URL not set)`, fn);

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty utf8mb4 database on the MySQL test server and returns its URL. */
export async function createScratchMysqlDatabase(label: string): Promise<ScratchDatabase> {
  if (!mysqlTestUrl) throw new Error('MYSQL_TEST_URL is not set');
  const name = `t_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const server = new URL(mysqlTestUrl);
  server.pathname = '/';
  const admin = await createConnection(server.toString());
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const conn = await createConnection(server.toString());
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

export interface ScratchSqlite {
  url: string;
  dir: string;
  remove(): void;
}

/** A fresh SQLite file in a temporary folder (for tests that restart a service on the same data). */
export function createScratchSqlite(label: string): ScratchSqlite {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  return { url: `sqlite:${join(dir, `${label}.sqlite`)}`, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  // Parsed JSON from the network: errors are left untyped so tests can read any extension they expect.
  body: { data?: T | null; errors?: any };
}

export interface PostOptions {
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Sign as the gateway does, acting for this caller (null: anonymous). Default: anonymous. */
  caller?: Caller | null;
  /** Send without a gateway signature (to a subgraph: refused). */
  unsigned?: boolean;
  /** The secret to sign with; default GATEWAY_SIGNING_SECRET (the jest setup sets a test value). */
  secret?: string;
}

/**
 * Sends one GraphQL operation over real HTTP. To a subgraph it is signed as the gateway would sign it, unless
 * `unsigned`; the gateway ignores these headers from clients.
 */
export async function postGraphQL<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  options: PostOptions = {},
): Promise<GraphQLResponse<T>> {
  const body = JSON.stringify({ query, variables });
  const secret = options.secret ?? process.env.GATEWAY_SIGNING_SECRET;
  const signature = options.unsigned || !secret ? {} : signRequest(secret, options.caller ?? null, body);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signature, ...options.headers },
    body,
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as GraphQLResponse<T>['body'] };
  } catch {
    throw new Error(`not JSON (HTTP ${response.status}): ${text.slice(0, 500)}`);
  }
}

/** A scratch database for a test file: SQLite in a temporary folder, or a scratch MySQL database. */
export interface ScratchTarget {
  url: string;
  dispose(): Promise<void>;
}

export const scratchTargets: Array<{ label: string; describe: (name: string, fn: () => void) => void; open: (label: string) => Promise<ScratchTarget> }> = [
  {
    label: 'SQLite',
    describe: (name, fn) => describe(`${name} on SQLite`, fn),
    open: async (label) => {
      const file = createScratchSqlite(label);
      return { url: file.url, dispose: async () => file.remove() };
    },
  },
  {
    label: 'MySQL',
    describe: describeOnMysql,
    open: async (label) => {
      const db = await createScratchMysqlDatabase(label);
      return { url: db.url, dispose: db.drop };
    },
  },
];

/**
 * What every subgraph's storage must do, on SQLite and on MySQL: migrations build every table and `down` removes
 * them all again; reference data is present exactly once after two starts on the same database; MySQL tables
 * store text as utf8mb4.
 */
export function describeStorageContract<Context extends RequestContext>(definition: SubgraphDefinition<Context>): void {
  for (const target of scratchTargets) {
    target.describe(`${definition.name} storage`, () => {
      let scratch: ScratchTarget;
      beforeEach(async () => {
        scratch = await target.open(definition.name);
      });
      afterEach(async () => {
        await scratch.dispose();
      });

      test('migrations create every table, and down removes them all', async () => {
        const logger = createLogger(definition.name, 'silent');
        const db = createDatabase({ url: scratch.url, name: definition.name, entities: definition.entities, migrations: definition.migrations, logger });
        await db.dataSource.initialize();
        try {
          const tables = db.dataSource.entityMetadatas.map((m) => m.tableName).sort();
          const present = async () => {
            const runner = db.dataSource.createQueryRunner();
            try {
              return (await Promise.all(tables.map(async (t) => ((await runner.hasTable(t)) ? t : null)))).filter((t) => t !== null);
            } finally {
              await runner.release();
            }
          };
          expect(await present()).toEqual([]);
          const applied = await db.dataSource.runMigrations({ transaction: 'each' });
          // The subgraph's migrations and the kit's own (createDatabase adds them), oldest first.
          const names = (migrations: Array<{ name?: string }>) => migrations.map((m) => m.name);
          expect(names(applied).sort()).toEqual(names(db.dataSource.migrations).sort());
          expect(names(applied)).toEqual(expect.arrayContaining(names(definition.migrations)));
          expect(await present()).toEqual(tables);
          for (let i = 0; i < applied.length; i += 1) await db.dataSource.undoLastMigration({ transaction: 'each' });
          expect(await present()).toEqual([]);
          expect(await db.dataSource.runMigrations({ transaction: 'each' })).toHaveLength(applied.length);
          expect(await present()).toEqual(tables);
        } finally {
          await db.dataSource.destroy();
        }
      });

      test('reference data is there exactly once after two starts', async () => {
        const countRows = async (server: SubgraphServer) => {
          const counts: Record<string, number> = {};
          for (const meta of server.database.dataSource.entityMetadatas)
            counts[meta.tableName] = await server.database.dataSource.getRepository(meta.target).count();
          return counts;
        };
        const first = await buildSubgraph(definition, { port: 0, databaseUrl: scratch.url });
        const afterFirst = await countRows(first);
        await first.stop();
        const second = await buildSubgraph(definition, { port: 0, databaseUrl: scratch.url });
        const before = second.database.statements.count;
        const afterSecond = await countRows(second);
        await second.stop();
        expect(Object.values(afterFirst).some((n) => n > 0)).toBe(true);
        expect(afterSecond).toEqual(afterFirst);
        expect(second.database.statements.count).toBeGreaterThan(before);
      });

      test('undoing and re-applying the newest migration keeps every row of the reference data', async () => {
        const server = await buildSubgraph(definition, { port: 0, databaseUrl: scratch.url });
        try {
          const { dataSource } = server.database;
          const counts = async () =>
            Object.fromEntries(
              await Promise.all(dataSource.entityMetadatas.map(async (m) => [m.tableName, await dataSource.getRepository(m.target).count()] as const)),
            );
          const before = await counts();
          await dataSource.undoLastMigration({ transaction: 'each' });
          await dataSource.runMigrations({ transaction: 'each' });
          expect(await counts()).toEqual(before);
        } finally {
          await server.stop();
        }
      });

      test('reference data has a matching down that removes exactly it', async () => {
        const server = await buildSubgraph(definition, { port: 0, databaseUrl: scratch.url });
        try {
          const { dataSource } = server.database;
          const total = async () =>
            (await Promise.all(dataSource.entityMetadatas.map((m) => dataSource.getRepository(m.target).count()))).reduce((a, b) => a + b, 0);
          const loaded = await total();
          await removeReferenceRows(dataSource, definition.referenceTables());
          expect(await total()).toBe(0);
          expect(await loadReferenceRows(dataSource, definition.referenceTables())).toBe(loaded);
        } finally {
          await server.stop();
        }
      });

      if (target.label === 'MySQL') {
        test('every text column is utf8mb4', async () => {
          const server = await buildSubgraph(definition, { port: 0, databaseUrl: scratch.url, loadReferenceData: false });
          try {
            const rows = (await server.database.dataSource.query(
              "SELECT TABLE_NAME AS t, COLUMN_NAME AS c, CHARACTER_SET_NAME AS cs FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND CHARACTER_SET_NAME IS NOT NULL AND TABLE_NAME <> 'migrations'",
            )) as Array<{ t: string; c: string; cs: string }>;
            expect(rows.length).toBeGreaterThan(0);
            expect(rows.filter((r) => r.cs !== 'utf8mb4')).toEqual([]);
          } finally {
            await server.stop();
          }
        });
      }
    });
  }
}

/**
 * Only the gateway may call a subgraph: unsigned, forged, stale and replayed requests are refused with HTTP 401
 * before any GraphQL work, `_entities` and `_service` included; the health endpoints stay open.
 */
export function describeGatewayOnlyContract<Context extends RequestContext>(
  definition: SubgraphDefinition<Context>,
  representation: { __typename: string; id: string },
): void {
  describe(`${definition.name} accepts only the gateway`, () => {
    // A caller the subgraph accepts: its vocabulary's first partner, when it declares one.
    const partner = definition.callers?.partners[0] ?? 'test-partner';
    const scratch = createScratchSqlite(`${definition.name}-signed`);
    let server: SubgraphServer;
    let url: string;
    const secret = 'gateway-only-contract-secret-0123456789abcdef';
    const entities = 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }';

    beforeAll(async () => {
      server = await buildSubgraph(definition, { port: 0, databaseUrl: scratch.url, signingSecret: secret });
      url = await server.listen(0);
    });
    afterAll(async () => {
      await server.stop();
      scratch.remove();
    });

    const post = (body: string, headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const expectRefused = async (response: Response, reason: RegExp) => {
      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(body.errors[0].message).toMatch(reason);
    };

    test('a request signed with the shared secret is served', async () => {
      const { status, body } = await postGraphQL(url, entities, { r: [representation] }, { secret });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    });

    test.each([
      ['_entities', JSON.stringify({ query: entities, variables: { r: [representation] } })],
      ['_service', JSON.stringify({ query: '{ _service { sdl } }' })],
      ['a plain query', JSON.stringify({ query: '{ __typename }' })],
    ])('unsigned %s is refused with 401', async (_what, body) => {
      await expectRefused(await post(body, {}), /unsigned/);
    });

    test('a signature made with another secret is refused', async () => {
      const body = JSON.stringify({ query: '{ _service { sdl } }' });
      await expectRefused(await post(body, signRequest('some-other-secret-0123456789abcdef0123456789', null, body)), /bad signature/);
    });

    test('a signed body that was altered is refused', async () => {
      const body = JSON.stringify({ query: '{ __typename }' });
      const tampered = JSON.stringify({ query: '{ _service { sdl } }' });
      await expectRefused(await post(tampered, signRequest(secret, null, body)), /bad signature/);
    });

    test("a signed caller outside the subgraph's partners and roles is refused", async () => {
      if (definition.callers === undefined) return;
      const body = JSON.stringify({ query: '{ __typename }' });
      await expectRefused(await post(body, signRequest(secret, { subject: 'u', partner: 'not-a-partner', roles: ['viewer'] }, body)), /malformed caller/);
      await expectRefused(await post(body, signRequest(secret, { subject: 'u', partner, roles: ['not-a-role'] }, body)), /malformed caller/);
    });

    test('a caller swapped under a valid signature is refused', async () => {
      const body = JSON.stringify({ query: '{ __typename }' });
      const headers = signRequest(secret, { subject: 'u', partner, roles: ['viewer'] }, body);
      const admin = signRequest(secret, { subject: 'u', partner, roles: ['admin'] }, body)['x-gateway-caller'];
      await expectRefused(await post(body, { ...headers, 'x-gateway-caller': admin }), /bad signature/);
    });

    test('an old signed request replayed is refused', async () => {
      const body = JSON.stringify({ query: '{ _service { sdl } }' });
      await expectRefused(await post(body, signRequest(secret, null, body, Date.now() - 5 * 60_000)), /stale/);
    });

    test('the same signed request sent twice is served once', async () => {
      const body = JSON.stringify({ query: '{ __typename }' });
      const headers = signRequest(secret, null, body);
      expect((await post(body, headers)).status).toBe(200);
      await expectRefused(await post(body, headers), /replayed/);
    });

    test('a GET cannot run the query in its URL under a signature made for a harmless body', async () => {
      const body = JSON.stringify({ query: '{ __typename }' });
      const response = await fetch(`${url}?query=${encodeURIComponent('{ _service { sdl } }')}`, {
        method: 'GET',
        headers: signRequest(secret, { subject: 'u', partner, roles: ['admin'] }, body),
      });
      expect(response.status).toBe(405);
    });

    test('a request signed for another subgraph is refused', async () => {
      const body = JSON.stringify({ query: '{ __typename }' });
      const other = `not-${definition.name}`;
      await expectRefused(await post(body, signRequest(secret, null, body, Date.now(), other)), new RegExp(`signed for the ${other} subgraph`));
      const own = await post(body, signRequest(secret, null, body, Date.now(), definition.name));
      expect(own.status).toBe(200);
    });

    test('health endpoints stay open', async () => {
      const base = url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    });
  });
}

export interface EntityStub {
  /** A peers map for SubgraphConfig.peers, every peer name pointing at this stub. */
  peers: PeerUrls;
  /** How many `_entities` requests the stub answered. */
  calls: number;
  stop(): Promise<void>;
}

/**
 * Stands in for the other subgraphs in a subgraph's own tests: answers signed `_entities` requests from the
 * given records (by type name), null for unknown ids, HTTP 401 for unsigned ones — as the real subgraphs do.
 */
export async function startEntityStub(records: Record<string, Array<{ id: string } & Record<string, unknown>>>): Promise<EntityStub> {
  const secret = process.env.GATEWAY_SIGNING_SECRET ?? '';
  const stub: EntityStub = { peers: {}, calls: 0, stop: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.setHeader('content-type', 'application/json');
      if (!verifyRequest(secret, req.headers, body).ok) {
        res.writeHead(401).end(JSON.stringify({ errors: [{ message: 'unsigned', extensions: { code: 'UNAUTHENTICATED' } }] }));
        return;
      }
      stub.calls += 1;
      const { variables } = JSON.parse(body.toString('utf8')) as { variables: { r: Array<{ __typename: string; id: string }> } };
      const entities = variables.r.map((ref) => records[ref.__typename]?.find((record) => record.id === ref.id) ?? null);
      res.end(JSON.stringify({ data: { _entities: entities } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  // Whatever subgraph is asked for, the stub answers: the kit knows no subgraph names.
  stub.peers = new Proxy({} as PeerUrls, { get: (_target, name) => (typeof name === 'string' ? url : undefined) });
  stub.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return stub;
}

/** A caller as the gateway vouches for it; the subject defaults to "<partner>-<roles>" in lower case. */
export function testCaller(partner: Caller['partner'], roles: Caller['roles'], subject = `${partner.toLowerCase()}-${roles.join('-')}`): Caller {
  return { subject, partner, roles };
}

/**
 * Row counts of a subgraph's tables (by table name; every entity's table unless `tables` are named), to prove
 * what a mutation wrote, or that a refused or failed one wrote nothing.
 */
export async function rowCounts(server: SubgraphServer, tables?: readonly string[]): Promise<Record<string, number>> {
  const { dataSource } = server.database;
  const counts: Record<string, number> = {};
  if (tables === undefined) {
    for (const meta of dataSource.entityMetadatas) counts[meta.tableName] = await dataSource.getRepository(meta.target).count();
    return counts;
  }
  for (const table of tables) {
    const [row] = (await dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`)) as Array<{ n: string | number }>;
    counts[table] = Number(row.n);
  }
  return counts;
}

/**
 * Makes inserts of one entity fail when `when` says so (given the row and how many inserts of it came before),
 * as a crash or a constraint failure in the middle of a transaction would.
 */
export function failingInsert<T>(entity: new () => T, when: (row: T, insertsBefore: number) => boolean): object {
  let inserts = 0;
  return {
    listenTo: () => entity,
    beforeInsert: (event: { entity: T }) => {
      inserts += 1;
      if (when(event.entity, inserts - 1)) throw new Error(`simulated failure on insert ${inserts} of ${entity.name}`);
    },
  };
}

/**
 * Runs `work` with a TypeORM subscriber registered on the server's data source (see `failingInsert`), the logger
 * silenced: the service logs a simulated failure as an internal error, which is expected there.
 */
export async function withSubscriber(server: SubgraphServer, subscriber: object, work: () => Promise<void>): Promise<void> {
  const subscribers = server.database.dataSource.subscribers as object[];
  const level = server.logger.level;
  subscribers.push(subscriber);
  server.logger.level = 'silent';
  try {
    await work();
  } finally {
    subscribers.splice(subscribers.indexOf(subscriber), 1);
    server.logger.level = level;
  }
}

/** A URL where nothing listens: a port that was free a moment ago. */
export async function unreachableUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}

/** One GraphQL error, as a subgraph's mutation tests read it. */
export interface TestGraphQLError {
  message: string;
  extensions?: Record<string, unknown>;
}

/**
 * Checks that a GraphQL answer holds exactly one error, with this `code` (and `field`, when given) in its
 * extensions, and returns it (each subgraph's fixture adds its own checks of the data and of leaked stack traces).
 */
export function expectOneError(body: { errors?: readonly TestGraphQLError[] | null }, code: string, field?: string): TestGraphQLError {
  expect(body.errors).toHaveLength(1);
  const [error] = body.errors!;
  expect(error.extensions?.code).toBe(code);
  if (field !== undefined) expect(error.extensions?.field).toBe(field);
  return error;
}

/** Runs `work` and checks that `counts` (e.g. `() => rowCounts(server)`) gives the same row counts after as before. */
export async function expectNoRowsWritten<T>(counts: () => Promise<Record<string, number>>, work: () => Promise<T>): Promise<T> {
  const before = await counts();
  const result = await work();
  expect(await counts()).toEqual(before);
  return result;
}
