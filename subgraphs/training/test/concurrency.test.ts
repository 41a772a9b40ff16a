import type { Caller } from '@partnership/subgraph-kit';
import { scratchTargets, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import { callers, CREATE, ENROLL, SCHEDULE, SET_STATUS, startMutationFixture, type MutationFixture } from './mutations/fixture';

// Writes that race each other over real HTTP: capacity, idempotency keys, host lists and versions must hold on
// SQLite (transactions take turns) and on MySQL (row locks and unique keys), and the rows in the database must agree.
for (const target of scratchTargets) {
  target.describe('training writes under concurrency', () => {
    let scratch: ScratchTarget;
    let fixture: MutationFixture & { close(): Promise<void> };
    let sequence = 0;
    const freshId = (prefix: string) => `test-${prefix}-${(sequence += 1)}`;

    beforeAll(async () => {
      scratch = await target.open('training-concurrency');
      fixture = await startMutationFixture(scratch);
    });
    afterAll(async () => {
      await fixture?.close();
      await scratch?.dispose();
    });

    const gql = (query: string, variables: Record<string, unknown>, caller: Caller | null) => fixture.gql(query, variables, caller);
    const count = async (sql: string, parameters: unknown[]) =>
      Number(((await fixture.server.database.dataSource.query(sql, parameters)) as Array<{ n: string | number }>)[0].n);

    async function programmeWithCohorts(plannedSizes: number[]): Promise<{ programmeId: string; cohortIds: string[] }> {
      const programmeId = freshId('programme');
      const created = await gql(
        CREATE,
        { input: { id: programmeId, title: 'Concurrency test programme', specialty: 'SURGERY', traineeCountry: 'UZ' } },
        callers.uzEditor,
      );
      expect(created.body.errors).toBeUndefined();
      const cohortIds: string[] = [];
      for (const plannedSize of plannedSizes) {
        const id = freshId('cohort');
        const { body } = await gql(
          SCHEDULE,
          { input: { id, programId: programmeId, hostInstitutionId: 'paul-strauss-center', plannedSize } },
          callers.frEditor,
        );
        expect(body.errors).toBeUndefined();
        cohortIds.push(id);
      }
      return { programmeId, cohortIds };
    }

    test('20 concurrent enrolments in a cohort of 5 places: exactly 5 placements and 15 clear refusals', async () => {
      const {
        programmeId,
        cohortIds: [cohortId],
      } = await programmeWithCohorts([5]);
      const before = await fixture.rowCounts();
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_v, i) =>
          gql(
            ENROLL,
            { input: { cohortId, fullName: `Concurrent Trainee ${i + 1}`, homeInstitutionId: i % 2 ? 'vakhidov-surgery-center' : 'national-medical-center' } },
            callers.uzEditor,
          ),
        ),
      );
      const placed = responses.filter((r) => r.body.errors === undefined).map((r) => r.body.data.enrollTrainee.placement);
      const refused = responses.filter((r) => r.body.errors !== undefined).map((r) => r.body.errors!);
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(placed).toHaveLength(5);
      expect(refused).toHaveLength(15);
      for (const placement of placed) expect(placement).toMatchObject({ status: 'ENROLLED', version: 1, cohort: { id: cohortId } });
      for (const errors of refused) {
        expect(errors).toEqual([
          expect.objectContaining({
            message: `cohort ${cohortId} is full: 5 of 5 places taken`,
            extensions: { code: 'BAD_USER_INPUT', field: 'input.cohortId' },
          }),
        ]);
      }

      // The database agrees: five placements in the cohort, their five trainees, two audit entries each, nothing else.
      expect(await count('SELECT COUNT(*) AS n FROM placement WHERE cohort_id = ?', [cohortId])).toBe(5);
      expect(
        await count(
          "SELECT COUNT(*) AS n FROM trainee t JOIN placement p ON p.trainee_id = t.id WHERE p.cohort_id = ? AND t.full_name LIKE 'Concurrent Trainee %'",
          [cohortId],
        ),
      ).toBe(5);
      expect(
        await count("SELECT COUNT(*) AS n FROM audit_entry WHERE mutation = 'enrollTrainee' AND record_id IN (SELECT id FROM placement WHERE cohort_id = ?)", [
          cohortId,
        ]),
      ).toBe(5);
      expect(await fixture.rowCounts()).toEqual({
        ...before,
        trainee: before.trainee + 5,
        placement: before.placement + 5,
        audit_entry: before.audit_entry + 10,
      });
      const names = placed.map((p) => p.trainee.fullName).sort();
      expect(new Set(names).size).toBe(5);

      const { body } = await gql(
        `{ trainingProgram(id: "${programmeId}") { progress { planned enrolled } cohorts { placements { id } } } }`,
        {},
        callers.uzViewer,
      );
      expect(body.data.trainingProgram.progress).toEqual({ planned: 5, enrolled: 5 });
      expect(body.data.trainingProgram.cohorts[0].placements.map((p: { id: string }) => p.id).sort()).toEqual(placed.map((p) => p.id).sort());
    });

    // Each with its own key: the key's claim must not fix the transaction's snapshot before the cohort is locked
    // (on MySQL that let 13 of 20 through), nor may scheduled cohorts pass the programme's maximum of 50.
    test('20 concurrent enrolments with their own keys in a cohort of 5: exactly 5 placements', async () => {
      const {
        cohortIds: [cohortId],
      } = await programmeWithCohorts([5]);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_v, i) =>
          gql(
            ENROLL,
            { input: { cohortId, fullName: `Keyed Trainee ${i + 1}`, homeInstitutionId: 'vakhidov-surgery-center', idempotencyKey: `keyed-${i}` } },
            callers.uzEditor,
          ),
        ),
      );
      expect(responses.filter((r) => r.body.errors === undefined)).toHaveLength(5);
      expect(await count('SELECT COUNT(*) AS n FROM placement WHERE cohort_id = ?', [cohortId])).toBe(5);
      expect(await count('SELECT COUNT(*) AS n FROM idempotent_request WHERE record_id IN (SELECT id FROM placement WHERE cohort_id = ?)', [cohortId])).toBe(5);
    });

    test('60 concurrent keyed cohorts for one programme: at most 50, the others refused naming the maximum', async () => {
      const { programmeId } = await programmeWithCohorts([]);
      const responses = await Promise.all(
        Array.from({ length: 60 }, (_v, i) =>
          gql(
            SCHEDULE,
            { input: { programId: programmeId, hostInstitutionId: 'paul-strauss-center', plannedSize: 1, idempotencyKey: `cohort-${i}` } },
            callers.frEditor,
          ),
        ),
      );
      expect(responses.filter((r) => r.body.errors === undefined)).toHaveLength(50);
      for (const refused of responses.filter((r) => r.body.errors !== undefined)) expect(refused.body.errors[0].message).toMatch(/50/);
      expect(await count('SELECT COUNT(*) AS n FROM cohort WHERE program_id = ?', [programmeId])).toBe(50);
    });

    test('a retry sent again and again with one idempotency key makes one placement', async () => {
      const {
        cohortIds: [cohortId],
      } = await programmeWithCohorts([3]);
      const input = { cohortId, fullName: 'Sequential Retry', homeInstitutionId: 'vakhidov-surgery-center', idempotencyKey: 'sequential-key' };
      const before = await fixture.rowCounts();
      const ids = [];
      for (let attempt = 0; attempt < 4; attempt += 1) {
        const { body } = await gql(ENROLL, { input }, callers.uzEditor);
        expect(body.errors).toBeUndefined();
        ids.push(body.data.enrollTrainee.placement.id);
      }
      expect(new Set(ids).size).toBe(1);
      expect(await count('SELECT COUNT(*) AS n FROM placement WHERE cohort_id = ?', [cohortId])).toBe(1);
      expect(await fixture.rowCounts()).toEqual({
        ...before,
        trainee: before.trainee + 1,
        placement: before.placement + 1,
        idempotent_request: before.idempotent_request + 1,
        audit_entry: before.audit_entry + 2,
      });
    });

    test('5 concurrent retries with one idempotency key make one placement and all get it', async () => {
      const {
        cohortIds: [cohortId],
      } = await programmeWithCohorts([5]);
      const input = { cohortId, fullName: 'Concurrent Retry', homeInstitutionId: 'vakhidov-surgery-center', idempotencyKey: 'concurrent-key' };
      const before = await fixture.rowCounts();
      const responses = await Promise.all(Array.from({ length: 5 }, () => gql(ENROLL, { input }, callers.uzEditor)));
      for (const { body } of responses) expect(body.errors).toBeUndefined();
      const ids = new Set(responses.map((r) => r.body.data.enrollTrainee.placement.id));
      expect(ids.size).toBe(1);
      expect(await count('SELECT COUNT(*) AS n FROM placement WHERE cohort_id = ?', [cohortId])).toBe(1);
      expect(await count('SELECT COUNT(*) AS n FROM idempotent_request WHERE idempotency_key = ?', ['concurrent-key'])).toBe(1);
      expect(await fixture.rowCounts()).toEqual({
        ...before,
        trainee: before.trainee + 1,
        placement: before.placement + 1,
        idempotent_request: before.idempotent_request + 1,
        audit_entry: before.audit_entry + 2,
      });
    });

    test('one idempotency key raced into 5 different cohorts enrols once; the others are told the key was used', async () => {
      const { cohortIds } = await programmeWithCohorts([2, 2, 2, 2, 2]);
      const before = await fixture.rowCounts();
      const responses = await Promise.all(
        cohortIds.map((cohortId) =>
          gql(
            ENROLL,
            { input: { cohortId, fullName: 'Raced Key', homeInstitutionId: 'vakhidov-surgery-center', idempotencyKey: 'raced-key' } },
            callers.uzEditor,
          ),
        ),
      );
      const placed = responses.filter((r) => r.body.errors === undefined);
      expect(placed).toHaveLength(1);
      for (const { body } of responses.filter((r) => r.body.errors !== undefined)) {
        expect(body.errors).toEqual([
          expect.objectContaining({
            extensions: { code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' },
            message: expect.stringMatching(/already used for a different enrolment/),
          }),
        ]);
      }
      expect(await fixture.rowCounts()).toEqual({
        ...before,
        trainee: before.trainee + 1,
        placement: before.placement + 1,
        idempotent_request: before.idempotent_request + 1,
        audit_entry: before.audit_entry + 2,
      });
    });

    test('5 cohorts scheduled at once at a new host add the host once', async () => {
      const { programmeId } = await programmeWithCohorts([]);
      const responses = await Promise.all(
        Array.from({ length: 5 }, () =>
          gql(SCHEDULE, { input: { programId: programmeId, hostInstitutionId: 'gustave-roussy', plannedSize: 3 } }, callers.frEditor),
        ),
      );
      for (const { body } of responses) expect(body.errors).toBeUndefined();
      expect(await count('SELECT COUNT(*) AS n FROM cohort WHERE program_id = ?', [programmeId])).toBe(5);
      expect(await count('SELECT COUNT(*) AS n FROM training_program_host WHERE program_id = ? AND institution_id = ?', [programmeId, 'gustave-roussy'])).toBe(
        1,
      );
      expect(
        await count("SELECT COUNT(*) AS n FROM audit_entry WHERE mutation = 'scheduleCohort' AND record_type = 'TrainingProgram' AND record_id = ?", [
          programmeId,
        ]),
      ).toBe(1);
      const { body } = await gql(`{ trainingProgram(id: "${programmeId}") { hostInstitutions { id } progress { planned } } }`, {}, null);
      expect(body.data.trainingProgram).toEqual({ hostInstitutions: [{ id: 'gustave-roussy' }], progress: { planned: 15 } });
    });

    test('5 concurrent status changes with one version: one wins, the others get CONFLICT', async () => {
      const {
        cohortIds: [cohortId],
      } = await programmeWithCohorts([1]);
      const enrolled = await gql(ENROLL, { input: { cohortId, fullName: 'Raced Status', homeInstitutionId: 'vakhidov-surgery-center' } }, callers.uzEditor);
      const { id } = enrolled.body.data.enrollTrainee.placement;
      const responses = await Promise.all(
        ['COMPLETED', 'WITHDRAWN', 'COMPLETED', 'WITHDRAWN', 'COMPLETED'].map((status) =>
          gql(SET_STATUS, { input: { id, version: 1, status } }, callers.uzEditor),
        ),
      );
      const won = responses.filter((r) => r.body.errors === undefined);
      expect(won).toHaveLength(1);
      expect(responses.filter((r) => r.body.errors?.[0].extensions?.code === 'CONFLICT')).toHaveLength(4);
      const winner = won[0].body.data.setPlacementStatus.placement;
      expect(winner.version).toBe(2);
      expect(await count('SELECT COUNT(*) AS n FROM placement WHERE id = ? AND status = ? AND version = 2', [id, winner.status])).toBe(1);
      expect(await count("SELECT COUNT(*) AS n FROM audit_entry WHERE mutation = 'setPlacementStatus' AND record_id = ?", [id])).toBe(1);
    });
  });
}
