import { DEFAULT_SYNTHETIC_COUNTS, syntheticId, syntheticPlan } from '@partnership/domain';
import type { SubgraphServer } from '@partnership/subgraph-kit';
import { createScratchSqlite, postGraphQL } from '@partnership/subgraph-kit/testing';
import { trainingSubgraph } from '../src/definition';
import { createTrainingServer } from '../src/server';

// The gateway resolves TrainingProgram references in batches; each batch must cost the same few statements
// however many programmes it holds (no N+1), including hosts, cohorts, placements, trainees and progress.
describe('SQL statements per _entities batch', () => {
  const scratch = createScratchSqlite('training-statements');
  let server: SubgraphServer;
  let url: string;

  beforeAll(async () => {
    server = await createTrainingServer({ port: 0, databaseUrl: scratch.url }, { now: () => new Date('2027-01-01T00:00:00Z') });
    const plan = syntheticPlan({ ...DEFAULT_SYNTHETIC_COUNTS, institutions: 10, agreements: 5, programmes: 120, cohortsPerProgramme: 2, traineesPerCohort: 3 });
    await trainingSubgraph.loadSyntheticData(server.database, plan);
    url = await server.listen(0);
  });
  afterAll(async () => {
    await server.stop();
    scratch.remove();
  });

  async function statementsFor(count: number): Promise<number> {
    const representations = Array.from({ length: count }, (_v, i) => ({ __typename: 'TrainingProgram', id: syntheticId('programme', i) }));
    const before = server.database.statements.count;
    const { body } = await postGraphQL<any>(
      url,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on TrainingProgram {
        id hostInstitutions { id } cohorts { placements { trainee { fullName } } } progress { planned enrolled completed onTrack } } } }`,
      { r: representations },
      { caller: { subject: 'test-viewer', partner: 'UZ', roles: ['viewer'] } },
    );
    const statements = server.database.statements.count - before;
    expect(body.errors).toBeUndefined();
    expect(body.data._entities).toHaveLength(count);
    for (const programme of body.data._entities) {
      expect(programme.hostInstitutions).toHaveLength(2);
      expect(programme.cohorts.map((c: { placements: unknown[] }) => c.placements.length)).toEqual([3, 3]);
      expect(programme.cohorts[0].placements[0].trainee.fullName).toMatch(/^Synthetic Trainee \d+$/);
      // Target 8 (2 cohorts × 4 places), start January 2026, target 2030: 8 × 365 / 1825 → 2 due by 2027-01-01.
      expect(programme.progress).toEqual({ planned: 8, enrolled: 6, completed: 0, onTrack: true });
    }
    return statements;
  }

  test('1 and 100 programmes cost the same number of statements', async () => {
    const one = await statementsFor(1);
    const hundred = await statementsFor(100);
    expect(one).toBeGreaterThan(0);
    expect(hundred).toBe(one);
  });
});
