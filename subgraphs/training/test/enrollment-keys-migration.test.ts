import { createHash } from 'node:crypto';
import { AuditEntry, createDatabase, createLogger, CreateIdempotentRequests1795704000000 } from '@partnership/subgraph-kit';
import { scratchTargets, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import { entities } from '../src/entities';
import { migrations } from '../src/migrations';
import { MoveEnrollmentKeys1795704100000 } from '../src/migrations/1795704100000-move-enrollment-keys';
import { callers, ENROLL, startMutationFixture } from './mutations/fixture';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// Enrolment keys sent before the kit kept every create's keys lived in `enrollment_request`: moved into the kit's
// table, they must keep replaying their placement; rolled back, they are where they were.
for (const target of scratchTargets) {
  target.describe('moving enrolment idempotency keys', () => {
    let scratch: ScratchTarget;
    beforeEach(async () => {
      scratch = await target.open('training-enrollment-keys');
    });
    afterEach(async () => {
      await scratch.dispose();
    });

    test('a key used before the move replays its placement after it, and down puts it back', async () => {
      // The database as the previous release left it, with one enrolment sent with a key.
      const old = createDatabase({
        url: scratch.url,
        name: 'training',
        entities: [...entities, AuditEntry],
        logger: createLogger('training', 'silent'),
        migrations: migrations.slice(0, migrations.indexOf(CreateIdempotentRequests1795704000000)),
      });
      await old.dataSource.initialize();
      await old.dataSource.runMigrations({ transaction: 'each' });
      const q = (sql: string, parameters?: unknown[]) => old.dataSource.query(sql, parameters);
      await q(
        "INSERT INTO training_program (id, title, specialty, status, trainee_country, synthetic) VALUES ('p', 'Programme', 'SURGERY', 'PLANNED', 'UZ', 0)",
      );
      await q("INSERT INTO cohort (id, program_id, host_institution_id, planned_size, synthetic) VALUES ('c', 'p', 'paul-strauss-center', 5, 0)");
      await q("INSERT INTO trainee (id, full_name, home_institution_id, synthetic) VALUES ('t', 'Legacy Trainee', 'vakhidov-surgery-center', 0)");
      await q("INSERT INTO placement (id, cohort_id, trainee_id, status, synthetic, version) VALUES ('pl', 'c', 't', 'ENROLLED', 0, 1)");
      const legacy = {
        subject: sha256(`${callers.uzEditor.partner}\n${callers.uzEditor.subject}`),
        key: 'uz-moh-2026-001',
        inputHash: sha256(JSON.stringify(['c', 'Legacy Trainee', 'vakhidov-surgery-center'])),
      };
      await q('INSERT INTO enrollment_request (subject, idempotency_key, input_hash, placement_id, created_at) VALUES (?, ?, ?, ?, ?)', [
        legacy.subject,
        legacy.key,
        legacy.inputHash,
        'pl',
        '2026-01-20T10:00:00.000Z',
      ]);
      await old.dataSource.destroy();

      const fixture = await startMutationFixture(scratch);
      try {
        const { dataSource } = fixture.server.database;
        const keys = () =>
          dataSource.query('SELECT scope, idempotency_key AS k, mutation, record_id AS r FROM idempotent_request ORDER BY idempotency_key') as Promise<
            unknown[]
          >;
        expect(await keys()).toEqual([{ scope: legacy.subject, k: legacy.key, mutation: 'enrollTrainee', r: 'pl' }]);
        const input = { cohortId: 'c', fullName: 'Legacy Trainee', homeInstitutionId: 'vakhidov-surgery-center', idempotencyKey: legacy.key };
        const before = await fixture.rowCounts();
        const retried = await fixture.gql(ENROLL, { input }, callers.uzEditor);
        expect(retried.body.errors).toBeUndefined();
        expect(retried.body.data.enrollTrainee.placement).toMatchObject({ id: 'pl', status: 'ENROLLED' });
        const changed = await fixture.gql(ENROLL, { input: { ...input, fullName: 'Someone Else' } }, callers.uzEditor);
        expect(changed.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' } });
        expect(await fixture.rowCounts()).toEqual(before);

        // Undone back to before the move (the migrations after it first).
        for (const _later of migrations.slice(migrations.indexOf(MoveEnrollmentKeys1795704100000))) await dataSource.undoLastMigration({ transaction: 'each' });
        expect(await keys()).toEqual([]);
        expect(await dataSource.query('SELECT subject, idempotency_key AS k, input_hash AS h, placement_id AS p FROM enrollment_request')).toEqual([
          { subject: legacy.subject, k: legacy.key, h: legacy.inputHash, p: 'pl' },
        ]);
        await dataSource.runMigrations({ transaction: 'each' });
        expect(await keys()).toEqual([{ scope: legacy.subject, k: legacy.key, mutation: 'enrollTrainee', r: 'pl' }]);
      } finally {
        await fixture.close();
      }
    });
  });
}
