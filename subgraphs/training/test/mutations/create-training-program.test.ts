import type { Caller } from '@partnership/subgraph-kit';
import { AuditEntry } from '@partnership/subgraph-kit';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import type { EntitySubscriberInterface, InsertEvent } from 'typeorm';
import { TrainingProgramHost } from '../../src/entities';
import { callers, CREATE, expectRefused, mutationFixture, programmeInput, refusals } from './fixture';

for (const target of scratchTargets) {
  target.describe('training mutations', () => {
    const fixture$ = mutationFixture(target);
    const { freshId, expectNoRowsWritten, createProgramme, auditOf } = fixture$;
    let fixture: ReturnType<typeof mutationFixture>['fixture'];
    let gql: ReturnType<typeof mutationFixture>['gql'];
    beforeAll(() => {
      fixture = fixture$.fixture;
      gql = fixture$.gql;
    });

    describe('createTrainingProgram', () => {
      test('an editor of the hosting partner records a programme with its hosts; queries and the audit trail show it', async () => {
        const id = freshId('programme');
        const before = await fixture.rowCounts();
        const { body } = await gql(CREATE, { input: programmeInput({ id }) }, callers.frEditor);
        expect(body.errors).toBeUndefined();
        const expected = {
          id,
          title: 'Training of Uzbek cardiac surgeons in France',
          specialty: 'CARDIAC_SURGERY',
          status: 'PLANNED',
          summary: 'Recorded by a test.',
          traineeCountry: 'UZ',
          agreement: { id: 'protocol-surgical-cooperation' },
          targetTrainees: 20,
          targetDate: { precision: 'YEAR', label: 'by 2028', latest: '2028-12-31' },
          hostInstitutions: [{ id: 'gustave-roussy' }, { id: 'paul-strauss-center' }],
          cohorts: [],
          progress: { target: 20, planned: 0, enrolled: 0, completed: 0, remaining: 20 },
          synthetic: false,
        };
        expect(body.data.createTrainingProgram.trainingProgram).toEqual(expected);
        expect(await fixture.rowCounts()).toEqual({
          ...before,
          training_program: before.training_program + 1,
          training_program_host: before.training_program_host + 2,
          audit_entry: before.audit_entry + 1,
        });

        const read = await gql(
          `{ trainingProgram(id: "${id}") { id startsOn { precision earliest } hostInstitutions { id } }
          trainingPrograms(filter: { hostInstitution: "gustave-roussy", specialty: CARDIAC_SURGERY }) { nodes { id } } }`,
          undefined,
          null,
        );
        expect(read.body.data.trainingProgram).toEqual({
          id,
          startsOn: { precision: 'QUARTER', earliest: '2026-04-01' },
          hostInstitutions: expected.hostInstitutions,
        });
        expect(read.body.data.trainingPrograms.nodes).toContainEqual({ id });

        const [entry, ...more] = await auditOf(id);
        expect(more).toEqual([]);
        expect(entry).toMatchObject({
          subject: 'fr-editor',
          partner: 'FR',
          mutation: 'createTrainingProgram',
          recordType: 'TrainingProgram',
          recordId: id,
          before: null,
        });
        expect(entry.requestId).toEqual(expect.any(String));
        expect(JSON.parse(entry.after)).toMatchObject({
          id,
          title: expected.title,
          targetDate: '2028',
          startsOn: '2026-Q2',
          hostInstitutionIds: ['paul-strauss-center', 'gustave-roussy'],
        });
      });

      test('an editor of a host partner may create it, an admin always; without an id it gets a UUID', async () => {
        const byHost = await createProgramme(callers.frEditor);
        expect(byHost.traineeCountry).toBe('UZ');
        const { body } = await gql(
          CREATE,
          { input: programmeInput({ traineeCountry: 'KZ', hostInstitutionIds: ['test-almaty-clinic'], agreementId: null }) },
          callers.admin,
        );
        expect(body.errors).toBeUndefined();
        expect(body.data.createTrainingProgram.trainingProgram).toMatchObject({
          traineeCountry: 'KZ',
          agreement: null,
          hostInstitutions: [{ id: 'test-almaty-clinic' }],
        });
        expect(body.data.createTrainingProgram.trainingProgram.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      });

      test('optional fields may be left out: no target, no dates, no hosts, status as given', async () => {
        const { body } = await gql(
          CREATE,
          { input: { title: '  Training of nurses  ', specialty: 'EMERGENCY_MEDICINE', traineeCountry: 'UZ', status: 'UNDER_DISCUSSION' } },
          callers.uzEditor,
        );
        expect(body.errors).toBeUndefined();
        expect(body.data.createTrainingProgram.trainingProgram).toMatchObject({
          title: 'Training of nurses',
          status: 'UNDER_DISCUSSION',
          summary: null,
          agreement: null,
          targetTrainees: null,
          targetDate: null,
          hostInstitutions: [],
          progress: { target: null, planned: 0, enrolled: 0, completed: 0, remaining: null },
        });
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a viewer', callers.uzViewer, 'FORBIDDEN'],
        ['an analyst', callers.uzAnalyst, 'FORBIDDEN'],
        ['an editor of neither the sending nor a host partner', callers.mcEditor, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s is refused and nothing is written', async (_who, caller, code) => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(CREATE, { input: programmeInput({ id: freshId('programme') }) }, caller);
          expectRefused(body, code);
        });
      });

      test("an editor of the sending partner may not name another partner's institution as a host", async () => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(CREATE, { input: programmeInput({ id: freshId('programme') }) }, callers.uzEditor);
          expectRefused(body, 'FORBIDDEN', undefined, /host institution paul-strauss-center belongs to FR/);
        });
      });

      test("an editor of the sending partner may not create a programme for another country's trainees hosted elsewhere", async () => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(
            CREATE,
            { input: programmeInput({ traineeCountry: 'KZ', hostInstitutionIds: ['monaco-cardiothoracic-center'] }) },
            callers.uzEditor,
          );
          expectRefused(body, 'FORBIDDEN', undefined, /MC/);
        });
      });

      test.each(
        refusals([
          [{ title: '   ' }, 'input.title', /blank/],
          [{ title: 'x'.repeat(301) }, 'input.title', /at most 300/],
          [{ summary: 'x'.repeat(4001) }, 'input.summary', /at most 4000/],
          [{ targetTrainees: 0 }, 'input.targetTrainees', /1 to 100000/],
          [{ targetTrainees: 100_001 }, 'input.targetTrainees', /1 to 100000/],
          [{ targetDate: '2030-13' }, 'input.targetDate', /canonical partial date/],
          [{ targetDate: 'Q1 2026' }, 'input.targetDate', /canonical partial date/],
          [{ targetDate: null, targetDateLabel: 'by 2030' }, 'input.targetDateLabel', /needs input.targetDate/],
          [{ startsOnLabel: 'x'.repeat(201) }, 'input.startsOnLabel', /at most 200/],
          [{ targetDate: '2026-Q1', startsOn: '2026-04' }, 'input.targetDate', /end before start/],
          [{ id: 'bad id' }, 'input.id', /letters, digits/],
          [{ id: 'surgeons-100-by-2030' }, 'input.id', /already exists/],
          [{ agreementId: 'no-such-agreement' }, 'input.agreementId', /no agreement "no-such-agreement"/],
          [{ hostInstitutionIds: ['paul-strauss-center', 'no-such-institution'] }, 'input.hostInstitutionIds[1]', /no institution "no-such-institution"/],
          [{ hostInstitutionIds: ['gustave-roussy', 'paul-strauss-center', 'gustave-roussy'] }, 'input.hostInstitutionIds[2]', /repeats "gustave-roussy"/],
          [{ hostInstitutionIds: ['paul-strauss-center', ''] }, 'input.hostInstitutionIds[1]', /1–64/],
          [{ hostInstitutionIds: Array.from({ length: 51 }, (_v, i) => `host-${i}`) }, 'input.hostInstitutionIds', /at most 50/],
        ]),
      )('$label is refused with BAD_USER_INPUT on $field, nothing written', async ({ overrides, field, message }) => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(CREATE, { input: programmeInput(overrides) }, callers.frEditor);
          expectRefused(body, 'BAD_USER_INPUT', field, message);
        });
      });

      test("the same target and start month is fine (the target may end on the start's last day)", async () => {
        const programme = await createProgramme(callers.frEditor, { startsOn: '2026-03', targetDate: '2026-03', targetDateLabel: null });
        expect(programme.targetDate).toEqual({ precision: 'MONTH', label: 'March 2026', latest: '2026-03-31' });
      });

      test('an unknown enum value is refused by the schema', async () => {
        const { body } = await gql(CREATE, { input: programmeInput({ specialty: 'DENTISTRY' }) }, callers.frEditor);
        expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
        expect(body.errors![0].message).toMatch(/DENTISTRY/);
      });

      test('a failure in the middle of writing the hosts leaves no rows at all', async () => {
        let hostRows = 0;
        const failOnSecondHost: EntitySubscriberInterface = {
          listenTo: () => TrainingProgramHost,
          beforeInsert: (_event: InsertEvent<unknown>) => {
            hostRows += 1;
            if (hostRows === 2) throw new Error('simulated failure writing the second host');
          },
        };
        const { subscribers } = fixture.server.database.dataSource;
        subscribers.push(failOnSecondHost);
        try {
          const id = freshId('programme');
          await expectNoRowsWritten(async () => {
            const { body } = await gql(CREATE, { input: programmeInput({ id }) }, callers.frEditor);
            expectRefused(body, 'INTERNAL_SERVER_ERROR', undefined, /^Internal server error$/);
          });
          expect(hostRows).toBe(2);
          const read = await gql(`{ trainingProgram(id: "${id}") { id } }`, undefined, null);
          expect(read.body.data.trainingProgram).toBeNull();
        } finally {
          subscribers.splice(subscribers.indexOf(failOnSecondHost), 1);
        }
      });

      test('a failure writing the audit entry undoes the programme and its hosts', async () => {
        const failOnAudit: EntitySubscriberInterface = {
          listenTo: () => AuditEntry,
          beforeInsert: () => {
            throw new Error('simulated failure writing the audit trail');
          },
        };
        const { subscribers } = fixture.server.database.dataSource;
        subscribers.push(failOnAudit);
        try {
          await expectNoRowsWritten(async () => {
            const { body } = await gql(CREATE, { input: programmeInput({ id: freshId('programme') }) }, callers.frEditor);
            expectRefused(body, 'INTERNAL_SERVER_ERROR');
          });
        } finally {
          subscribers.splice(subscribers.indexOf(failOnAudit), 1);
        }
      });
    });
  });
}
