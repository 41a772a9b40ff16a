import type { Caller } from '@partnership/subgraph-kit';
import type { SubgraphServer } from '@partnership/subgraph-kit';
import { createScratchSqlite, postGraphQL } from '@partnership/subgraph-kit/testing';
import { Placement, Trainee } from '../src/entities';
import { createTrainingServer } from '../src/server';

const as = (roles: Caller['roles']): Caller => ({ subject: `test-${roles.join('-')}`, partner: 'FR', roles });

// Trainee names are personal data: viewers, editors and admins read them; analysts see placements but not names;
// anonymous callers see neither. A refused field is null with an error at its own path; the rest still answers.
describe('who may read placements and trainees', () => {
  const scratch = createScratchSqlite('training-authorization');
  let server: SubgraphServer;
  let url: string;
  const query = `{ trainingProgram(id: "surgeons-100-by-2030") { title progress { enrolled }
    cohorts { plannedSize placements { status trainee { fullName } } } } }`;

  beforeAll(async () => {
    server = await createTrainingServer({ port: 0, databaseUrl: scratch.url });
    await server.database.dataSource
      .getRepository(Trainee)
      .insert({ id: 'test-trainee', fullName: 'Test Trainee', homeInstitutionId: 'vakhidov-surgery-center', synthetic: true });
    await server.database.dataSource
      .getRepository(Placement)
      .insert({ id: 'test-placement', cohortId: 'surgeons-2026-03-paul-strauss', traineeId: 'test-trainee', status: 'ENROLLED', synthetic: true });
    url = await server.listen(0);
  });
  afterAll(async () => {
    await server.stop();
    scratch.remove();
  });

  test.each([[['viewer']], [['editor']], [['admin']]] as Array<[Caller['roles']]>)('%j reads trainee names', async (roles) => {
    const { body } = await postGraphQL<any>(url, query, undefined, { caller: as(roles) });
    expect(body.errors).toBeUndefined();
    expect(body.data.trainingProgram.cohorts[0].placements).toEqual([{ status: 'ENROLLED', trainee: { fullName: 'Test Trainee' } }]);
  });

  test('an analyst sees the placement and the figures, not the name', async () => {
    const { body } = await postGraphQL<any>(url, query, undefined, { caller: as(['analyst']) });
    expect(body.data.trainingProgram).toEqual({
      title: expect.any(String),
      progress: { enrolled: 1 },
      cohorts: [{ plannedSize: 5, placements: [{ status: 'ENROLLED', trainee: null }] }],
    });
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['trainingProgram', 'cohorts', 0, 'placements', 0, 'trainee'],
        extensions: { code: 'FORBIDDEN' },
        message: expect.stringMatching(/viewer, editor/),
      }),
    ]);
  });

  test('an anonymous caller sees the public figures, not the placements', async () => {
    const { body } = await postGraphQL<any>(url, query);
    expect(body.data.trainingProgram).toEqual({ title: expect.any(String), progress: { enrolled: 1 }, cohorts: [{ plannedSize: 5, placements: null }] });
    expect(body.errors).toEqual([expect.objectContaining({ path: ['trainingProgram', 'cohorts', 0, 'placements'], extensions: { code: 'UNAUTHENTICATED' } })]);
  });

  test('Institution.placements follows the same rule through _entities', async () => {
    const entities = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Institution { placements { trainee { fullName } } } } }';
    const r = { r: [{ __typename: 'Institution', id: 'paul-strauss-center' }] };
    const anonymous = await postGraphQL<any>(url, entities, r);
    expect(anonymous.body.data._entities).toEqual([{ placements: null }]);
    expect(anonymous.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const viewer = await postGraphQL<any>(url, entities, r, { caller: as(['viewer']) });
    expect(viewer.body.data._entities).toEqual([{ placements: [{ trainee: { fullName: 'Test Trainee' } }] }]);
  });
});
