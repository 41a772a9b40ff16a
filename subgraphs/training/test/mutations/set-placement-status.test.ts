import type { Caller } from '@partnership/subgraph-kit';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import { callers, expectRefused, mutationFixture, refusals, SET_STATUS } from './fixture';

for (const target of scratchTargets) {
  target.describe('training mutations', () => {
    const fixture$ = mutationFixture(target);
    const { expectNoRowsWritten, createProgramme, scheduleCohort, enrol, auditOf } = fixture$;
    let gql: ReturnType<typeof mutationFixture>['gql'];
    beforeAll(() => {
      gql = fixture$.gql;
    });

    describe('setPlacementStatus', () => {
      let placement: { id: string };
      let programmeId: string;
      const progress = async () =>
        (await gql(`{ trainingProgram(id: "${programmeId}") { progress { target planned enrolled completed remaining } } }`, undefined, null)).body.data
          .trainingProgram.progress;

      beforeAll(async () => {
        const programme = await createProgramme(callers.frEditor, { targetTrainees: 10, hostInstitutionIds: ['paul-strauss-center'] });
        programmeId = programme.id;
        const cohort = await scheduleCohort(callers.frEditor, { programId: programmeId, hostInstitutionId: 'paul-strauss-center', plannedSize: 4 });
        placement = await enrol(callers.uzEditor, { cohortId: cohort.id, fullName: 'Completing Trainee', homeInstitutionId: 'national-medical-center' });
      });

      test("only the trainee's home partner may change it", async () => {
        for (const [caller, code] of [
          [null, 'UNAUTHENTICATED'],
          [callers.uzViewer, 'FORBIDDEN'],
          [callers.frEditor, 'FORBIDDEN'],
          [callers.mcEditor, 'FORBIDDEN'],
        ] as Array<[Caller | null, string]>) {
          await expectNoRowsWritten(async () => {
            const { body } = await gql(SET_STATUS, { input: { id: placement.id, version: 1, status: 'COMPLETED' } }, caller);
            expectRefused(body, code);
          });
        }
      });

      test.each(
        refusals([
          [{ status: 'ENROLLED' }, 'input.status', /COMPLETED or WITHDRAWN/],
          [{ id: 'no-such-placement' }, 'input.id', /no placement "no-such-placement"/],
          [{ id: 'bad id' }, 'input.id', /letters, digits/],
          [{ version: 0 }, 'input.version', /whole number from 1/],
        ]),
      )('$label is refused with BAD_USER_INPUT on $field, nothing written', async ({ overrides, field, message }) => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(SET_STATUS, { input: { id: placement.id, version: 1, status: 'COMPLETED', ...overrides } }, callers.uzEditor);
          expectRefused(body, 'BAD_USER_INPUT', field, message);
        });
      });

      test('completing bumps the version and the progress at once; a stale version conflicts; a final status stays final', async () => {
        expect(await progress()).toEqual({ target: 10, planned: 4, enrolled: 1, completed: 0, remaining: 10 });
        const { body } = await gql(SET_STATUS, { input: { id: placement.id, version: 1, status: 'COMPLETED' } }, callers.uzEditor);
        expect(body.errors).toBeUndefined();
        expect(body.data.setPlacementStatus.placement).toEqual({ id: placement.id, status: 'COMPLETED', version: 2 });
        expect(await progress()).toEqual({ target: 10, planned: 4, enrolled: 1, completed: 1, remaining: 9 });

        await expectNoRowsWritten(async () => {
          const stale = await gql(SET_STATUS, { input: { id: placement.id, version: 1, status: 'WITHDRAWN' } }, callers.uzEditor);
          expectRefused(stale.body, 'CONFLICT', undefined, /version 2, you sent 1/);
          const final = await gql(SET_STATUS, { input: { id: placement.id, version: 2, status: 'WITHDRAWN' } }, callers.uzEditor);
          expectRefused(final.body, 'BAD_USER_INPUT', 'input.status', /is COMPLETED, a final status/);
        });

        const entries = (await auditOf(placement.id)).filter((e) => e.mutation === 'setPlacementStatus');
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({ subject: 'uz-editor', partner: 'UZ', recordType: 'Placement' });
        expect(JSON.parse(entries[0].before)).toMatchObject({ status: 'ENROLLED', version: 1 });
        expect(JSON.parse(entries[0].after)).toMatchObject({ status: 'COMPLETED', version: 2 });
        const read = await gql(`{ trainingProgram(id: "${programmeId}") { cohorts { placements { id status version } } } }`, undefined, callers.uzAnalyst);
        expect(read.body.data.trainingProgram.cohorts[0].placements).toEqual([{ id: placement.id, status: 'COMPLETED', version: 2 }]);
      });
    });
  });
}
