import { randomUUID } from 'node:crypto';
import type { Caller } from '@partnership/request-signing';
import { bearer, post, registrySdl, startRegistry } from './security-fixture';
import { capturingLogger, composeSupergraph, scratchDir, startGateway, testConfig, testToken, unusedPort, type ScratchDir, type Stub } from './stubs';
import type { RateLimitSettings } from '../src/config';

const redisUrl = process.env.REDIS_TEST_URL || undefined;
const testWithRedis = redisUrl ? test : test.skip;
const ping = { query: '{ ping }' };
const alice: Caller = { subject: 'alice', partner: 'FR', roles: ['viewer'] };
const bob: Caller = { subject: 'bob', partner: 'FR', roles: ['viewer'] };

describe('rate limits per caller', () => {
  let stub: Stub;
  let files: ScratchDir;
  let supergraphPath: string;
  beforeAll(async () => {
    stub = await startRegistry();
    files = scratchDir('gateway-rate-limit');
    supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'registry', url: stub.url, sdl: registrySdl }]));
  });
  afterAll(async () => {
    await stub?.stop();
    files?.remove();
  });
  const start = (rateLimit: RateLimitSettings, logger = capturingLogger().logger) => startGateway(testConfig({ supergraphPath, rateLimit }), logger);

  test('over the budget: 429 with Retry-After and a RATE_LIMITED error, before any subgraph call; each caller has its own budget', async () => {
    const gateway = await start({ perMinute: 3, keyPrefix: `test-${randomUUID()}` });
    try {
      for (let i = 0; i < 3; i += 1) expect((await post(gateway.base, ping)).status).toBe(200);
      const before = stub.requests;
      const limited = await post(gateway.base, ping);
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.body).toEqual({
        errors: [
          {
            message: `Too many requests: at most 3 a minute are accepted from one caller; try again in ${retryAfter} s`,
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter },
          },
        ],
      });
      expect(stub.requests).toBe(before);
      // A token's subject is another caller than the anonymous address; and than another subject.
      const asAlice = bearer(await testToken(alice));
      for (let i = 0; i < 3; i += 1) expect((await post(gateway.base, ping, asAlice)).status).toBe(200);
      expect((await post(gateway.base, ping, asAlice)).status).toBe(429);
      expect((await post(gateway.base, ping, bearer(await testToken(bob)))).status).toBe(200);
      // Health checks and the explorer are not limited.
      for (const path of ['/health/live', '/health/ready', '/'])
        expect((await fetch(`${gateway.base}${path}`, { headers: { accept: 'text/html' } })).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  test('a refused token counts against its address: a flood of bad tokens is limited too', async () => {
    const gateway = await start({ perMinute: 2, keyPrefix: `test-${randomUUID()}` });
    try {
      const forged = { authorization: 'Bearer not-a-token' };
      expect((await post(gateway.base, ping, forged)).status).toBe(401);
      expect((await post(gateway.base, ping, forged)).status).toBe(401);
      const limited = await post(gateway.base, ping, forged);
      expect(limited.status).toBe(429);
      expect(limited.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      // The address's budget is spent for anonymous requests as well; a valid token is its own caller.
      expect((await post(gateway.base, ping)).status).toBe(429);
      expect((await post(gateway.base, ping, bearer(await testToken(alice)))).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  test('behind a proxy (TRUST_PROXY): anonymous callers are counted by the address it forwards; without it, X-Forwarded-For is ignored', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const trusting = await startGateway(testConfig({ supergraphPath, rateLimit: { perMinute: 2, keyPrefix: `test-${randomUUID()}` }, trustProxy: 1 }));
    try {
      for (let i = 0; i < 2; i += 1) expect((await post(trusting.base, ping, from('198.51.100.1'))).status).toBe(200);
      expect((await post(trusting.base, ping, from('198.51.100.1'))).status).toBe(429);
      // Another client behind the same proxy has its own budget; an address the client wrote itself (left of the one
      // the proxy appended) changes nothing.
      expect((await post(trusting.base, ping, from('198.51.100.2'))).status).toBe(200);
      expect((await post(trusting.base, ping, from('203.0.113.9, 198.51.100.1'))).status).toBe(429);
    } finally {
      await trusting.stop();
    }
    const direct = await start({ perMinute: 2, keyPrefix: `test-${randomUUID()}` });
    try {
      for (let i = 0; i < 2; i += 1) expect((await post(direct.base, ping, from(`198.51.100.${i}`))).status).toBe(200);
      expect((await post(direct.base, ping, from('198.51.100.7'))).status).toBe(429);
    } finally {
      await direct.stop();
    }
  });

  test('0 means no limit', async () => {
    const gateway = await start({ perMinute: 0, keyPrefix: 'unused' });
    try {
      for (let i = 0; i < 20; i += 1) expect((await post(gateway.base, ping)).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });

  testWithRedis(`two gateways sharing Redis share one budget${redisUrl ? '' : ' (skipped: REDIS_TEST_URL not set)'}`, async () => {
    const settings = { perMinute: 4, redisUrl, keyPrefix: `test-${randomUUID()}` };
    const first = await start(settings);
    const second = await start(settings);
    try {
      const asAlice = bearer(await testToken(alice));
      expect((await post(first.base, ping, asAlice)).status).toBe(200);
      expect((await post(second.base, ping, asAlice)).status).toBe(200);
      expect((await post(first.base, ping, asAlice)).status).toBe(200);
      expect((await post(second.base, ping, asAlice)).status).toBe(200);
      expect((await post(first.base, ping, asAlice)).status).toBe(429);
      expect((await post(second.base, ping, asAlice)).status).toBe(429);
    } finally {
      await first.stop();
      await second.stop();
    }
  });

  test('Redis unreachable: the gateway starts, serves and limits in memory, and says so once in the log', async () => {
    const { logger, lines } = capturingLogger();
    const gateway = await start({ perMinute: 2, redisUrl: `redis://127.0.0.1:${await unusedPort()}`, keyPrefix: `test-${randomUUID()}` }, logger);
    try {
      expect((await post(gateway.base, ping)).status).toBe(200);
      expect((await post(gateway.base, ping)).status).toBe(200);
      expect((await post(gateway.base, ping)).status).toBe(429);
      expect(lines.filter((line) => line.msg === 'Redis unreachable: rate limits are counted in this process until it is back')).toHaveLength(1);
    } finally {
      await gateway.stop();
    }
  });
});
