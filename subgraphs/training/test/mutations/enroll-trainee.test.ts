import type { Caller } from '@partnership/subgraph-kit';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import { callers, ENROLL, expectRefused, mutationFixture, refusals, SET_STATUS } from './fixture';

for (const target of scratchTargets) {
  target.describe('training mutations', () => {
    const fixture$ = mutationFixture(target);
    const { expectNoRowsWritten, createProgramme, scheduleCohort, enrol, auditOf } = fixture$;
    let fixture: ReturnType<typeof mutationFixture>['fixture'];
    let gql: ReturnType<typeof mutationFixture>['gql'];
    beforeAll(() => {
      fixture = fixture$.fixture;
      gql = fixture$.gql;
    });

    describe('enrollTrainee', () => {
      let cohortId: string;
      let programmeId: string;
      beforeAll(async () => {
        const programme = await createProgramme(callers.frEditor, { hostInstitutionIds: ['paul-strauss-center'], targetTrainees: 4 });
        programmeId = programme.id;
        cohortId = (
          await scheduleCohort(callers.frEditor, { programId: programme.id, hostInstitutionId: 'paul-strauss-center', startsOn: '2026-10', plannedSize: 3 })
        ).id;
      });

      test("the home institution's partner enrols a trainee: placement, trainee, progress and audit at once", async () => {
        const progress = async () =>
          (await gql(`{ trainingProgram(id: "${programmeId}") { cohorts { id placements { id } } progress { enrolled } } }`, undefined, callers.uzViewer)).body
            .data.trainingProgram;
        const start = await progress();
        const before = await fixture.rowCounts();
        const placement = await enrol(callers.uzEditor, { cohortId, fullName: ' Dilshod Ташкентов ', homeInstitutionId: 'vakhidov-surgery-center' });
        expect(placement).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          status: 'ENROLLED',
          version: 1,
          synthetic: false,
          cohort: { id: cohortId },
          trainee: { fullName: 'Dilshod Ташкентов', homeInstitution: { id: 'vakhidov-surgery-center' } },
        });
        expect(await fixture.rowCounts()).toEqual({
          ...before,
          trainee: before.trainee + 1,
          placement: before.placement + 1,
          audit_entry: before.audit_entry + 2,
        });
        const after = await progress();
        expect(after.progress.enrolled).toBe(start.progress.enrolled + 1);
        expect(after.cohorts.find((c: any) => c.id === cohortId).placements).toContainEqual({ id: placement.id });

        const [entry] = await auditOf(placement.id);
        expect(entry).toMatchObject({ subject: 'uz-editor', partner: 'UZ', mutation: 'enrollTrainee', recordType: 'Placement', before: null });
        expect(JSON.parse(entry.after)).toMatchObject({ id: placement.id, cohortId, status: 'ENROLLED', version: 1 });
        const traineeId = JSON.parse(entry.after).traineeId;
        const [traineeEntry] = await auditOf(traineeId);
        expect(JSON.parse(traineeEntry.after)).toEqual({
          id: traineeId,
          fullName: 'Dilshod Ташкентов',
          homeInstitutionId: 'vakhidov-surgery-center',
          synthetic: false,
        });
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a viewer', callers.uzViewer, 'FORBIDDEN'],
        ['an analyst', callers.uzAnalyst, 'FORBIDDEN'],
        ["an editor of the host partner, not of the trainee's home", callers.frEditor, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s is refused and nothing is written', async (_who, caller, code) => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(ENROLL, { input: { cohortId, fullName: 'Refused Trainee', homeInstitutionId: 'national-medical-center' } }, caller);
          expectRefused(body, code);
        });
      });

      test.each(
        refusals([
          [{ fullName: '  ' }, 'input.fullName', /blank/],
          [{ fullName: 'x'.repeat(301) }, 'input.fullName', /at most 300/],
          [{ cohortId: 'no-such-cohort' }, 'input.cohortId', /no cohort "no-such-cohort"/],
          [{ cohortId: 'bad id' }, 'input.cohortId', /letters, digits/],
          [{ homeInstitutionId: 'no-such-institution' }, 'input.homeInstitutionId', /no institution "no-such-institution"/],
          [{ idempotencyKey: '' }, 'input.idempotencyKey', /1–100 characters/],
          [{ idempotencyKey: 'k'.repeat(101) }, 'input.idempotencyKey', /1–100 characters/],
        ]),
      )('$label is refused with BAD_USER_INPUT on $field, nothing written', async ({ overrides, field, message }) => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(
            ENROLL,
            { input: { cohortId, fullName: 'Valid Name', homeInstitutionId: 'national-medical-center', ...overrides } },
            callers.uzEditor,
          );
          expectRefused(body, 'BAD_USER_INPUT', field, message);
        });
      });

      test('a 300-character name is kept whole', async () => {
        const name = `N${'é'.repeat(299)}`;
        const placement = await enrol(callers.admin, { cohortId: 'surgeons-2026-03-paul-strauss', fullName: name, homeInstitutionId: 'test-almaty-clinic' });
        expect(placement.trainee.fullName).toBe(name);
        // Only an admin owns what depends on an institution outside the partnership.
        const { body } = await gql(SET_STATUS, { input: { id: placement.id, version: 1, status: 'WITHDRAWN' } }, callers.uzEditor);
        expectRefused(body, 'FORBIDDEN', undefined, /admins only/);
        const withdrawn = await gql(SET_STATUS, { input: { id: placement.id, version: 1, status: 'WITHDRAWN' } }, callers.admin);
        expect(withdrawn.body.data.setPlacementStatus.placement).toEqual({ id: placement.id, status: 'WITHDRAWN', version: 2 });
      });

      test('a full cohort refuses; a withdrawal frees a place', async () => {
        const programme = await createProgramme(callers.uzEditor, { hostInstitutionIds: [] });
        const small = await scheduleCohort(callers.frEditor, { programId: programme.id, hostInstitutionId: 'gustave-roussy', plannedSize: 2 });
        const first = await enrol(callers.uzEditor, { cohortId: small.id, fullName: 'First Trainee', homeInstitutionId: 'vakhidov-surgery-center' });
        await enrol(callers.uzEditor, { cohortId: small.id, fullName: 'Second Trainee', homeInstitutionId: 'national-medical-center' });
        await expectNoRowsWritten(async () => {
          const { body } = await gql(
            ENROLL,
            { input: { cohortId: small.id, fullName: 'Third Trainee', homeInstitutionId: 'vakhidov-surgery-center' } },
            callers.uzEditor,
          );
          expectRefused(body, 'BAD_USER_INPUT', 'input.cohortId', new RegExp(`^cohort ${small.id} is full: 2 of 2 places taken$`));
        });
        const withdrawn = await gql(SET_STATUS, { input: { id: first.id, version: 1, status: 'WITHDRAWN' } }, callers.uzEditor);
        expect(withdrawn.body.errors).toBeUndefined();
        const third = await enrol(callers.uzEditor, { cohortId: small.id, fullName: 'Third Trainee', homeInstitutionId: 'vakhidov-surgery-center' });
        expect(third.status).toBe('ENROLLED');
        const read = await gql(`{ trainingProgram(id: "${programme.id}") { progress { planned enrolled completed } } }`, undefined, null);
        expect(read.body.data.trainingProgram.progress).toEqual({ planned: 2, enrolled: 2, completed: 0 });
      });

      test('a retry with the same idempotency key returns the first placement and writes nothing more', async () => {
        const input = {
          cohortId: 'surgeons-2026-03-paul-strauss',
          fullName: 'Retried Trainee',
          homeInstitutionId: 'vakhidov-surgery-center',
          idempotencyKey: 'retry-key-1',
        };
        const before = await fixture.rowCounts();
        const first = await enrol(callers.uzEditor, input);
        const afterFirst = await fixture.rowCounts();
        expect(afterFirst).toEqual({
          ...before,
          trainee: before.trainee + 1,
          placement: before.placement + 1,
          idempotent_request: before.idempotent_request + 1,
          audit_entry: before.audit_entry + 2,
        });
        for (let retry = 0; retry < 3; retry += 1) expect(await enrol(callers.uzEditor, input)).toEqual(first);
        // Trailing spaces in the name do not make it a different enrolment.
        expect(await enrol(callers.uzEditor, { ...input, fullName: ' Retried Trainee ' })).toEqual(first);
        expect(await fixture.rowCounts()).toEqual(afterFirst);

        await expectNoRowsWritten(async () => {
          const { body } = await gql(ENROLL, { input: { ...input, fullName: 'Someone Else' } }, callers.uzEditor);
          expectRefused(body, 'BAD_USER_INPUT', 'input.idempotencyKey', /already used for a different enrolment/);
        });
        // Keys belong to the subject that sent them: another editor's key of the same text is a new enrolment.
        const other = await enrol({ ...callers.uzEditor, subject: 'uz-editor-2' }, input);
        expect(other.id).not.toBe(first.id);
        // The same subject name under another partner is someone else: no replay of the UZ placement for an FR editor.
        const { body } = await gql(ENROLL, { input }, { ...callers.frEditor, subject: 'uz-editor' });
        expectRefused(body, 'FORBIDDEN');
      });
    });
  });
}
