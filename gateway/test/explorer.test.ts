import { gatewayConfigFromEnv } from '../src/config';
import { composeSupergraph, federationLink, scratchDir, startGateway, startStub, testConfig, testDataDir, testSigningSecret, type Stub } from './stubs';

type Started = Awaited<ReturnType<typeof startGateway>>;

/** The URLs a page loads: script sources, stylesheets and other links. */
function loadedUrls(html: string): string[] {
  return [...html.matchAll(/<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
}

function embeddedExamples(html: string): Array<{ name: string; query: string; variables: Record<string, unknown> }> {
  const json = /<script id="explorer-examples" type="application\/json">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error('no examples element in the page');
  return JSON.parse(json) as Array<{ name: string; query: string; variables: Record<string, unknown> }>;
}

describe('the explorer on the committed supergraph', () => {
  let gateway: Started;
  beforeAll(async () => {
    // The defaults: the committed supergraph and the saved operations of supergraph/operations.
    gateway = await startGateway(gatewayConfigFromEnv({ LOG_LEVEL: 'silent', DATA_DIR: testDataDir, GATEWAY_SIGNING_SECRET: testSigningSecret }));
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  test('GET / serves the page, and every file it loads comes from the gateway itself', async () => {
    const response = await fetch(`${gateway.base}/`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toContain('https://');
    expect(html).toContain('<title>Uzbekistan–France healthcare partnership graph · explorer</title>');
    expect(html).toMatch(/<h1>Uzbekistan–France healthcare partnership graph<\/h1>/);

    const urls = loadedUrls(html).filter((url) => !url.startsWith('data:'));
    expect(urls).toEqual([
      '/explorer/graphiql.min.css',
      '/explorer/explorer.css',
      '/explorer/react.production.min.js',
      '/explorer/react-dom.production.min.js',
      '/explorer/graphiql.min.js',
      '/explorer/flatten.js',
      '/explorer/explorer.js',
      '/explorer/sign-in.js',
    ]);
    for (const url of urls) {
      const asset = await fetch(`${gateway.base}${url}`);
      expect([url, asset.status]).toEqual([url, 200]);
      expect(asset.headers.get('content-type')).toMatch(url.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(500);
    }
    const graphiql = await (await fetch(`${gateway.base}/explorer/graphiql.min.js`)).text();
    expect(graphiql).toContain('GraphiQL');
    // The sign-in module's OpenID Connect client, imported from next to it.
    expect(await (await fetch(`${gateway.base}/explorer/sign-in.js`)).text()).toContain("from './oauth4webapi.js'");
    const client = await fetch(`${gateway.base}/explorer/oauth4webapi.js`);
    expect([client.status, client.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(await client.text()).toContain('export async function authorizationCodeGrantRequest');
    expect((await fetch(`${gateway.base}/explorer/nothing.js`)).status).toBe(404);
  });

  test('GET /progress serves the progress page, linked from the explorer, with Chart.js and its script from the gateway itself', async () => {
    expect(await (await fetch(`${gateway.base}/`)).text()).toContain('<a href="/progress">Progress toward targets</a>');
    const response = await fetch(`${gateway.base}/progress`);
    expect([response.status, response.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'self'.*connect-src 'self';/);
    const html = await response.text();
    expect(html).not.toContain('https://');
    expect(html).toContain('<h1>Training programmes: progress toward their targets</h1>');
    const urls = loadedUrls(html).filter((url) => !url.startsWith('data:'));
    expect(urls).toEqual(['/explorer/progress.css', '/explorer/chart.umd.min.js', '/explorer/progress.js']);
    for (const url of urls) {
      const asset = await fetch(`${gateway.base}${url}`);
      expect([url, asset.status]).toEqual([url, 200]);
      expect(asset.headers.get('content-type')).toMatch(url.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(500);
    }
    // Chart.js's UMD build, which defines the global the page's script draws with.
    expect(await (await fetch(`${gateway.base}/explorer/chart.umd.min.js`)).text()).toMatch(/^\/\*!\n \* Chart\.js v4\./);
  });

  test("the page carries the partnership's saved example operations with their variables", async () => {
    const html = await (await fetch(`${gateway.base}/`)).text();
    const examples = embeddedExamples(html);
    expect(examples.map((e) => e.name)).toEqual(['AgreementWithParties', 'InstitutionsWithAgreements', 'ProgrammeWithCohorts']);
    expect(examples[0].variables).toEqual({ id: 'protocol-surgical-cooperation' });
    expect(examples[0].query).toMatch(/^# One agreement/);
    expect(examples[0].query).not.toContain('# variables:');
  });

  test('a browser opening /graphql gets the page; GraphQL clients do not', async () => {
    const browser = await fetch(`${gateway.base}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(browser.status).toBe(200);
    expect(await browser.text()).toContain('<div id="explorer"');
    const client = await fetch(`${gateway.base}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await client.json()).toEqual({ data: { __typename: 'Query' } });
  });

  test("the schema can be introspected for the explorer's docs", async () => {
    const response = await fetch(`${gateway.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __type(name: "TrainingProgram") { description fields { name } } }' }),
    });
    const body = (await response.json()) as { data: { __type: { description: string; fields: Array<{ name: string }> } } };
    expect(body.data.__type.description).toBe('A programme that trains specialists of one country at partner institutions.');
    expect(body.data.__type.fields.map((f) => f.name)).toContain('progress');
  });
});

describe('the explorer on another supergraph', () => {
  const sdl = `${federationLink}
type Query { ping: String }
`;
  let stub: Stub;
  beforeAll(async () => {
    stub = await startStub('pinger', sdl, { Query: { ping: () => 'pong' } });
  });
  afterAll(async () => {
    await stub?.stop();
  });

  test('offers only the examples that schema can run', async () => {
    const files = scratchDir('gateway-examples');
    const supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'pinger', url: stub.url, sdl }]));
    files.file('ping.graphql', '# Ping the graph.\nquery Ping { ping }\n');
    files.file('institutions.graphql', '# Not in this schema.\nquery Institutions { institutions { totalCount } }\n');
    files.file('broken.graphql', 'query {');
    const gateway = await startGateway(testConfig({ supergraphPath, examplesDir: files.dir }));
    try {
      const examples = embeddedExamples(await (await fetch(`${gateway.base}/`)).text());
      expect(examples).toEqual([{ name: 'Ping', description: 'Ping the graph.', query: '# Ping the graph.\nquery Ping { ping }\n', variables: {} }]);
    } finally {
      await gateway.stop();
      files.remove();
    }
  });

  test('CORS: allowed origins get the headers, others do not', async () => {
    const files = scratchDir('gateway-cors');
    const supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'pinger', url: stub.url, sdl }]));
    const gateway = await startGateway(testConfig({ supergraphPath, corsOrigins: ['http://localhost:*', 'https://partnership.example.org'] }));
    try {
      const preflight = await fetch(`${gateway.base}/graphql`, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');

      const post = (origin: string) =>
        fetch(`${gateway.base}/graphql`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ ping }' }),
        });
      expect((await post('https://partnership.example.org')).headers.get('access-control-allow-origin')).toBe('https://partnership.example.org');
      const foreign = await post('https://elsewhere.example.com');
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
      expect((await post('http://localhost.elsewhere.example.com')).headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await gateway.stop();
      files.remove();
    }
  });
});
