import { DEFAULT_SYNTHETIC_COUNTS, syntheticId, syntheticPlan } from '@partnership/domain';
import type { SubgraphServer } from '@partnership/subgraph-kit';
import { createScratchSqlite, postGraphQL } from '@partnership/subgraph-kit/testing';
import { agreementsSubgraph, createAgreementsServer } from '../src/server';

// The gateway resolves Agreement and Institution references in batches; each batch must cost the same few
// statements however many entities it holds (no N+1), including parties, areas, milestones and events.
describe('SQL statements per _entities batch', () => {
  const scratch = createScratchSqlite('agreements-statements');
  let server: SubgraphServer;
  let url: string;

  beforeAll(async () => {
    server = await createAgreementsServer({ port: 0, databaseUrl: scratch.url });
    await agreementsSubgraph.loadSyntheticData(server.database, syntheticPlan({ ...DEFAULT_SYNTHETIC_COUNTS, institutions: 120, agreements: 110 }));
    url = await server.listen(0);
  });
  afterAll(async () => {
    await server.stop();
    scratch.remove();
  });

  async function statementsFor(
    representations: Array<{ __typename: string; id: string }>,
    selection: string,
  ): Promise<{ statements: number; entities: any[] }> {
    const before = server.database.statements.count;
    const { body } = await postGraphQL<any>(url, `query ($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`, { r: representations });
    const statements = server.database.statements.count - before;
    expect(body.errors).toBeUndefined();
    expect(body.data._entities).toHaveLength(representations.length);
    expect(body.data._entities.every((e: unknown) => e !== null)).toBe(true);
    return { statements, entities: body.data._entities };
  }

  const AGREEMENT_SELECTION = `... on Agreement { id areas event { id participants { role } } relatedEvents { id delegateCountries }
    parties { institution { id } role representative { id } } milestones { id due { latest } } }`;
  // One reference agreement that has an event and a related event, so both event lookups happen in the single case too.
  const reference = { __typename: 'Agreement', id: 'mfa-healthcare-cooperation' };
  const synthetic = (n: number) => Array.from({ length: n }, (_v, i) => ({ __typename: 'Agreement', id: syntheticId('agreement', i) }));

  test('1 and 100 agreements cost the same number of statements', async () => {
    const one = await statementsFor([reference], AGREEMENT_SELECTION);
    const hundred = await statementsFor([reference, ...synthetic(99)], AGREEMENT_SELECTION);
    expect(one.statements).toBeGreaterThan(0);
    expect(hundred.statements).toBe(one.statements);
    expect(hundred.entities[99]).toMatchObject({ id: syntheticId('agreement', 98), parties: [{}, {}], milestones: [{ due: { latest: expect.any(String) } }] });
  });

  test('1 and 100 institutions with their agreements cost the same number of statements', async () => {
    const institutions = (n: number) => Array.from({ length: n }, (_v, i) => ({ __typename: 'Institution', id: syntheticId('institution', i) }));
    const selection = '... on Institution { id agreements { id areas parties { institution { id } } milestones { id } } }';
    const one = await statementsFor(institutions(1), selection);
    const hundred = await statementsFor(institutions(100), selection);
    expect(one.statements).toBeGreaterThan(0);
    expect(hundred.statements).toBe(one.statements);
    // Institution i is a party to synthetic agreements i - 1 and i.
    expect(hundred.entities[5].agreements.map((a: { id: string }) => a.id)).toEqual([syntheticId('agreement', 4), syntheticId('agreement', 5)]);
  });
});
