import { writeFileSync } from 'node:fs';
import {
  composeSupergraph,
  capturingLogger,
  eventually,
  federationLink,
  scratchDir,
  startGateway,
  startStub,
  testConfig,
  type ScratchDir,
  type Stub,
} from './stubs';

// One stub that already serves `city`; the first supergraph does not expose it, the second one does.
const institutions = [
  { id: 'gustave-roussy', name: 'Gustave Roussy', city: 'Villejuif' },
  { id: 'paul-strauss-center', name: 'Paul Strauss Center', city: 'Strasbourg' },
];
const withoutCity = `${federationLink}
type Query {
  institution(id: ID!): Institution
  slowInstitution(id: ID!, delayMs: Int!): Institution
}
type Institution @key(fields: "id") {
  id: ID!
  name: String!
}
`;
const withCity = withoutCity.replace('  name: String!\n', '  name: String!\n  city: String\n');

async function post(base: string, query: string) {
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> } };
}

describe('replacing the supergraph file under a running gateway', () => {
  let stub: Stub;
  let files: ScratchDir;
  let path: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    stub = await startStub('registry', withCity, {
      Query: {
        institution: (_: unknown, { id }: { id: string }) => institutions.find((i) => i.id === id) ?? null,
        slowInstitution: async (_: unknown, { id, delayMs }: { id: string; delayMs: number }) => {
          await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
          return institutions.find((i) => i.id === id) ?? null;
        },
      },
    });
    first = composeSupergraph([{ name: 'registry', url: stub.url, sdl: withoutCity }]);
    second = composeSupergraph([{ name: 'registry', url: stub.url, sdl: withCity }]);
    files = scratchDir('gateway-reload');
    path = files.file('supergraph.graphql', first);
  });
  afterAll(async () => {
    await stub?.stop();
    files?.remove();
  });

  test('a valid new file is served without restart and without failing requests in flight; an invalid one is refused', async () => {
    const { logger, lines } = capturingLogger();
    const gateway = await startGateway(testConfig({ supergraphPath: path, supergraphPollIntervalMs: 50 }), logger);
    try {
      const cityQuery = '{ institution(id: "paul-strauss-center") { name city } }';
      const before = await post(gateway.base, cityQuery);
      expect(before.status).toBe(400);
      expect(before.body.errors?.[0].message).toBe('Cannot query field "city" on type "Institution".');

      // Requests that start before the swap and finish after it, plus a steady stream during it.
      const inFlight = post(gateway.base, '{ slowInstitution(id: "gustave-roussy", delayMs: 800) { name } }').then((result) => ({ result, at: Date.now() }));
      const stream: Array<Promise<Awaited<ReturnType<typeof post>>>> = [];
      const streaming = setInterval(() => stream.push(post(gateway.base, '{ institution(id: "gustave-roussy") { name } }')), 20);
      await new Promise((resolve) => setTimeout(resolve, 100));
      writeFileSync(path, second);

      const after = await eventually(async () => {
        const result = await post(gateway.base, cityQuery);
        expect(result.status).toBe(200);
        return result;
      });
      clearInterval(streaming);
      expect(after.body).toEqual({ data: { institution: { name: 'Paul Strauss Center', city: 'Strasbourg' } } });
      const slow = await inFlight;
      expect(slow.result).toEqual({ status: 200, body: { data: { slowInstitution: { name: 'Gustave Roussy' } } } });
      const streamed = await Promise.all(stream);
      expect(streamed.length).toBeGreaterThan(3);
      for (const result of streamed) expect(result).toEqual({ status: 200, body: { data: { institution: { name: 'Gustave Roussy' } } } });
      const replaced = lines.find((line) => line.msg === 'supergraph replaced');
      expect(replaced).toMatchObject({ service: 'gateway', path });
      // The slow request really was in flight across the swap.
      expect(slow.at).toBeGreaterThan(replaced!.time as number);

      // Not GraphQL at all, then GraphQL that is no supergraph: both refused, the running one keeps serving.
      writeFileSync(path, 'this is not a supergraph {');
      await eventually(async () => expect(lines.filter((line) => line.msg === 'new supergraph refused; the running supergraph keeps serving')).toHaveLength(1));
      writeFileSync(path, 'type Query { hello: String }\n');
      await eventually(async () => expect(lines.filter((line) => line.msg === 'new supergraph refused; the running supergraph keeps serving')).toHaveLength(2));
      const refused = lines.filter((line) => line.msg === 'new supergraph refused; the running supergraph keeps serving');
      expect(refused[0]).toMatchObject({ service: 'gateway', level: 50, path });
      expect(String(refused[0].reason)).toMatch(/Syntax Error/);
      expect(await post(gateway.base, cityQuery)).toEqual(after);

      // Watching goes on after a refusal: the first supergraph comes back.
      writeFileSync(path, first);
      await eventually(async () => expect((await post(gateway.base, cityQuery)).status).toBe(400));
      for (const line of lines) expect(line.service).toBe('gateway');
    } finally {
      await gateway.stop();
    }
  });
});
