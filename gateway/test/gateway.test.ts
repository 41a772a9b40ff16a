import { GraphQLError } from 'graphql';
import { createGateway, type Gateway } from '../src/create-gateway';
import { composeSupergraph, federationLink, scratchDir, startGateway, startStub, testConfig, testToken, eventually, type ScratchDir, type Stub } from './stubs';

// Two stub subgraphs: "registry" owns institutions; "hosted-programmes" owns programmes and adds a count to
// each institution. Their resolvers read this data, so every expected value below is computed by them.
const institutions = [
  { id: 'gustave-roussy', name: 'Gustave Roussy', city: 'Villejuif' },
  { id: 'paul-strauss-center', name: 'Paul Strauss Center', city: 'Strasbourg' },
];
const programmes = [
  { id: 'surgeons-100-by-2030', title: '100 surgeons by 2030', hostId: 'paul-strauss-center' },
  { id: 'oncology-specialists-france', title: 'Oncology specialists in France', hostId: 'gustave-roussy' },
  { id: 'oncology-fellows', title: 'Oncology fellows', hostId: 'gustave-roussy' },
];

const registrySdl = `${federationLink}
type Query {
  institution(id: ID!): Institution
  institutions: [Institution!]!
}
type Institution @key(fields: "id") {
  id: ID!
  name: String!
  city: String
}
`;
const programmesSdl = `${federationLink}
type Query {
  programme(id: ID!): Programme
  closedRegistry: String
}
type Programme @key(fields: "id") {
  id: ID!
  title: String!
  host: Institution
}
type Institution @key(fields: "id") {
  id: ID!
  programmeCount: Int
}
`;

let programmeDelayMs = 0;
let registryHealth = 200;
let registryHealthProbes = 0;
const startRegistry = () =>
  startStub(
    'registry',
    registrySdl,
    {
      Query: {
        institution: (_: unknown, { id }: { id: string }) => institutions.find((i) => i.id === id) ?? null,
        institutions: () => institutions,
      },
      Institution: { __resolveReference: ({ id }: { id: string }) => institutions.find((i) => i.id === id) ?? null },
    },
    {
      health: () => {
        registryHealthProbes += 1;
        return registryHealth;
      },
    },
  );
const startProgrammes = () =>
  startStub('hosted-programmes', programmesSdl, {
    Query: {
      programme: async (_: unknown, { id }: { id: string }) => {
        // unref: a delay still pending when the tests end must not hold the process open.
        if (programmeDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, programmeDelayMs).unref());
        return programmes.find((p) => p.id === id) ?? null;
      },
      closedRegistry: () => {
        throw new GraphQLError('The programme registry is closed for maintenance', { extensions: { code: 'FORBIDDEN' } });
      },
    },
    Programme: { host: (programme: { hostId: string }) => ({ __typename: 'Institution', id: programme.hostId }) },
    Institution: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      programmeCount: ({ id }: { id: string }) => programmes.filter((p) => p.hostId === id).length,
    },
  });

async function post(base: string, body: unknown, headers: Record<string, string> = {}) {
  const started = Date.now();
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), elapsedMs: Date.now() - started };
}

describe('the gateway over two stub subgraphs', () => {
  let registry: Stub;
  let hosted: Stub;
  let files: ScratchDir;
  let gateway: Gateway & { base: string };

  beforeAll(async () => {
    registry = await startRegistry();
    hosted = await startProgrammes();
    files = scratchDir('gateway-test');
    const supergraphPath = files.file(
      'supergraph.graphql',
      composeSupergraph([
        { name: 'registry', url: registry.url, sdl: registrySdl },
        { name: 'hosted-programmes', url: hosted.url, sdl: programmesSdl },
      ]),
    );
    gateway = await startGateway(testConfig({ supergraphPath }));
  });
  afterAll(async () => {
    await gateway?.stop();
    await registry?.stop();
    await hosted?.stop();
    files?.remove();
  });
  afterEach(() => {
    programmeDelayMs = 0;
    registryHealth = 200;
  });

  test('a query across both subgraphs is answered in one response', async () => {
    const { status, body } = await post(gateway.base, {
      query: '{ programme(id: "surgeons-100-by-2030") { title host { id name city programmeCount } } institutions { id programmeCount } }',
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        programme: { title: '100 surgeons by 2030', host: { id: 'paul-strauss-center', name: 'Paul Strauss Center', city: 'Strasbourg', programmeCount: 1 } },
        institutions: [
          { id: 'gustave-roussy', programmeCount: 2 },
          { id: 'paul-strauss-center', programmeCount: 1 },
        ],
      },
    });
  });

  test('GET /graphql with a query works too', async () => {
    const response = await fetch(`${gateway.base}/graphql?query=${encodeURIComponent('{ institution(id: "gustave-roussy") { name } }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { institution: { name: 'Gustave Roussy' } } });
  });

  test('connections to a subgraph are kept alive between requests', async () => {
    await post(gateway.base, { query: '{ programme(id: "oncology-fellows") { title } }' });
    const connectionsBefore = hosted.connections;
    const requestsBefore = hosted.requests;
    for (let i = 0; i < 5; i += 1) {
      const { body } = await post(gateway.base, { query: '{ programme(id: "oncology-fellows") { title } }' });
      expect(body).toEqual({ data: { programme: { title: 'Oncology fellows' } } });
    }
    expect(hosted.requests - requestsBefore).toBe(5);
    expect(hosted.connections - connectionsBefore).toBeLessThanOrEqual(1);
  });

  test('a syntactically bad query gets 400 and the parser message', async () => {
    const { status, body } = await post(gateway.base, { query: '{ institution(id: "gustave-roussy" { name } }' });
    expect(status).toBe(400);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors[0].message).toMatch(/^Syntax Error: Expected .+, found/);
  });

  test('a body that is not JSON gets 400 and says so', async () => {
    const { status, body } = await post(gateway.base, '{"query": ');
    expect(status).toBe(400);
    expect(body.errors[0].message).toMatch(/^The request body is not valid JSON/);
  });

  test('a subgraph that does not answer in time is reported as an error for it, within the timeout', async () => {
    const supergraphPath = files.file(
      'supergraph-timeout.graphql',
      composeSupergraph([
        { name: 'registry', url: registry.url, sdl: registrySdl },
        { name: 'hosted-programmes', url: hosted.url, sdl: programmesSdl },
      ]),
    );
    const impatient = await startGateway(testConfig({ supergraphPath, subgraphTimeoutMs: 300 }));
    try {
      programmeDelayMs = 3000;
      const { status, body, elapsedMs } = await post(impatient.base, { query: '{ programme(id: "surgeons-100-by-2030") { title } institutions { name } }' });
      expect(status).toBe(200);
      expect(elapsedMs).toBeLessThan(2000);
      expect(body.data).toEqual({ programme: null, institutions: [{ name: 'Gustave Roussy' }, { name: 'Paul Strauss Center' }] });
      expect(body.errors).toEqual([
        {
          message: "HTTP fetch failed from 'hosted-programmes': no answer within 300 ms",
          extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'hosted-programmes', reason: 'no answer within 300 ms' },
        },
      ]);
    } finally {
      await impatient.stop();
    }
  });

  test('readiness: 200 while both subgraphs answer, 503 when one does not; the detail only for an admin', async () => {
    const admin = { authorization: `Bearer ${await testToken({ subject: 'root', partner: 'FR', roles: ['admin'] })}` };
    const viewer = { authorization: `Bearer ${await testToken({ subject: 'vera', partner: 'UZ', roles: ['viewer'] })}` };
    const ready = await fetch(`${gateway.base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect(await (await fetch(`${gateway.base}/health/ready`, { headers: viewer })).json()).toEqual({ status: 'ready' });
    const detailed = (await (await fetch(`${gateway.base}/health/ready`, { headers: admin })).json()) as { supergraph: { id: string } };
    expect(detailed).toEqual({
      status: 'ready',
      service: 'gateway',
      supergraph: { id: expect.stringMatching(/^[0-9a-f]{64}$/) },
      rollout: null,
      subgraphs: [
        { name: 'hosted-programmes', status: 'ready', checkedWith: 'typename query', breaker: 'closed' },
        { name: 'registry', status: 'ready', checkedWith: 'health endpoint', breaker: 'closed' },
      ],
    });

    registryHealth = 503;
    const registryNotReady = await fetch(`${gateway.base}/health/ready`, { headers: admin });
    expect(registryNotReady.status).toBe(503);
    expect(((await registryNotReady.json()) as { subgraphs: Array<{ name: string }> }).subgraphs.find((s) => s.name === 'registry')).toEqual({
      name: 'registry',
      status: 'unavailable',
      checkedWith: 'health endpoint',
      reason: 'not ready (HTTP 503)',
      breaker: 'closed',
    });
    registryHealth = 200;

    await hosted.stop();
    try {
      const down = await fetch(`${gateway.base}/health/ready`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'unavailable' });
      const downDetail = await (await fetch(`${gateway.base}/health/ready`, { headers: admin })).text();
      expect(JSON.parse(downDetail).subgraphs).toEqual([
        { name: 'hosted-programmes', status: 'unavailable', checkedWith: 'health endpoint', reason: 'connection refused', breaker: 'closed' },
        { name: 'registry', status: 'ready', checkedWith: 'health endpoint', breaker: 'closed' },
      ]);
      // No URL, host, port or file path, even for an admin.
      expect(downDetail).not.toMatch(/127\.0\.0\.1|http:|\/tmp|\.graphql|ECONNREFUSED/);
      const live = await fetch(`${gateway.base}/health/live`);
      expect(live.status).toBe(200);
    } finally {
      await hosted.restart();
    }
    await eventually(async () => expect((await fetch(`${gateway.base}/health/ready`)).status).toBe(200));
  });

  test('readiness asked 50 times at once shares rounds of probes: far fewer than 50 reach a subgraph', async () => {
    const before = registryHealthProbes;
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${gateway.base}/health/ready`)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // Without sharing every request probes: 50. Shared, the count depends on how the requests arrive (6–12 seen).
    expect(registryHealthProbes - before).toBeLessThanOrEqual(25);
  });

  test("a subgraph that is down: the other subgraph's data and an error naming the service, HTTP 200", async () => {
    await hosted.stop();
    try {
      const { status, body } = await post(gateway.base, { query: '{ institution(id: "gustave-roussy") { name city programmeCount } }' });
      expect(status).toBe(200);
      expect(body.data).toEqual({ institution: { name: 'Gustave Roussy', city: 'Villejuif', programmeCount: null } });
      expect(body.errors).toHaveLength(1);
      expect(body.errors).toEqual([
        {
          message: "HTTP fetch failed from 'hosted-programmes': connection refused",
          extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'hosted-programmes', reason: 'connection refused' },
        },
      ]);
    } finally {
      await hosted.restart();
    }
    const { body } = await post(gateway.base, { query: '{ institution(id: "gustave-roussy") { programmeCount } }' });
    expect(body).toEqual({ data: { institution: { programmeCount: 2 } } });
  });

  test('errors from a subgraph and validation errors come back as plain @apollo/gateway reports them', async () => {
    const { status, body } = await post(gateway.base, { query: '{ closedRegistry institutions { id } }' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ closedRegistry: null, institutions: [{ id: 'gustave-roussy' }, { id: 'paul-strauss-center' }] });
    expect(body.errors).toEqual([
      {
        message: 'The programme registry is closed for maintenance',
        path: ['closedRegistry'],
        extensions: { code: 'FORBIDDEN', serviceName: 'hosted-programmes' },
      },
    ]);
    const invalid = await post(gateway.base, { query: '{ institution { name } }' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0]).toMatchObject({
      message: 'Field "institution" argument "id" of type "ID!" is required, but it was not provided.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});

describe('createGateway', () => {
  test('refuses to start without a usable supergraph, naming the file', async () => {
    await expect(createGateway(testConfig({ supergraphPath: '/nonexistent/supergraph.graphql' }))).rejects.toThrow(
      'cannot read the supergraph at /nonexistent/supergraph.graphql (SUPERGRAPH_PATH)',
    );
    const files = scratchDir('gateway-bad');
    try {
      const path = files.file('supergraph.graphql', 'type Query { hello: String }\n');
      await expect(createGateway(testConfig({ supergraphPath: path }))).rejects.toThrow(`the supergraph at ${path} cannot be served`);
    } finally {
      files.remove();
    }
  });

  test('does not listen until listen(), and stops cleanly either way', async () => {
    const registry = await startRegistry();
    const files = scratchDir('gateway-listen');
    try {
      const supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'registry', url: registry.url, sdl: registrySdl }]));
      const idle = await createGateway(testConfig({ supergraphPath }));
      expect(idle.url).toBe('');
      await idle.stop();
      const running = await createGateway(testConfig({ supergraphPath }));
      const url = await running.listen(0, '127.0.0.1');
      expect(running.url).toBe(url);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
      await running.stop();
      await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
    } finally {
      await registry.stop();
      files.remove();
    }
  });
});
