import type { Caller } from '@partnership/subgraph-kit';
import { AuditEntry } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import type { EntitySubscriberInterface, InsertEvent } from 'typeorm';
import { TrainingProgramHost } from '../src/entities';
import { createTrainingServer } from '../src/server';
import { callers, CREATE, ENROLL, rowCounts, SCHEDULE, SET_STATUS, startMutationFixture, unreachableUrl, type MutationFixture } from './mutation-fixture';

type Body = { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

/** A refused mutation: one error with this code (and field), no data. */
function expectRefused(body: Body, code: string, field?: string, message?: RegExp): void {
  expect(body.errors).toHaveLength(1);
  const [error] = body.errors!;
  expect(error.extensions?.code).toBe(code);
  if (field !== undefined) expect(error.extensions?.field).toBe(field);
  if (message !== undefined) expect(error.message).toMatch(message);
  // No data, or only the refused (nullable) field as null.
  expect(body.data === null || body.data === undefined ? [] : Object.values(body.data).filter((v) => v !== null)).toEqual([]);
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|stack/i);
}

/** Table rows of refused inputs, named readably (long strings shown by their length). */
function refusals(rows: Array<[Record<string, unknown>, string, RegExp]>) {
  const show = (value: unknown): string =>
    typeof value === 'string' && value.length > 32 ? `<${value.length} characters>` : Array.isArray(value) && value.length > 4 ? `<${value.length} ids>` : JSON.stringify(value);
  return rows.map(([overrides, field, message]) => ({
    label: Object.entries(overrides).map(([k, v]) => `${k}: ${show(v)}`).join(', '),
    overrides,
    field,
    message,
  }));
}

const programmeInput = (overrides: Record<string, unknown> = {}) => ({
  title: 'Training of Uzbek cardiac surgeons in France',
  specialty: 'CARDIAC_SURGERY',
  summary: 'Recorded by a test.',
  traineeCountry: 'UZ',
  agreementId: 'protocol-surgical-cooperation',
  targetTrainees: 20,
  targetDate: '2028',
  targetDateLabel: 'by 2028',
  startsOn: '2026-Q2',
  hostInstitutionIds: ['paul-strauss-center', 'gustave-roussy'],
  ...overrides,
});

for (const target of scratchTargets) {
  target.describe('training mutations', () => {
    let scratch: ScratchTarget;
    let fixture: MutationFixture & { close(): Promise<void> };
    let gql: MutationFixture['gql'];
    let sequence = 0;
    /** A fresh slug per call, so tests never collide on ids. */
    const freshId = (prefix: string) => `test-${prefix}-${(sequence += 1)}`;

    beforeAll(async () => {
      scratch = await target.open('training-mutations');
      fixture = await startMutationFixture(scratch);
      gql = fixture.gql;
    });
    afterAll(async () => {
      await fixture?.close();
      await scratch?.dispose();
    });

    /** Runs `work` and checks that no table of the subgraph gained or lost a row. */
    async function expectNoRowsWritten(work: () => Promise<void>): Promise<void> {
      const before = await fixture.rowCounts();
      await work();
      expect(await fixture.rowCounts()).toEqual(before);
    }

    async function createProgramme(caller: Caller, overrides: Record<string, unknown> = {}): Promise<any> {
      const { body } = await gql(CREATE, { input: programmeInput({ id: freshId('programme'), ...overrides }) }, caller);
      expect(body.errors).toBeUndefined();
      return body.data.createTrainingProgram.trainingProgram;
    }

    async function scheduleCohort(caller: Caller, input: Record<string, unknown>): Promise<any> {
      const { body } = await gql(SCHEDULE, { input: { id: freshId('cohort'), ...input } }, caller);
      expect(body.errors).toBeUndefined();
      return body.data.scheduleCohort.cohort;
    }

    async function enrol(caller: Caller, input: Record<string, unknown>): Promise<any> {
      const { body } = await gql(ENROLL, { input }, caller);
      expect(body.errors).toBeUndefined();
      return body.data.enrollTrainee.placement;
    }

    async function auditOf(recordId: string): Promise<any[]> {
      const { body } = await gql('query ($id: ID) { trainingAuditTrail(recordId: $id, first: 100) { totalCount nodes { subject partner mutation recordType recordId before after requestId } } }', { id: recordId }, callers.admin);
      expect(body.errors).toBeUndefined();
      return body.data.trainingAuditTrail.nodes;
    }

    describe('createTrainingProgram', () => {
      test('an editor of the hosting partner records a programme with its hosts; queries and the audit trail show it', async () => {
        const id = freshId('programme');
        const before = await fixture.rowCounts();
        const { body } = await gql(CREATE, { input: programmeInput({ id }) }, callers.frEditor);
        expect(body.errors).toBeUndefined();
        const expected = {
          id, title: 'Training of Uzbek cardiac surgeons in France', specialty: 'CARDIAC_SURGERY', status: 'PLANNED', summary: 'Recorded by a test.',
          traineeCountry: 'UZ', agreement: { id: 'protocol-surgical-cooperation' }, targetTrainees: 20,
          targetDate: { precision: 'YEAR', label: 'by 2028', latest: '2028-12-31' },
          hostInstitutions: [{ id: 'gustave-roussy' }, { id: 'paul-strauss-center' }], cohorts: [],
          progress: { target: 20, planned: 0, enrolled: 0, completed: 0, remaining: 20 }, synthetic: false,
        };
        expect(body.data.createTrainingProgram.trainingProgram).toEqual(expected);
        expect(await fixture.rowCounts()).toEqual({ ...before, training_program: before.training_program + 1, training_program_host: before.training_program_host + 2, audit_entry: before.audit_entry + 1 });

        const read = await gql(`{ trainingProgram(id: "${id}") { id startsOn { precision earliest } hostInstitutions { id } }
          trainingPrograms(filter: { hostInstitution: "gustave-roussy", specialty: CARDIAC_SURGERY }) { nodes { id } } }`, undefined, null);
        expect(read.body.data.trainingProgram).toEqual({ id, startsOn: { precision: 'QUARTER', earliest: '2026-04-01' }, hostInstitutions: expected.hostInstitutions });
        expect(read.body.data.trainingPrograms.nodes).toContainEqual({ id });

        const [entry, ...more] = await auditOf(id);
        expect(more).toEqual([]);
        expect(entry).toMatchObject({ subject: 'fr-editor', partner: 'FR', mutation: 'createTrainingProgram', recordType: 'TrainingProgram', recordId: id, before: null });
        expect(entry.requestId).toEqual(expect.any(String));
        expect(JSON.parse(entry.after)).toMatchObject({ id, title: expected.title, targetDate: '2028', startsOn: '2026-Q2', hostInstitutionIds: ['paul-strauss-center', 'gustave-roussy'] });
      });

      test('an editor of a host partner may create it, an admin always; without an id it gets a UUID', async () => {
        const byHost = await createProgramme(callers.frEditor);
        expect(byHost.traineeCountry).toBe('UZ');
        const { body } = await gql(CREATE, { input: programmeInput({ traineeCountry: 'KZ', hostInstitutionIds: ['test-almaty-clinic'], agreementId: null }) }, callers.admin);
        expect(body.errors).toBeUndefined();
        expect(body.data.createTrainingProgram.trainingProgram).toMatchObject({ traineeCountry: 'KZ', agreement: null, hostInstitutions: [{ id: 'test-almaty-clinic' }] });
        expect(body.data.createTrainingProgram.trainingProgram.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      });

      test('optional fields may be left out: no target, no dates, no hosts, status as given', async () => {
        const { body } = await gql(CREATE, { input: { title: '  Training of nurses  ', specialty: 'EMERGENCY_MEDICINE', traineeCountry: 'UZ', status: 'UNDER_DISCUSSION' } }, callers.uzEditor);
        expect(body.errors).toBeUndefined();
        expect(body.data.createTrainingProgram.trainingProgram).toMatchObject({
          title: 'Training of nurses', status: 'UNDER_DISCUSSION', summary: null, agreement: null, targetTrainees: null, targetDate: null, hostInstitutions: [],
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

      test('an editor of the sending partner may not name another partner\'s institution as a host', async () => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(CREATE, { input: programmeInput({ id: freshId('programme') }) }, callers.uzEditor);
          expectRefused(body, 'FORBIDDEN', undefined, /host institution paul-strauss-center belongs to FR/);
        });
      });

      test('an editor of the sending partner may not create a programme for another country\'s trainees hosted elsewhere', async () => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(CREATE, { input: programmeInput({ traineeCountry: 'KZ', hostInstitutionIds: ['monaco-cardiothoracic-center'] }) }, callers.uzEditor);
          expectRefused(body, 'FORBIDDEN', undefined, /MC/);
        });
      });

      test.each(refusals([
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
      ]))('$label is refused with BAD_USER_INPUT on $field, nothing written', async ({ overrides, field, message }) => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(CREATE, { input: programmeInput(overrides) }, callers.frEditor);
          expectRefused(body, 'BAD_USER_INPUT', field, message);
        });
      });

      test('the same target and start month is fine (the target may end on the start\'s last day)', async () => {
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

    describe('scheduleCohort', () => {
      test('the host\'s partner schedules a cohort at a new host: the host joins the programme, progress counts the places', async () => {
        const programme = await createProgramme(callers.frEditor, { hostInstitutionIds: ['paul-strauss-center'] });
        const before = await fixture.rowCounts();
        const id = freshId('cohort');
        const { body } = await gql(SCHEDULE, { input: { id, programId: programme.id, hostInstitutionId: 'gustave-roussy', startsOn: '2026-09', startsOnLabel: 'September 2026', plannedSize: 8 } }, callers.frEditor);
        expect(body.errors).toBeUndefined();
        expect(body.data.scheduleCohort.cohort).toEqual({
          id, plannedSize: 8, hostInstitution: { id: 'gustave-roussy' }, startsOn: { precision: 'MONTH', label: 'September 2026' },
          program: { id: programme.id, hostInstitutions: [{ id: 'gustave-roussy' }, { id: 'paul-strauss-center' }], progress: { planned: 8 } },
        });
        expect(await fixture.rowCounts()).toEqual({ ...before, cohort: before.cohort + 1, training_program_host: before.training_program_host + 1, audit_entry: before.audit_entry + 2 });

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
        const progress = async () => (await gql('{ trainingProgram(id: "surgeons-100-by-2030") { hostInstitutions { id } progress { planned } } }', undefined, null)).body.data.trainingProgram;
        const start = await progress();
        const cohort = await scheduleCohort(callers.frEditor, { programId: 'surgeons-100-by-2030', hostInstitutionId: 'paul-strauss-center', startsOn: '2027-Q1', plannedSize: 10 });
        expect(cohort.id).toMatch(/^test-cohort-/);
        expect(await progress()).toEqual({ hostInstitutions: start.hostInstitutions, progress: { planned: start.progress.planned + 10 } });
        expect(await fixture.rowCounts()).toEqual({ ...before, cohort: before.cohort + 1, audit_entry: before.audit_entry + 1 });
      });

      test('without an id a cohort gets a UUID; the start date may be left open', async () => {
        const { body } = await gql(SCHEDULE, { input: { programId: 'cardiology-exchange-monaco', hostInstitutionId: 'monaco-cardiothoracic-center', plannedSize: 2 } }, callers.mcEditor);
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

      test.each(refusals([
        [{ plannedSize: 0 }, 'input.plannedSize', /1 to 500/],
        [{ plannedSize: 501 }, 'input.plannedSize', /1 to 500/],
        [{ startsOn: '2031-01', startsOnLabel: 'January 2031' }, 'input.startsOn', /not be after the programme's target date ends \(by 2030, 2030-12-31\)/],
        [{ startsOn: 'March 2026' }, 'input.startsOn', /canonical partial date/],
        [{ startsOn: null, startsOnLabel: 'soon' }, 'input.startsOnLabel', /needs input.startsOn/],
        [{ programId: 'no-such-programme' }, 'input.programId', /no training programme "no-such-programme"/],
        [{ programId: 'bad id!' }, 'input.programId', /letters, digits/],
        [{ hostInstitutionId: 'no-such-institution' }, 'input.hostInstitutionId', /no institution "no-such-institution"/],
        [{ id: 'surgeons-2026-03-paul-strauss' }, 'input.id', /already exists/],
      ]))('$label is refused with BAD_USER_INPUT on $field, nothing written', async ({ overrides, field, message }) => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(SCHEDULE, { input: { programId: 'surgeons-100-by-2030', hostInstitutionId: 'paul-strauss-center', startsOn: '2026-10', plannedSize: 5, ...overrides } }, callers.frEditor);
          expectRefused(body, 'BAD_USER_INPUT', field, message);
        });
      });

      test('a cohort may start in the last month of the target year', async () => {
        const cohort = await scheduleCohort(callers.admin, { programId: 'surgeons-100-by-2030', hostInstitutionId: 'national-academy-of-surgery', startsOn: '2030-12', plannedSize: 1 });
        expect(cohort.program.hostInstitutions).toContainEqual({ id: 'national-academy-of-surgery' });
      });
    });

    describe('enrollTrainee', () => {
      let cohortId: string;
      let programmeId: string;
      beforeAll(async () => {
        const programme = await createProgramme(callers.frEditor, { hostInstitutionIds: ['paul-strauss-center'], targetTrainees: 4 });
        programmeId = programme.id;
        cohortId = (await scheduleCohort(callers.frEditor, { programId: programme.id, hostInstitutionId: 'paul-strauss-center', startsOn: '2026-10', plannedSize: 3 })).id;
      });

      test('the home institution\'s partner enrols a trainee: placement, trainee, progress and audit at once', async () => {
        const progress = async () => (await gql(`{ trainingProgram(id: "${programmeId}") { cohorts { id placements { id } } progress { enrolled } } }`, undefined, callers.uzViewer)).body.data.trainingProgram;
        const start = await progress();
        const before = await fixture.rowCounts();
        const placement = await enrol(callers.uzEditor, { cohortId, fullName: ' Dilshod Ташкентов ', homeInstitutionId: 'vakhidov-surgery-center' });
        expect(placement).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'ENROLLED', version: 1, synthetic: false, cohort: { id: cohortId },
          trainee: { fullName: 'Dilshod Ташкентов', homeInstitution: { id: 'vakhidov-surgery-center' } },
        });
        expect(await fixture.rowCounts()).toEqual({ ...before, trainee: before.trainee + 1, placement: before.placement + 1, audit_entry: before.audit_entry + 2 });
        const after = await progress();
        expect(after.progress.enrolled).toBe(start.progress.enrolled + 1);
        expect(after.cohorts.find((c: any) => c.id === cohortId).placements).toContainEqual({ id: placement.id });

        const [entry] = await auditOf(placement.id);
        expect(entry).toMatchObject({ subject: 'uz-editor', partner: 'UZ', mutation: 'enrollTrainee', recordType: 'Placement', before: null });
        expect(JSON.parse(entry.after)).toMatchObject({ id: placement.id, cohortId, status: 'ENROLLED', version: 1 });
        const traineeId = JSON.parse(entry.after).traineeId;
        const [traineeEntry] = await auditOf(traineeId);
        expect(JSON.parse(traineeEntry.after)).toEqual({ id: traineeId, fullName: 'Dilshod Ташкентов', homeInstitutionId: 'vakhidov-surgery-center', synthetic: false });
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a viewer', callers.uzViewer, 'FORBIDDEN'],
        ['an analyst', callers.uzAnalyst, 'FORBIDDEN'],
        ['an editor of the host partner, not of the trainee\'s home', callers.frEditor, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s is refused and nothing is written', async (_who, caller, code) => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(ENROLL, { input: { cohortId, fullName: 'Refused Trainee', homeInstitutionId: 'national-medical-center' } }, caller);
          expectRefused(body, code);
        });
      });

      test.each(refusals([
        [{ fullName: '  ' }, 'input.fullName', /blank/],
        [{ fullName: 'x'.repeat(301) }, 'input.fullName', /at most 300/],
        [{ cohortId: 'no-such-cohort' }, 'input.cohortId', /no cohort "no-such-cohort"/],
        [{ cohortId: 'bad id' }, 'input.cohortId', /letters, digits/],
        [{ homeInstitutionId: 'no-such-institution' }, 'input.homeInstitutionId', /no institution "no-such-institution"/],
        [{ idempotencyKey: '' }, 'input.idempotencyKey', /1–100 characters/],
        [{ idempotencyKey: 'k'.repeat(101) }, 'input.idempotencyKey', /1–100 characters/],
      ]))('$label is refused with BAD_USER_INPUT on $field, nothing written', async ({ overrides, field, message }) => {
        await expectNoRowsWritten(async () => {
          const { body } = await gql(ENROLL, { input: { cohortId, fullName: 'Valid Name', homeInstitutionId: 'national-medical-center', ...overrides } }, callers.uzEditor);
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
          const { body } = await gql(ENROLL, { input: { cohortId: small.id, fullName: 'Third Trainee', homeInstitutionId: 'vakhidov-surgery-center' } }, callers.uzEditor);
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
        const input = { cohortId: 'surgeons-2026-03-paul-strauss', fullName: 'Retried Trainee', homeInstitutionId: 'vakhidov-surgery-center', idempotencyKey: 'retry-key-1' };
        const before = await fixture.rowCounts();
        const first = await enrol(callers.uzEditor, input);
        const afterFirst = await fixture.rowCounts();
        expect(afterFirst).toEqual({ ...before, trainee: before.trainee + 1, placement: before.placement + 1, idempotent_request: before.idempotent_request + 1, audit_entry: before.audit_entry + 2 });
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

    describe('setPlacementStatus', () => {
      let placement: { id: string };
      let programmeId: string;
      const progress = async () => (await gql(`{ trainingProgram(id: "${programmeId}") { progress { target planned enrolled completed remaining } } }`, undefined, null)).body.data.trainingProgram.progress;

      beforeAll(async () => {
        const programme = await createProgramme(callers.frEditor, { targetTrainees: 10, hostInstitutionIds: ['paul-strauss-center'] });
        programmeId = programme.id;
        const cohort = await scheduleCohort(callers.frEditor, { programId: programmeId, hostInstitutionId: 'paul-strauss-center', plannedSize: 4 });
        placement = await enrol(callers.uzEditor, { cohortId: cohort.id, fullName: 'Completing Trainee', homeInstitutionId: 'national-medical-center' });
      });

      test('only the trainee\'s home partner may change it', async () => {
        for (const [caller, code] of [[null, 'UNAUTHENTICATED'], [callers.uzViewer, 'FORBIDDEN'], [callers.frEditor, 'FORBIDDEN'], [callers.mcEditor, 'FORBIDDEN']] as Array<[Caller | null, string]>) {
          await expectNoRowsWritten(async () => {
            const { body } = await gql(SET_STATUS, { input: { id: placement.id, version: 1, status: 'COMPLETED' } }, caller);
            expectRefused(body, code);
          });
        }
      });

      test.each(refusals([
        [{ status: 'ENROLLED' }, 'input.status', /COMPLETED or WITHDRAWN/],
        [{ id: 'no-such-placement' }, 'input.id', /no placement "no-such-placement"/],
        [{ id: 'bad id' }, 'input.id', /letters, digits/],
        [{ version: 0 }, 'input.version', /whole number from 1/],
      ]))('$label is refused with BAD_USER_INPUT on $field, nothing written', async ({ overrides, field, message }) => {
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

    describe('the audit trail', () => {
      test('is for admins only', async () => {
        const query = '{ trainingAuditTrail { totalCount } }';
        expectRefused((await gql(query, undefined, null)).body, 'UNAUTHENTICATED');
        for (const caller of [callers.uzEditor, callers.uzViewer, callers.uzAnalyst]) expectRefused((await gql(query, undefined, caller)).body, 'FORBIDDEN');
      });

      test('pages through every entry, oldest first, one per record written', async () => {
        const total = (await fixture.rowCounts()).audit_entry;
        expect(total).toBeGreaterThan(10);
        const seen: string[] = [];
        let after: string | null = null;
        for (;;) {
          const { body }: { body: any } = await gql('query ($after: String) { trainingAuditTrail(first: 7, after: $after) { totalCount nodes { id at } pageInfo { hasNextPage endCursor } } }', { after }, callers.admin);
          expect(body.data.trainingAuditTrail.totalCount).toBe(total);
          seen.push(...body.data.trainingAuditTrail.nodes.map((n: { id: string }) => n.id));
          if (!body.data.trainingAuditTrail.pageInfo.hasNextPage) break;
          after = body.data.trainingAuditTrail.pageInfo.endCursor;
        }
        expect(seen).toHaveLength(total);
        expect([...seen].sort()).toEqual(seen);
      });
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
        ['scheduleCohort', SCHEDULE, () => ({ input: { programId: 'surgeons-100-by-2030', hostInstitutionId: 'paul-strauss-center', plannedSize: 1 } }), callers.frEditor],
        ['enrollTrainee', ENROLL, () => ({ input: { cohortId: 'surgeons-2026-03-paul-strauss', fullName: 'Offline Trainee', homeInstitutionId: 'vakhidov-surgery-center' } }), callers.uzEditor],
      ] as Array<[string, string, () => Record<string, unknown>, Caller]>)('%s is refused with SERVICE_UNAVAILABLE and writes nothing', async (_name, mutation, variables, caller) => {
        const before = await rowCounts(fixture.server);
        const { body } = await offlineGql(mutation, variables(), caller);
        expectRefused(body, 'SERVICE_UNAVAILABLE', undefined, /could not check .* nothing was written/);
        expect(await rowCounts(fixture.server)).toEqual(before);
      });
    });
  });
}
