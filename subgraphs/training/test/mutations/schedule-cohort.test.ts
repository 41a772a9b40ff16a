import type { Caller } from '@partnership/subgraph-kit';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import { callers, expectRefused, mutationFixture, refusals, SCHEDULE } from './fixture';

for (const target of scratchTargets) {
  target.describe('training mutations', () => {
    const fixture$ = mutationFixture(target);
    const { freshId, expectNoRowsWritten, createProgramme, scheduleCohort, auditOf } = fixture$;
    let fixture: ReturnType<typeof mutationFixture>['fixture'];
    let gql: ReturnType<typeof mutationFixture>['gql'];
    beforeAll(() => {
      fixture = fixture$.fixture;
      gql = fixture$.gql;
    });

    describe('scheduleCohort', () => {
      test("the host's partner schedules a cohort at a new host: the host joins the programme, progress counts the places", async () => {
        const programme = await createProgramme(callers.frEditor, { hostInstitutionIds: ['paul-strauss-center'] });
        const before = await fixture.rowCounts();
        const id = freshId('cohort');
        const { body } = await gql(
          SCHEDULE,
          { input: { id, programId: programme.id, hostInstitutionId: 'gustave-roussy', startsOn: '2026-09', startsOnLabel: 'September 2026', plannedSize: 8 } },
          callers.frEditor,
        );
        expect(body.errors).toBeUndefined();
        expect(body.data.scheduleCohort.cohort).toEqual({
          id,
          plannedSize: 8,
          hostInstitution: { id: 'gustave-roussy' },
          startsOn: { precision: 'MONTH', label: 'September 2026' },
          program: { id: programme.id, hostInstitutions: [{ id: 'gustave-roussy' }, { id: 'paul-strauss-center' }], progress: { planned: 8 } },
        });
        expect(await fixture.rowCounts()).toEqual({
          ...before,
          cohort: before.cohort + 1,
          training_program_host: before.training_program_host + 1,
          audit_entry: before.audit_entry + 2,
        });

        const read = await gql(`{ trainingProgram(id: "${programme.id}") { cohorts { id plannedSize } progress { planned } } }`, undefined, null);
        expect(read.body.data.trainingProgram).toEqual({ cohorts: [{ id, plannedSize: 8 }], progress: { planned: 8 } });
        const [cohortEntry] = await auditOf(id);
        expect(cohortEntry).toMatchObject({ subject: 'fr-editor', partner: 'FR', mutation: 'scheduleCohort', recordType: 'Cohort', before: null });
        expect(JSON.parse(cohortEntry.after)).toMatchObject({ id, programId: programme.id, plannedSize: 8, startsOn: '2026-09' });
        const hostEntries = (await auditOf(programme.id)).filter((e) => e.mutation === 'scheduleCohort');
        expect(hostEntries).toHaveLength(1);
        expect(JSON.parse(hostEntries[0].before)).toEqual({ id: programme.id, hostInstitutionIds: ['paul-strauss-center'] });
        expect(JSON.parse(hostEntries[0].after)).toEqual({ id: programme.id, hostInstitutionIds: ['gustave-roussy', 'paul-strauss-center'] });
      });

      test('a second cohort at a host already listed adds no host; the reference programme gains planned places', async () => {
        const before = await fixture.rowCounts();
        const progress = async () =>
          (await gql('{ trainingProgram(id: "surgeons-100-by-2030") { hostInstitutions { id } progress { planned } } }', undefined, null)).body.data
            .trainingProgram;
        const start = await progress();
        const cohort = await scheduleCohort(callers.frEditor, {
          programId: 'surgeons-100-by-2030',
          hostInstitutionId: 'paul-strauss-center',
          startsOn: '2027-Q1',
          plannedSize: 10,
        });
        expect(cohort.id).toMatch(/^test-cohort-/);
        expect(await progress()).toEqual({ hostInstitutions: start.hostInstitutions, progress: { planned: start.progress.planned + 10 } });
        expect(await fixture.rowCounts()).toEqual({ ...before, cohort: before.cohort + 1, audit_entry: before.audit_entry + 1 });
      });

      test('without an id a cohort gets a UUID; the start date may be left open', async () => {
        const { body } = await gql(
          SCHEDULE,
          { input: { programId: 'cardiology-exchange-monaco', hostInstitutionId: 'monaco-cardiothoracic-center', plannedSize: 2 } },
          callers.mcEditor,
        );
        expect(body.errors).toBeUndefined();
        expect(body.data.scheduleCohort.cohort).toMatchObject({ startsOn: null, plannedSize: 2, hostInstitution: { id: 'monaco-cardiothoracic-center' } });
        expect(body.data.scheduleCohort.cohort.id).toMatch(/^[0-9a-f-]{36}$/);
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a viewer', callers.uzViewer, 'FORBIDDEN'],
        ['an editor of the sending partner, not of the host', callers.uzEditor, 'FORBIDDEN'],
        ['an editor of another host partner', callers.mcEditor, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s is refused and nothing is written', async (_who, caller, code) => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(SCHEDULE, { input: { programId: 'surgeons-100-by-2030', hostInstitutionId: 'gustave-roussy', plannedSize: 5 } }, caller);
          expectRefused(body, code);
        });
      });

      test.each(
        refusals([
          [{ plannedSize: 0 }, 'input.plannedSize', /1 to 500/],
          [{ plannedSize: 501 }, 'input.plannedSize', /1 to 500/],
          [{ startsOn: '2031-01', startsOnLabel: 'January 2031' }, 'input.startsOn', /not be after the programme's target date ends \(by 2030, 2030-12-31\)/],
          [{ startsOn: 'March 2026' }, 'input.startsOn', /canonical partial date/],
          [{ startsOn: null, startsOnLabel: 'soon' }, 'input.startsOnLabel', /needs input.startsOn/],
          [{ programId: 'no-such-programme' }, 'input.programId', /no training programme "no-such-programme"/],
          [{ programId: 'bad id!' }, 'input.programId', /letters, digits/],
          [{ hostInstitutionId: 'no-such-institution' }, 'input.hostInstitutionId', /no institution "no-such-institution"/],
          [{ id: 'surgeons-2026-03-paul-strauss' }, 'input.id', /already exists/],
        ]),
      )('$label is refused with BAD_USER_INPUT on $field, nothing written', async ({ overrides, field, message }) => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(
            SCHEDULE,
            { input: { programId: 'surgeons-100-by-2030', hostInstitutionId: 'paul-strauss-center', startsOn: '2026-10', plannedSize: 5, ...overrides } },
            callers.frEditor,
          );
          expectRefused(body, 'BAD_USER_INPUT', field, message);
        });
      });

      test('a cohort may start in the last month of the target year', async () => {
        const cohort = await scheduleCohort(callers.admin, {
          programId: 'surgeons-100-by-2030',
          hostInstitutionId: 'national-academy-of-surgery',
          startsOn: '2030-12',
          plannedSize: 1,
        });
        expect(cohort.program.hostInstitutions).toContainEqual({ id: 'national-academy-of-surgery' });
      });
    });
  });
}
