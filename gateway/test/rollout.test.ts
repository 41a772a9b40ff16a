import { writeFileSync } from 'node:fs';
import { subgraphSdlFingerprint } from '../src/rollout';
import {
  capturingLogger,
  composeSupergraph,
  eventually,
  federationLink,
  scratchDir,
  sleep,
  startGateway,
  startStub,
  testConfig,
  testToken,
  type ScratchDir,
  type Stub,
} from './stubs';

// Safe rollout: a supergraph that records the fingerprint of each subgraph SDL it was composed from (as
// `npm run compose` does) is switched to only once every subgraph serves that SDL.
const institutions = [{ id: 'paul-strauss-center', name: 'Paul Strauss Center', city: 'Strasbourg' }];
const withoutCity = `${federationLink}
type Query {
  institution(id: ID!): Institution
}
type Institution @key(fields: "id") {
  id: ID!
  name: String!
}
`;
const withCity = withoutCity.replace('  name: String!\n', '  name: String!\n  city: String\n');
const agreementsSdl = `${federationLink}
type Query {
  agreementCount: Int!
}
`;
const resolvers = { Query: { institution: (_: unknown, { id }: { id: string }) => institutions.find((i) => i.id === id) ?? null } };

interface Detail {
  supergraph: { id: string };
  rollout: null | { waiting: string; lagging: Array<{ name: string; reason: string; expected: string; serving?: string }> };
}

describe('safe rollout of a new supergraph', () => {
  let registry: Stub;
  let agreements: Stub;
  let files: ScratchDir;

  const supergraph = (registrySdl: string, options: { fingerprints: boolean } = { fingerprints: true }) => {
    const subgraphs = [
      { name: 'registry', url: registry.url, sdl: registrySdl },
      { name: 'agreements', url: agreements.url, sdl: agreementsSdl },
    ];
    const header = options.fingerprints ? subgraphs.map((s) => `# subgraph-sdl: ${s.name} ${subgraphSdlFingerprint(s.sdl)}\n`).join('') : '';
    return `${header}${composeSupergraph(subgraphs)}`;
  };
  // Stops the registry stub and starts it again, on the same port, serving another schema (a deployment).
  const deployRegistry = async (sdl: string) => {
    const port = registry.port;
    await registry.stop();
    registry = await startStub('registry', sdl, resolvers, { port });
  };

  beforeAll(async () => {
    registry = await startStub('registry', withoutCity, resolvers);
    agreements = await startStub('agreements', agreementsSdl, { Query: { agreementCount: () => 3 } });
    files = scratchDir('gateway-rollout');
  });
  afterAll(async () => {
    await registry?.stop();
    await agreements?.stop();
    files?.remove();
  });

  test('waits while a subgraph serves the old schema (reporting it), switches once it serves the new one; the same for a rollback', async () => {
    const path = files.file('supergraph.graphql', supergraph(withoutCity));
    const { logger, lines } = capturingLogger();
    const gateway = await startGateway(testConfig({ supergraphPath: path, supergraphPollIntervalMs: 50, supergraphRolloutRetryMs: 100 }), logger);
    const admin = { authorization: `Bearer ${await testToken({ subject: 'root', partner: 'FR', roles: ['admin'] })}` };
    const detail = async () => (await (await fetch(`${gateway.base}/health/ready`, { headers: admin })).json()) as Detail;
    const post = async (query: string) => {
      const response = await fetch(`${gateway.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string }> } };
    };
    const cityQuery = '{ institution(id: "paul-strauss-center") { name city } }';
    const nameQuery = '{ institution(id: "paul-strauss-center") { name } agreementCount }';
    try {
      const first = (await detail()).supergraph.id;
      expect((await detail()).rollout).toBeNull();

      // The new supergraph adds `city` in registry, which still runs the old code: the gateway keeps the old one.
      writeFileSync(path, supergraph(withCity));
      const waiting = await eventually(async () => {
        const current = await detail();
        expect(current.rollout).not.toBeNull();
        return current;
      });
      expect(waiting.supergraph.id).toBe(first);
      expect(waiting.rollout?.lagging).toEqual([
        { name: 'registry', reason: 'serves another schema', expected: subgraphSdlFingerprint(withCity), serving: subgraphSdlFingerprint(withoutCity) },
      ]);
      expect(lines.some((l) => l.level === 40 && String(l.msg).startsWith('new supergraph waits: registry does not serve'))).toBe(true);
      const metrics = await (await fetch(`${gateway.base}/metrics`, { headers: admin })).text();
      expect(metrics).toContain('gateway_supergraph_rollout_waiting 1\n');
      expect(metrics).toContain('gateway_supergraph_rollout_lagging_subgraph{subgraph="registry"} 1\n');
      expect((await fetch(`${gateway.base}/metrics`)).status).toBe(401);
      // Retried every 100 ms, still waiting; queries keep working on the old supergraph.
      await sleep(400);
      expect((await detail()).supergraph.id).toBe(first);
      // Several retries later the same lag was said once, not at every retry.
      expect(lines.filter((l) => l.level === 40 && String(l.msg).startsWith('new supergraph waits: registry does not serve'))).toHaveLength(1);
      expect(await post(nameQuery)).toEqual({ status: 200, body: { data: { institution: { name: 'Paul Strauss Center' }, agreementCount: 3 } } });
      expect((await post(cityQuery)).body.errors?.[0].message).toBe('Cannot query field "city" on type "Institution".');

      // registry is deployed with the new schema: the gateway switches.
      await deployRegistry(withCity);
      await eventually(async () =>
        expect(await post(cityQuery)).toEqual({ status: 200, body: { data: { institution: { name: 'Paul Strauss Center', city: 'Strasbourg' } } } }),
      );
      const switched = await detail();
      expect(switched.rollout).toBeNull();
      expect(switched.supergraph.id).not.toBe(first);
      expect(await (await fetch(`${gateway.base}/metrics`, { headers: admin })).text()).toContain('gateway_supergraph_rollout_waiting 0\n');

      // Rollback: the old supergraph comes back first; it waits until registry runs the old code again.
      writeFileSync(path, supergraph(withoutCity));
      await eventually(async () => expect((await detail()).rollout?.lagging.map((s) => s.name)).toEqual(['registry']));
      expect((await post(cityQuery)).status).toBe(200);
      await deployRegistry(withoutCity);
      await eventually(async () => expect((await post(cityQuery)).body.errors?.[0].message).toBe('Cannot query field "city" on type "Institution".'));
      expect(await detail()).toMatchObject({ supergraph: { id: first }, rollout: null });

      // A supergraph that records no fingerprints (any other composition) is switched to at once, as before.
      writeFileSync(path, supergraph(withCity, { fingerprints: false }));
      await eventually(async () => expect((await post(cityQuery)).status).toBe(200));
    } finally {
      await gateway.stop();
    }
  });

  test('a subgraph that does not answer holds the new supergraph back, with the reason', async () => {
    const path = files.file('unreachable.graphql', supergraph(withoutCity));
    const gateway = await startGateway(testConfig({ supergraphPath: path, supergraphPollIntervalMs: 50, supergraphRolloutRetryMs: 100 }));
    const admin = { authorization: `Bearer ${await testToken({ subject: 'root', partner: 'FR', roles: ['admin'] })}` };
    try {
      await agreements.stop();
      writeFileSync(path, supergraph(withCity));
      const detail = await eventually(async () => {
        const current = (await (await fetch(`${gateway.base}/health/ready`, { headers: admin })).json()) as Detail;
        expect(current.rollout?.lagging.map((s) => s.name).sort()).toEqual(['agreements', 'registry']);
        return current;
      });
      expect(detail.rollout?.lagging.find((s) => s.name === 'agreements')?.reason).toMatch(/^cannot read its schema: /);
    } finally {
      await gateway.stop();
      await agreements.restart();
    }
  });
});
