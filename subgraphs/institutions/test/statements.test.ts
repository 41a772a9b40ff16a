import { DEFAULT_SYNTHETIC_COUNTS, syntheticId, syntheticPlan } from '@partnership/domain';
import type { SubgraphServer } from '@partnership/subgraph-kit';
import { createScratchSqlite, postGraphQL } from '@partnership/subgraph-kit/testing';
import { createInstitutionsServer } from '../src/server';
import { loadSyntheticData } from '../src/synthetic';

// The gateway resolves Institution references in batches; each batch must cost the same few statements
// however many institutions it holds (no N+1), including their specialties, people and parent body.
describe('SQL statements per _entities batch', () => {
  const scratch = createScratchSqlite('institutions-statements');
  let server: SubgraphServer;
  let url: string;

  beforeAll(async () => {
    server = await createInstitutionsServer({ port: 0, databaseUrl: scratch.url });
    await loadSyntheticData(server.database, syntheticPlan({ ...DEFAULT_SYNTHETIC_COUNTS, institutions: 150, peoplePerInstitution: 3 }));
    url = await server.listen(0);
  });
  afterAll(async () => {
    await server.stop();
    scratch.remove();
  });

  async function statementsFor(count: number): Promise<number> {
    const representations = Array.from({ length: count }, (_v, i) => ({ __typename: 'Institution', id: syntheticId('institution', i) }));
    const before = server.database.statements.count;
    const { body } = await postGraphQL<any>(
      url,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Institution { id name specialties partOf { id } units { id } people { fullName institution { id } } } } }',
      { r: representations },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data._entities).toHaveLength(count);
    expect(body.data._entities.every((e: { people: unknown[] } | null) => e !== null && e.people.length === 3)).toBe(true);
    return server.database.statements.count - before;
  }

  test('1 and 100 institutions cost the same number of statements', async () => {
    const one = await statementsFor(1);
    const hundred = await statementsFor(100);
    expect(one).toBeGreaterThan(0);
    expect(hundred).toBe(one);
  });
});
