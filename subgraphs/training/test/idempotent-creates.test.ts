import type { Caller } from '@partnership/subgraph-kit';
import { scratchTargets, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import { Cohort, TrainingProgramHost } from '../src/entities';
import { LIMITS } from '../src/mutations/input';
import { callers, CREATE, ENROLL, SCHEDULE, startMutationFixture, type MutationFixture } from './mutations/fixture';

interface Create {
  mutation: 'createTrainingProgram' | 'scheduleCohort' | 'enrollTrainee';
  query: string;
  caller: Caller;
  input(): Record<string, unknown>;
  /** A change of input that makes it another request. */
  changed: Record<string, unknown>;
  idOf(data: any): string;
  /** The rows one create writes, by table. */
  writes: Record<string, number>;
}

// Every create of this subgraph takes an idempotency key: retries, changed input and races, on SQLite and MySQL.
for (const target of scratchTargets) {
  target.describe('training creates with an idempotency key', () => {
    let scratch: ScratchTarget;
    let fixture: MutationFixture & { close(): Promise<void> };
    let sequence = 0;
    const freshId = (prefix: string) => `test-${prefix}-${(sequence += 1)}`;

    beforeAll(async () => {
      scratch = await target.open('training-idempotent');
      fixture = await startMutationFixture(scratch);
      // Room for every enrolment below.
      await fixture.server.database.dataSource.getRepository(Cohort).insert({
        id: 'test-roomy-cohort',
        programId: 'surgeons-100-by-2030',
        hostInstitutionId: 'paul-strauss-center',
        startsOn: null,
        startsOnLabel: null,
        plannedSize: 100,
        synthetic: false,
      });
    });
    afterAll(async () => {
      await fixture?.close();
      await scratch?.dispose();
    });

    const send = (create: Create, input: Record<string, unknown>, caller = create.caller) => fixture.gql(create.query, { input }, caller);
    const plus = (counts: Record<string, number>, writes: Record<string, number>) =>
      Object.fromEntries(Object.entries(counts).map(([table, n]) => [table, n + (writes[table] ?? 0)]));

    const creates: Create[] = [
      {
        mutation: 'createTrainingProgram',
        query: CREATE,
        caller: callers.frEditor,
        input: () => ({ title: 'Training of Uzbek anaesthetists', specialty: 'SURGERY', traineeCountry: 'UZ', hostInstitutionIds: ['paul-strauss-center'] }),
        changed: { title: 'Training of Uzbek radiologists' },
        idOf: (data) => data.createTrainingProgram.trainingProgram.id,
        writes: { training_program: 1, training_program_host: 1, audit_entry: 1 },
      },
      {
        mutation: 'scheduleCohort',
        query: SCHEDULE,
        caller: callers.frEditor,
        input: () => ({ programId: 'surgeons-100-by-2030', hostInstitutionId: 'paul-strauss-center', startsOn: '2027-03', plannedSize: 5 }),
        changed: { plannedSize: 6 },
        idOf: (data) => data.scheduleCohort.cohort.id,
        writes: { cohort: 1, audit_entry: 1 },
      },
      {
        mutation: 'enrollTrainee',
        query: ENROLL,
        caller: callers.uzEditor,
        input: () => ({ cohortId: 'test-roomy-cohort', fullName: 'Idempotent Trainee', homeInstitutionId: 'vakhidov-surgery-center' }),
        changed: { fullName: 'Another Trainee' },
        idOf: (data) => data.enrollTrainee.placement.id,
        writes: { trainee: 1, placement: 1, audit_entry: 2 },
      },
    ];

    describe.each(creates)('$mutation', (create) => {
      test('a retry with the same key returns the same record and writes once, audit entries included', async () => {
        const input = { ...create.input(), idempotencyKey: `retry-${create.mutation}` };
        const before = await fixture.rowCounts();
        const first = await send(create, input);
        expect(first.body.errors).toBeUndefined();
        const afterFirst = await fixture.rowCounts();
        expect(afterFirst).toEqual(plus(before, { ...create.writes, idempotent_request: 1 }));
        for (let retry = 0; retry < 3; retry += 1) expect((await send(create, input)).body).toEqual(first.body);
        expect(await fixture.rowCounts()).toEqual(afterFirst);
        // Without the key the same input is a new record.
        const again = await send(create, create.input());
        expect(create.idOf(again.body.data)).not.toBe(create.idOf(first.body.data));
      });

      test('the same key with different input is BAD_USER_INPUT saying so, and writes nothing', async () => {
        const input = { ...create.input(), idempotencyKey: `changed-${create.mutation}` };
        expect((await send(create, input)).body.errors).toBeUndefined();
        const before = await fixture.rowCounts();
        const { body } = await send(create, { ...input, ...create.changed });
        expect(body.errors).toEqual([
          expect.objectContaining({
            message: expect.stringMatching(/already used for a different/),
            extensions: { code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' },
          }),
        ]);
        expect(await fixture.rowCounts()).toEqual(before);
      });

      test('10 concurrent calls with one key write one record and all answer with it', async () => {
        const input = { ...create.input(), idempotencyKey: `raced-${create.mutation}` };
        const before = await fixture.rowCounts();
        const responses = await Promise.all(Array.from({ length: 10 }, () => send(create, input)));
        for (const { body } of responses) expect(body.errors).toBeUndefined();
        expect(new Set(responses.map((r) => create.idOf(r.body.data))).size).toBe(1);
        expect(await fixture.rowCounts()).toEqual(plus(before, { ...create.writes, idempotent_request: 1 }));
      });

      test('keys compare exactly and belong to the caller: another case, or another editor, makes another record', async () => {
        const input = { ...create.input(), idempotencyKey: `Case-${create.mutation}` };
        const ids = [
          await send(create, input),
          await send(create, { ...input, idempotencyKey: `case-${create.mutation}` }),
          await send(create, input, { ...create.caller, subject: 'another-editor' }),
        ].map((r) => create.idOf(r.body.data));
        expect(new Set(ids).size).toBe(3);
      });
    });

    test('a key one create used is refused by another create', async () => {
      const key = 'shared-key';
      const enrolled = await fixture.gql(ENROLL, { input: { ...creates[2].input(), idempotencyKey: key } }, callers.admin);
      expect(enrolled.body.errors).toBeUndefined();
      const { body } = await fixture.gql(SCHEDULE, { input: { ...creates[1].input(), idempotencyKey: key } }, callers.admin);
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: expect.stringMatching(/already used for enrollTrainee/),
          extensions: { code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' },
        }),
      ]);
    });

    describe('a programme holds at most 50 cohorts and 50 host institutions', () => {
      const manager = () => fixture.server.database.dataSource.manager;
      const programmeWith = async (cohorts: number, hosts: string[]) => {
        const id = freshId('capped');
        const created = await fixture.gql(CREATE, { input: { id, title: 'Capped programme', specialty: 'SURGERY', traineeCountry: 'UZ' } }, callers.uzEditor);
        expect(created.body.errors).toBeUndefined();
        await manager().insert(
          TrainingProgramHost,
          hosts.map((institutionId) => ({ programId: id, institutionId })),
        );
        if (cohorts > 0) {
          await manager().insert(
            Cohort,
            Array.from({ length: cohorts }, (_v, i) => ({
              id: `${id}-cohort-${i}`,
              programId: id,
              hostInstitutionId: hosts[0] ?? 'paul-strauss-center',
              startsOn: null,
              startsOnLabel: null,
              plannedSize: 1,
              synthetic: false,
            })),
          );
        }
        return id;
      };
      const schedule = (programId: string, hostInstitutionId = 'paul-strauss-center') =>
        fixture.gql(SCHEDULE, { input: { programId, hostInstitutionId, plannedSize: 2 } }, callers.frEditor);

      test('the 50th cohort is scheduled, the 51st refused naming the field and the maximum', async () => {
        const programId = await programmeWith(LIMITS.cohorts - 1, ['paul-strauss-center']);
        expect((await schedule(programId)).body.errors).toBeUndefined();
        const before = await fixture.rowCounts();
        const { body } = await schedule(programId);
        expect(body.errors).toEqual([
          expect.objectContaining({
            message: `input.programId: programme "${programId}" has 50 cohorts, the most a programme may have (50)`,
            extensions: { code: 'BAD_USER_INPUT', field: 'input.programId' },
          }),
        ]);
        expect(await fixture.rowCounts()).toEqual(before);
      });

      test('concurrent cohorts never take a programme past 50', async () => {
        const programId = await programmeWith(LIMITS.cohorts - 2, ['paul-strauss-center']);
        const responses = await Promise.all(Array.from({ length: 6 }, () => schedule(programId)));
        expect(responses.filter((r) => r.body.errors === undefined)).toHaveLength(2);
        expect(await manager().countBy(Cohort, { programId })).toBe(LIMITS.cohorts);
      });

      test('with 50 hosts a cohort at one of them is scheduled, at a 51st institution refused', async () => {
        const hosts = ['paul-strauss-center', ...Array.from({ length: LIMITS.hosts - 1 }, (_v, i) => `test-host-${i}`)];
        const programId = await programmeWith(0, hosts);
        expect((await schedule(programId)).body.errors).toBeUndefined();
        const before = await fixture.rowCounts();
        const { body } = await schedule(programId, 'gustave-roussy');
        expect(body.errors).toEqual([
          expect.objectContaining({
            message: expect.stringMatching(/^input\.hostInstitutionId: programme "[^"]+" has 50 host institutions, the most a programme may have \(50\)/),
            extensions: { code: 'BAD_USER_INPUT', field: 'input.hostInstitutionId' },
          }),
        ]);
        expect(await fixture.rowCounts()).toEqual(before);
      });
    });

    describe('ids are compared and stored exactly', () => {
      test('a programme id in another case is "no such programme", and nothing is written (it used to commit, then fail)', async () => {
        const before = await fixture.rowCounts();
        const { body } = await fixture.gql(
          SCHEDULE,
          { input: { programId: 'CARDIOLOGY-EXCHANGE-MONACO', hostInstitutionId: 'monaco-cardiothoracic-center', plannedSize: 2 } },
          callers.mcEditor,
        );
        expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input.programId' } })]);
        expect(await fixture.rowCounts()).toEqual(before);
      });

      test('a cohort id in another case is "no such cohort", and nothing is written', async () => {
        const before = await fixture.rowCounts();
        const { body } = await fixture.gql(ENROLL, { input: { ...creates[2].input(), cohortId: 'TEST-ROOMY-COHORT' } }, callers.uzEditor);
        expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input.cohortId' } })]);
        expect(await fixture.rowCounts()).toEqual(before);
      });

      test('a scheduled cohort refers to its programme and host by their stored ids, and its payload resolves', async () => {
        const { body } = await fixture.gql(
          SCHEDULE,
          { input: { programId: 'cardiology-exchange-monaco', hostInstitutionId: 'monaco-cardiothoracic-center', plannedSize: 2 } },
          callers.mcEditor,
        );
        expect(body.errors).toBeUndefined();
        expect(body.data.scheduleCohort.cohort).toMatchObject({
          hostInstitution: { id: 'monaco-cardiothoracic-center' },
          program: { id: 'cardiology-exchange-monaco' },
        });
        const row = await fixture.server.database.dataSource.manager.findOneByOrFail(Cohort, { id: body.data.scheduleCohort.cohort.id });
        expect(row).toMatchObject({ programId: 'cardiology-exchange-monaco', hostInstitutionId: 'monaco-cardiothoracic-center' });
      });
    });
  });
}
