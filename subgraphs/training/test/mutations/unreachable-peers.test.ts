import type { Caller } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { createTrainingServer } from '../../src/server';
import { callers, CREATE, ENROLL, expectRefused, type MutationFixture, mutationFixture, programmeInput, rowCounts, SCHEDULE, unreachableUrl } from './fixture';

for (const target of scratchTargets) {
  target.describe('training mutations', () => {
    const fixture$ = mutationFixture(target);
    let scratch: ReturnType<typeof mutationFixture>['scratch'];
    let fixture: ReturnType<typeof mutationFixture>['fixture'];
    beforeAll(() => {
      scratch = fixture$.scratch;
      fixture = fixture$.fixture;
    });

    describe('when the institutions and agreements subgraphs cannot be asked', () => {
      let offline: Awaited<ReturnType<typeof createTrainingServer>>;
      let offlineGql: MutationFixture['gql'];

      beforeAll(async () => {
        const nowhere = await unreachableUrl();
        offline = await createTrainingServer({ port: 0, databaseUrl: scratch.url, peers: { institutions: nowhere, agreements: nowhere, training: nowhere } });
        const url = await offline.listen(0);
        offlineGql = (query, variables, caller) => postGraphQL<any>(url, query, variables, { caller });
      });
      afterAll(async () => {
        await offline?.stop();
      });

      test.each([
        ['createTrainingProgram', CREATE, () => ({ input: programmeInput({ id: 'test-offline-programme' }) }), callers.uzEditor],
        [
          'scheduleCohort',
          SCHEDULE,
          () => ({ input: { programId: 'surgeons-100-by-2030', hostInstitutionId: 'paul-strauss-center', plannedSize: 1 } }),
          callers.frEditor,
        ],
        [
          'enrollTrainee',
          ENROLL,
          () => ({ input: { cohortId: 'surgeons-2026-03-paul-strauss', fullName: 'Offline Trainee', homeInstitutionId: 'vakhidov-surgery-center' } }),
          callers.uzEditor,
        ],
      ] as Array<[string, string, () => Record<string, unknown>, Caller]>)(
        '%s is refused with SERVICE_UNAVAILABLE and writes nothing',
        async (_name, mutation, variables, caller) => {
          const before = await rowCounts(fixture.server);
          const { body } = await offlineGql(mutation, variables(), caller);
          expectRefused(body, 'SERVICE_UNAVAILABLE', undefined, /could not check .* nothing was written/);
          expect(await rowCounts(fixture.server)).toEqual(before);
        },
      );
    });
  });
}
