import { join, resolve } from 'node:path';
import { gatewayConfigFromEnv, subgraphUrlVariable } from '../src/config';
import { composeSupergraph, federationLink, scratchDir, startGateway, startStub, testDataDir, testSigningSecret, unusedPort, type Stub } from './stubs';

// Test gateways sign with the stubs' secret and keep their local key out of the repository.
const testEnv = { GATEWAY_SIGNING_SECRET: testSigningSecret, DATA_DIR: testDataDir, LOG_LEVEL: 'silent' };

describe('configuration from the environment', () => {
  test('defaults: port 4000 on 127.0.0.1, the committed supergraph whatever the working directory', () => {
    const config = gatewayConfigFromEnv({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      trustProxy: false,
      supergraphPath: resolve(__dirname, '..', '..', 'supergraph', 'supergraph.graphql'),
      subgraphTimeoutMs: 10_000,
      corsOrigins: ['http://localhost:*', 'http://127.0.0.1:*'],
      introspection: true,
      logLevel: 'info',
      dataDir: join(process.env.INIT_CWD || process.cwd(), 'data'),
      signingSecret: undefined,
      authentication: {
        keySource: { kind: 'local' },
        algorithms: ['ES256'],
        issuer: 'uz-fr-health-graph-local',
        audience: 'uz-fr-health-graph',
        clockToleranceSeconds: 5,
        maxTokenLifetimeSeconds: 86_400,
      },
      limits: { maxDepth: 15, maxAliases: 30, maxRootFields: 20, maxTokens: 5000, maxCost: 100_000, maxRequestBytes: 262_144 },
      breaker: { errorThresholdPercent: 50, volumeThreshold: 5, windowMs: 60_000, resetMs: 10_000 },
      rateLimit: { perMinute: 600, redisUrl: undefined, keyPrefix: 'gateway-rate-limit' },
      shutdownGraceMs: 5000,
    });
    expect(config.subgraphUrlOverride('institutions')).toBeUndefined();
  });

  test('NODE_ENV=production: introspection (and "Did you mean" suggestions) off unless INTROSPECTION says otherwise', () => {
    expect(gatewayConfigFromEnv({ NODE_ENV: 'production' }).introspection).toBe(false);
    expect(gatewayConfigFromEnv({ NODE_ENV: 'production', INTROSPECTION: 'analyst,admin' }).introspection).toEqual(['analyst', 'admin']);
    expect(gatewayConfigFromEnv({ NODE_ENV: 'production', INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(gatewayConfigFromEnv({ NODE_ENV: 'development' }).introspection).toBe(true);
  });

  test('each variable is read', () => {
    const config = gatewayConfigFromEnv({
      PORT: '4100',
      HOST: '0.0.0.0',
      SUPERGRAPH_PATH: 'elsewhere/supergraph.graphql',
      SUBGRAPH_TIMEOUT_MS: '2500',
      CORS_ORIGINS: 'https://partnership.example.org, http://localhost:5173',
      INSTITUTIONS_URL: 'http://institutions:4001/graphql',
      INTROSPECTION: 'false',
      DATA_DIR: '/var/lib/partnership',
      GATEWAY_SIGNING_SECRET: 'a-production-secret-of-at-least-32-characters',
      AUTH_JWKS_URL: 'https://login.example.org/.well-known/jwks.json',
      AUTH_ALGORITHMS: 'ES384, RS256',
      AUTH_ISSUER: 'https://login.example.org/',
      AUTH_AUDIENCE: 'partnership-api',
      AUTH_CLOCK_TOLERANCE_SECONDS: '30',
      MAX_DEPTH: '8',
      MAX_ALIASES: '0',
      MAX_ROOT_FIELDS: '5',
      MAX_TOKENS: '1000',
      MAX_COST: '500',
      MAX_REQUEST_BYTES: '65536',
      AUTH_MAX_TOKEN_LIFETIME_SECONDS: '3600',
      BREAKER_ERROR_THRESHOLD_PERCENT: '25',
      BREAKER_VOLUME_THRESHOLD: '20',
      BREAKER_WINDOW_MS: '30000',
      BREAKER_RESET_MS: '5000',
      RATE_LIMIT_PER_MINUTE: '120',
      REDIS_URL: 'redis://:secret@redis.internal:6379/0',
      RATE_LIMIT_KEY_PREFIX: 'partnership-prod',
      SHUTDOWN_GRACE_MS: '25000',
    });
    expect(config).toMatchObject({
      port: 4100,
      host: '0.0.0.0',
      supergraphPath: join(process.cwd(), 'elsewhere', 'supergraph.graphql'),
      subgraphTimeoutMs: 2500,
      corsOrigins: ['https://partnership.example.org', 'http://localhost:5173'],
      introspection: false,
      dataDir: '/var/lib/partnership',
      signingSecret: 'a-production-secret-of-at-least-32-characters',
      authentication: {
        keySource: { kind: 'jwks', url: 'https://login.example.org/.well-known/jwks.json' },
        algorithms: ['ES384', 'RS256'],
        issuer: 'https://login.example.org/',
        audience: 'partnership-api',
        clockToleranceSeconds: 30,
        maxTokenLifetimeSeconds: 3600,
      },
      limits: { maxDepth: 8, maxAliases: 0, maxRootFields: 5, maxTokens: 1000, maxCost: 500, maxRequestBytes: 65_536 },
      breaker: { errorThresholdPercent: 25, volumeThreshold: 20, windowMs: 30_000, resetMs: 5000 },
      rateLimit: { perMinute: 120, redisUrl: 'redis://:secret@redis.internal:6379/0', keyPrefix: 'partnership-prod' },
      shutdownGraceMs: 25_000,
    });
    expect(gatewayConfigFromEnv({ INTROSPECTION: 'analyst, admin' }).introspection).toEqual(['analyst', 'admin']);
    expect(gatewayConfigFromEnv({ INTROSPECTION: 'true' }).introspection).toBe(true);
    const hmac = gatewayConfigFromEnv({ AUTH_JWT_SECRET: 'x'.repeat(32) }).authentication;
    expect(hmac).toMatchObject({ keySource: { kind: 'secret', secret: 'x'.repeat(32) }, algorithms: ['HS256'] });
    expect(gatewayConfigFromEnv({ AUTH_JWKS_URL: 'https://login.example.org/jwks' }).authentication.algorithms).toEqual(['RS256', 'ES256']);
    expect(config.subgraphUrlOverride('institutions')).toBe('http://institutions:4001/graphql');
    expect(config.subgraphUrlOverride('agreements')).toBeUndefined();
  });

  test('the override variable of any subgraph name: upper case, other characters as _', () => {
    expect(subgraphUrlVariable('institutions')).toBe('INSTITUTIONS_URL');
    expect(subgraphUrlVariable('hosted-programmes')).toBe('HOSTED_PROGRAMMES_URL');
    expect(subgraphUrlVariable('inventory.v2')).toBe('INVENTORY_V2_URL');
  });

  test('TRUST_PROXY: a number of hops, or addresses, ranges and names', () => {
    expect(gatewayConfigFromEnv({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(gatewayConfigFromEnv({ TRUST_PROXY: ' loopback, 10.0.0.0/8 ,fd00::/8,192.0.2.7' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.7',
    ]);
    expect(gatewayConfigFromEnv({ TRUST_PROXY: '' }).trustProxy).toBe(false);
  });

  test('unusable values are refused with the variable named', () => {
    expect(() => gatewayConfigFromEnv({ PORT: 'eighty' })).toThrow('PORT must be a whole number from 0 to 65535 (got "eighty")');
    for (const trustProxy of ['0', '11', 'yes', '10.0.0.0/33', '10.0.0.1, nowhere', '10.0.0.0/8/1']) {
      expect(() => gatewayConfigFromEnv({ TRUST_PROXY: trustProxy })).toThrow(`TRUST_PROXY must be a number of proxies from 1 to 10, or addresses`);
    }
    expect(() => gatewayConfigFromEnv({ SUBGRAPH_TIMEOUT_MS: '0' })).toThrow('SUBGRAPH_TIMEOUT_MS must be a whole number from 1 to 600000 (got "0")');
    expect(() => gatewayConfigFromEnv({ INTROSPECTION: 'maybe' })).toThrow(
      'INTROSPECTION must be true, false or a comma-separated list of roles among viewer, analyst, editor, admin (got "maybe")',
    );
    expect(() => gatewayConfigFromEnv({ GATEWAY_SIGNING_SECRET: 'short' })).toThrow('GATEWAY_SIGNING_SECRET must be at least 32 characters');
    expect(() => gatewayConfigFromEnv({ AUTH_JWT_SECRET: 'short' })).toThrow('AUTH_JWT_SECRET must be at least 32 characters');
    expect(() => gatewayConfigFromEnv({ AUTH_JWT_SECRET: 'x'.repeat(32), AUTH_JWKS_URL: 'https://login.example.org/jwks' })).toThrow(
      'set AUTH_JWKS_URL or AUTH_JWT_SECRET, not both',
    );
    expect(() => gatewayConfigFromEnv({ AUTH_JWKS_URL: 'login.example.org' })).toThrow(
      'AUTH_JWKS_URL must be an http:// or https:// URL (got "login.example.org")',
    );
    expect(() => gatewayConfigFromEnv({ AUTH_ALGORITHMS: 'ES256,none' })).toThrow('AUTH_ALGORITHMS must not include "none"');
    expect(() => gatewayConfigFromEnv({ AUTH_ALGORITHMS: 'HS256' })).toThrow('AUTH_ALGORITHMS: "HS256" cannot be used with the local key');
    expect(() => gatewayConfigFromEnv({ AUTH_JWT_SECRET: 'x'.repeat(32), AUTH_ALGORITHMS: 'RS256' })).toThrow(
      'AUTH_ALGORITHMS: "RS256" cannot be used with AUTH_JWT_SECRET',
    );
    expect(() => gatewayConfigFromEnv({ AUTH_ALGORITHMS: 'ES384' })).toThrow('AUTH_ALGORITHMS must include ES256 to accept tokens of the local key');
    expect(() => gatewayConfigFromEnv({ MAX_DEPTH: '0' })).toThrow('MAX_DEPTH must be a whole number from 1 to 1000 (got "0")');
    expect(() => gatewayConfigFromEnv({ MAX_COST: 'lots' })).toThrow('MAX_COST must be a whole number from 1 to 1000000000 (got "lots")');
    expect(() => gatewayConfigFromEnv({ MAX_REQUEST_BYTES: '100' })).toThrow('MAX_REQUEST_BYTES must be a whole number from 1024 to 104857600 (got "100")');
    expect(() => gatewayConfigFromEnv({ RATE_LIMIT_PER_MINUTE: '-1' })).toThrow('RATE_LIMIT_PER_MINUTE must be a whole number from 0 to 1000000000 (got "-1")');
    expect(() => gatewayConfigFromEnv({ BREAKER_ERROR_THRESHOLD_PERCENT: '100' })).toThrow(
      'BREAKER_ERROR_THRESHOLD_PERCENT must be a whole number from 1 to 99 (got "100")',
    );
    expect(() => gatewayConfigFromEnv({ AUTH_MAX_TOKEN_LIFETIME_SECONDS: '0' })).toThrow(
      'AUTH_MAX_TOKEN_LIFETIME_SECONDS must be a whole number from 1 to 31536000 (got "0")',
    );
    // The URL may hold a password: the message does not repeat it.
    expect(() => gatewayConfigFromEnv({ REDIS_URL: 'http://:secret@redis.internal' })).toThrow(/^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL$/);
    const config = gatewayConfigFromEnv({ TRAINING_URL: 'training:4003' });
    expect(() => config.subgraphUrlOverride('training')).toThrow('TRAINING_URL must be an http:// or https:// URL (got "training:4003")');
  });
});

describe('routing URL overrides', () => {
  const sdl = `${federationLink}
type Query { ping: String }
`;
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub('hosted-programmes', sdl, { Query: { ping: () => 'pong' } });
  });
  afterAll(async () => {
    await stub?.stop();
  });

  test("<NAME>_URL sends a subgraph's requests to another URL than the supergraph's", async () => {
    const files = scratchDir('gateway-override');
    // Nothing listens on the supergraph's URL: without the override every request fails.
    const deadUrl = `http://127.0.0.1:${await unusedPort()}/graphql`;
    const supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'hosted-programmes', url: deadUrl, sdl }]));
    const query = { query: '{ ping }' };
    const ask = async (base: string) => {
      const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(query) });
      return (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> };
    };
    const plain = await startGateway(gatewayConfigFromEnv({ ...testEnv, SUPERGRAPH_PATH: supergraphPath }));
    const overridden = await startGateway(gatewayConfigFromEnv({ ...testEnv, SUPERGRAPH_PATH: supergraphPath, HOSTED_PROGRAMMES_URL: stub.url }));
    try {
      expect((await ask(plain.base)).errors?.[0].message).toBe("HTTP fetch failed from 'hosted-programmes': connection refused");
      expect(await ask(overridden.base)).toEqual({ data: { ping: 'pong' } });
      // Readiness probes the overridden URL too.
      expect((await fetch(`${plain.base}/health/ready`)).status).toBe(503);
      expect((await fetch(`${overridden.base}/health/ready`)).status).toBe(200);
    } finally {
      await plain.stop();
      await overridden.stop();
      files.remove();
    }
  });

  test('an unusable override stops the gateway from starting, naming the variable', async () => {
    const files = scratchDir('gateway-override-bad');
    const supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'hosted-programmes', url: stub.url, sdl }]));
    try {
      await expect(startGateway(gatewayConfigFromEnv({ ...testEnv, SUPERGRAPH_PATH: supergraphPath, HOSTED_PROGRAMMES_URL: 'nowhere' }))).rejects.toThrow(
        'HOSTED_PROGRAMMES_URL must be an http:// or https:// URL (got "nowhere")',
      );
    } finally {
      files.remove();
    }
  });
});
