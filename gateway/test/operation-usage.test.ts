import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse } from 'graphql';
import { Redis } from 'ioredis';
import pino from 'pino';
import { defaultLimits, operationUsageFromEnv } from '../src/config';
import {
  createOperationUsageRecorder,
  operationSignature,
  readOperationUsage,
  usedCoordinates,
  type OperationUsageFile,
  type OperationUsageSettings,
} from '../src/operation-usage';
import { post, registrySdl, startRegistry } from './security-fixture';
import { composeSupergraph, scratchDir, startGateway, testConfig, type ScratchDir, type Stub } from './stubs';

const redisUrl = process.env.REDIS_TEST_URL || undefined;
const testWithRedis = redisUrl ? test : test.skip;
const silent = pino({ level: 'silent' });

describe('operation usage', () => {
  let stub: Stub;
  let files: ScratchDir;
  let supergraphPath: string;
  beforeAll(async () => {
    stub = await startRegistry();
    files = scratchDir('gateway-operation-usage');
    supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'registry', url: stub.url, sdl: registrySdl }]));
  });
  afterAll(async () => {
    await stub?.stop();
    files?.remove();
  });
  const settings = (overrides: Partial<OperationUsageSettings>): OperationUsageSettings => ({
    mode: 'file',
    file: join(files.dir, `usage-${randomUUID()}.json`),
    keyPrefix: `test-${randomUUID()}`,
    flushIntervalMs: 60_000,
    maxSignatures: 100,
    ...overrides,
  });

  test('the gateway records the operations it serves, with counts, last-seen dates and the fields they use, to a file on stop', async () => {
    const usage = settings({});
    const gateway = await startGateway(testConfig({ supergraphPath, operationUsage: usage }));
    try {
      for (let i = 0; i < 3; i += 1) {
        // Other literals, same signature.
        expect((await post(gateway.base, { query: `query Named { institution(id: "i${i}") { id name } }` })).status).toBe(200);
      }
      expect((await post(gateway.base, { query: '{ ping }' })).status).toBe(200);
      // Not valid: nothing served, nothing recorded.
      expect((await post(gateway.base, { query: '{ nope }' })).status).toBe(400);
      // Introspection only (the explorer): nothing a schema change could break.
      expect((await post(gateway.base, { query: '{ __schema { queryType { name } } }' })).status).toBe(200);
    } finally {
      await gateway.stop();
    }
    const written = JSON.parse(readFileSync(usage.file, 'utf8')) as OperationUsageFile;
    const entries = Object.values(written.operations).sort((a, b) => b.count - a.count);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      name: 'Named',
      count: 3,
      coordinates: ['Institution', 'Institution.id', 'Institution.name', 'Query.institution', 'Query.institution.id'],
    });
    expect(entries[0].signature).toMatch(/^Named:[0-9a-f]{16}$/);
    expect(Date.now() - Date.parse(entries[0].lastSeen)).toBeLessThan(60_000);
    expect(entries[1]).toMatchObject({ name: null, count: 1, coordinates: ['Query.ping'] });
    expect(await readOperationUsage(usage.file)).toEqual(written);
  });

  test('counts add up across flushes and restarts; OPERATION_USAGE=off records nothing', async () => {
    const usage = settings({});
    for (let run = 0; run < 2; run += 1) {
      const gateway = await startGateway(testConfig({ supergraphPath, operationUsage: usage }));
      try {
        expect((await post(gateway.base, { query: '{ ping }' })).status).toBe(200);
      } finally {
        await gateway.stop();
      }
    }
    expect(Object.values((await readOperationUsage(usage.file)).operations).map((e) => e.count)).toEqual([2]);

    const off = operationUsageFromEnv({ OPERATION_USAGE: 'off', DATA_DIR: files.dir });
    expect(off.mode).toBe('off');
    const gateway = await startGateway(testConfig({ supergraphPath, operationUsage: off }));
    try {
      expect((await post(gateway.base, { query: '{ ping }' })).status).toBe(200);
    } finally {
      await gateway.stop();
    }
    expect(existsSync(off.file)).toBe(false);
  });

  test('only operations executed and answered are recorded, not those refused before execution', async () => {
    const usage = settings({});
    const gateway = await startGateway(testConfig({ supergraphPath, operationUsage: usage, limits: { ...defaultLimits, maxCost: 50 } }));
    try {
      // Refused by the cost limit (after validation, in didResolveOperation): not recorded.
      const costly = await post(gateway.base, { query: 'query Costly { institutions(first: 100) { nodes { id name } } }' });
      expect([costly.status, costly.body.errors?.[0].extensions?.limit]).toEqual([400, 'cost']);
      // Not valid: not recorded.
      expect((await post(gateway.base, { query: 'query Invalid { nope }' })).status).toBe(400);
      // Variables that cannot be coerced: a request error, nothing executed.
      const noVariable = await post(gateway.base, { query: 'query NoVariable($id: ID!) { institution(id: $id) { id } }' });
      expect(noVariable.body.data).toBeUndefined();
      // Executed: recorded, even with an error of a field in the result.
      expect((await post(gateway.base, { query: 'query Served { ping }' })).status).toBe(200);
      const broken = await post(gateway.base, { query: 'query Broken { broken }' });
      expect([broken.body.data, broken.body.errors?.length]).toEqual([{ broken: null }, 1]);
    } finally {
      await gateway.stop();
    }
    const written = await readOperationUsage(usage.file);
    expect(
      Object.values(written.operations)
        .map((e) => [e.name, e.count])
        .sort(),
    ).toEqual([
      ['Broken', 1],
      ['Served', 1],
    ]);
  });

  test('from the environment: a file in DATA_DIR by default, Redis when REDIS_URL is set', () => {
    expect(operationUsageFromEnv({ DATA_DIR: '/srv/data' })).toMatchObject({
      mode: 'file',
      file: '/srv/data/operation-usage.json',
      flushIntervalMs: 60_000,
      maxSignatures: 10_000,
    });
    expect(operationUsageFromEnv({ REDIS_URL: 'redis://cache:6379' })).toMatchObject({
      mode: 'redis',
      redisUrl: 'redis://cache:6379',
      keyPrefix: 'gateway-operation-usage',
    });
    expect(operationUsageFromEnv({ REDIS_URL: 'redis://cache:6379', OPERATION_USAGE: 'file' }).mode).toBe('file');
    expect(() => operationUsageFromEnv({ OPERATION_USAGE: 'redis' })).toThrow('OPERATION_USAGE=redis needs REDIS_URL');
    expect(() => operationUsageFromEnv({ OPERATION_USAGE: 'maybe' })).toThrow('OPERATION_USAGE must be on, off, file or redis (got "maybe")');
  });

  test('memory is bounded: beyond maxSignatures distinct operations, requests are dropped and counted', async () => {
    const schema = buildSchema('type Query { a(n: Int): Int b: Int }');
    const usage = settings({ maxSignatures: 2 });
    const recorder = createOperationUsageRecorder(usage, silent);
    recorder.record(schema, parse('query A { a(n: 1) }'), 'A');
    recorder.record(schema, parse('query A { a(n: 2) }'), 'A');
    recorder.record(schema, parse('query B { b }'), 'B');
    recorder.record(schema, parse('query C { a b }'), 'C');
    recorder.record(schema, parse('query D { b a }'), 'D');
    expect(recorder.dropped).toBe(2);
    await recorder.close();
    const written = await readOperationUsage(usage.file);
    expect(Object.values(written.operations).map((e) => [e.name, e.count])).toEqual([
      ['A', 2],
      ['B', 1],
    ]);
    expect(written.dropped).toBe(2);
  });

  test('signatures ignore literals and layout; coordinates name fields, arguments, input fields and types', () => {
    expect(operationSignature(parse('query Q { a(n: 1) }'), 'Q')).toBe(operationSignature(parse('query Q {\n  a(n: 42)\n}'), 'Q'));
    expect(operationSignature(parse('query Q { a(n: 1) }'), 'Q')).not.toBe(operationSignature(parse('query Q { b }'), 'Q'));
    const schema = buildSchema('input F { country: String } type T { x: Int } type Query { t(filter: F): T }');
    const used = usedCoordinates(schema, parse('query($f: F) { t(filter: { country: "FR" }) { x __typename } other: t(filter: $f) { x } }'));
    expect([...new Set(used.map((u) => u.coordinate))].sort()).toEqual(['F', 'F.country', 'Query.t', 'Query.t.filter', 'T', 'T.x']);
  });

  testWithRedis(`Redis: a hash per signature, counts add up across replicas${redisUrl ? '' : ' (skipped: REDIS_TEST_URL not set)'}`, async () => {
    const usage = settings({ mode: 'redis', redisUrl });
    for (let replica = 0; replica < 2; replica += 1) {
      const gateway = await startGateway(testConfig({ supergraphPath, operationUsage: usage }));
      try {
        expect((await post(gateway.base, { query: 'query Named { ping }' })).status).toBe(200);
      } finally {
        await gateway.stop();
      }
    }
    const read = await readOperationUsage(`${redisUrl}#${usage.keyPrefix}`);
    expect(Object.values(read.operations)).toEqual([expect.objectContaining({ name: 'Named', count: 2, coordinates: ['Query.ping'] })]);
  });

  testWithRedis(
    `Redis is bounded: the least recently seen beyond maxSignatures go, their counts as dropped; hashes expire${redisUrl ? '' : ' (skipped: REDIS_TEST_URL not set)'}`,
    async () => {
      const usage = settings({ mode: 'redis', redisUrl, maxSignatures: 3 });
      const schema = buildSchema('type Query { a: Int }');
      const recorder = createOperationUsageRecorder(usage, silent);
      const redis = new Redis(redisUrl as string);
      try {
        // Flushed in this order, last seen on these days: the three most recently seen (C, E, A) stay.
        for (const [name, day] of [
          ['A', 3],
          ['B', 1],
          ['C', 5],
          ['D', 2],
          ['E', 4],
        ] as const) {
          recorder.record(schema, parse(`query ${name} { a }`), name, new Date(Date.now() - (10 - day) * 86_400_000));
          await recorder.flush();
        }
        await recorder.close();
        const read = await readOperationUsage(`${redisUrl}#${usage.keyPrefix}`);
        expect(
          Object.values(read.operations)
            .map((e) => e.name)
            .sort(),
        ).toEqual(['A', 'C', 'E']);
        expect(read.dropped).toBe(2);
        expect(await redis.zcard(`${usage.keyPrefix}:signatures`)).toBe(3);
        const hashes = await redis.keys(`${usage.keyPrefix}:op:*`);
        expect(hashes).toHaveLength(3);
        for (const key of hashes) expect(await redis.pttl(key)).toBeGreaterThan(89 * 24 * 3600 * 1000);
      } finally {
        redis.disconnect();
      }
    },
  );

  testWithRedis(
    `Redis: a plain set of signatures (written before the sorted set) is still read, then converted${redisUrl ? '' : ' (skipped: REDIS_TEST_URL not set)'}`,
    async () => {
      const usage = settings({ mode: 'redis', redisUrl });
      const prefix = usage.keyPrefix;
      const redis = new Redis(redisUrl as string);
      const oldSeen = new Date(Date.now() - 86_400_000).toISOString();
      try {
        await redis.sadd(`${prefix}:signatures`, 'Old:0000000000000000');
        await redis.hset(`${prefix}:op:Old:0000000000000000`, 'name', 'Old', 'coordinates', 'Query.a', 'count', '4', 'firstSeen', oldSeen, 'lastSeen', oldSeen);
        expect(Object.values((await readOperationUsage(`${redisUrl}#${prefix}`)).operations).map((e) => [e.name, e.count])).toEqual([['Old', 4]]);
        const recorder = createOperationUsageRecorder(usage, silent);
        recorder.record(buildSchema('type Query { a: Int }'), parse('query New { a }'), 'New');
        await recorder.close();
        expect(await redis.type(`${prefix}:signatures`)).toBe('zset');
        expect(await redis.zscore(`${prefix}:signatures`, 'Old:0000000000000000')).toBe(String(Date.parse(oldSeen)));
        expect(
          Object.values((await readOperationUsage(`${redisUrl}#${prefix}`)).operations)
            .map((e) => [e.name, e.count])
            .sort(),
        ).toEqual([
          ['New', 1],
          ['Old', 4],
        ]);
      } finally {
        redis.disconnect();
      }
    },
  );
});
