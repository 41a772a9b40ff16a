import { join, resolve } from 'node:path';
import { gatewayConfigFromEnv, subgraphUrlVariable } from '../src/config';
import { composeSupergraph, federationLink, scratchDir, startGateway, startStub, unusedPort, type Stub } from './stubs';

describe('configuration from the environment', () => {
  test('defaults: port 4000 on 127.0.0.1, the committed supergraph whatever the working directory', () => {
    const config = gatewayConfigFromEnv({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      supergraphPath: resolve(__dirname, '..', '..', 'supergraph', 'supergraph.graphql'),
      subgraphTimeoutMs: 10_000,
      corsOrigins: ['http://localhost:*', 'http://127.0.0.1:*'],
      introspection: true,
      logLevel: 'info',
    });
    expect(config.subgraphUrlOverride('institutions')).toBeUndefined();
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
    });
    expect(config).toMatchObject({
      port: 4100,
      host: '0.0.0.0',
      supergraphPath: join(process.cwd(), 'elsewhere', 'supergraph.graphql'),
      subgraphTimeoutMs: 2500,
      corsOrigins: ['https://partnership.example.org', 'http://localhost:5173'],
      introspection: false,
    });
    expect(config.subgraphUrlOverride('institutions')).toBe('http://institutions:4001/graphql');
    expect(config.subgraphUrlOverride('agreements')).toBeUndefined();
  });

  test('the override variable of any subgraph name: upper case, other characters as _', () => {
    expect(subgraphUrlVariable('institutions')).toBe('INSTITUTIONS_URL');
    expect(subgraphUrlVariable('hosted-programmes')).toBe('HOSTED_PROGRAMMES_URL');
    expect(subgraphUrlVariable('inventory.v2')).toBe('INVENTORY_V2_URL');
  });

  test('unusable values are refused with the variable named', () => {
    expect(() => gatewayConfigFromEnv({ PORT: 'eighty' })).toThrow('PORT must be a whole number from 0 to 65535 (got "eighty")');
    expect(() => gatewayConfigFromEnv({ SUBGRAPH_TIMEOUT_MS: '0' })).toThrow('SUBGRAPH_TIMEOUT_MS must be a whole number from 1 to 600000 (got "0")');
    expect(() => gatewayConfigFromEnv({ INTROSPECTION: 'maybe' })).toThrow('INTROSPECTION must be true or false (got "maybe")');
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

  test('<NAME>_URL sends a subgraph\'s requests to another URL than the supergraph\'s', async () => {
    const files = scratchDir('gateway-override');
    // Nothing listens on the supergraph's URL: without the override every request fails.
    const deadUrl = `http://127.0.0.1:${await unusedPort()}/graphql`;
    const supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'hosted-programmes', url: deadUrl, sdl }]));
    const query = { query: '{ ping }' };
    const ask = async (base: string) => {
      const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(query) });
      return (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> };
    };
    const plain = await startGateway(gatewayConfigFromEnv({ SUPERGRAPH_PATH: supergraphPath, LOG_LEVEL: 'silent' }));
    const overridden = await startGateway(gatewayConfigFromEnv({ SUPERGRAPH_PATH: supergraphPath, HOSTED_PROGRAMMES_URL: stub.url, LOG_LEVEL: 'silent' }));
    try {
      expect((await ask(plain.base)).errors?.[0].message).toMatch(/^HTTP fetch failed from 'hosted-programmes': .*ECONNREFUSED/);
      expect(await ask(overridden.base)).toEqual({ data: { ping: 'pong' } });
      const ready = (await (await fetch(`${overridden.base}/health/ready`)).json()) as { subgraphs: Array<{ url: string }> };
      expect(ready.subgraphs.map((s) => s.url)).toEqual([stub.url]);
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
      await expect(startGateway(gatewayConfigFromEnv({ SUPERGRAPH_PATH: supergraphPath, HOSTED_PROGRAMMES_URL: 'nowhere', LOG_LEVEL: 'silent' }))).rejects.toThrow(
        'HOSTED_PROGRAMMES_URL must be an http:// or https:// URL (got "nowhere")',
      );
    } finally {
      files.remove();
    }
  });
});
