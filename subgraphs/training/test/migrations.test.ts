import { AuditEntry, createDatabase, createLogger, type Database } from '@partnership/subgraph-kit';
import { scratchTargets, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import { entities } from '../src/entities';
import { migrations } from '../src/migrations';
import { AddTrainingWrites1795701200000 } from '../src/migrations/1795701200000-add-training-writes';

// Migrations run on databases that already hold data: adding the write support must keep every trainee and
// placement as it was (TypeORM's changeColumn would drop and re-add a MySQL column whose length changes).
for (const target of scratchTargets) {
  target.describe('training migrations on a database with data', () => {
    let scratch: ScratchTarget;
    beforeEach(async () => {
      scratch = await target.open('training-migrations');
    });
    afterEach(async () => {
      await scratch.dispose();
    });

    const open = async (upTo: readonly Function[]): Promise<Database> => {
      const db = createDatabase({
        url: scratch.url,
        name: 'training',
        entities: [...entities, AuditEntry],
        migrations: [...upTo],
        logger: createLogger('training', 'silent'),
      });
      await db.dataSource.initialize();
      await db.dataSource.runMigrations({ transaction: 'each' });
      return db;
    };

    test('adding placement versions, longer names and idempotency keys keeps existing trainees and placements', async () => {
      const before = migrations.slice(0, migrations.indexOf(AddTrainingWrites1795701200000));
      const old = await open(before);
      const q = (sql: string) => old.dataSource.query(sql);
      await q(
        "INSERT INTO training_program (id, title, specialty, status, trainee_country, synthetic) VALUES ('p', 'Programme', 'SURGERY', 'PLANNED', 'UZ', 0)",
      );
      await q("INSERT INTO cohort (id, program_id, host_institution_id, planned_size, synthetic) VALUES ('c', 'p', 'paul-strauss-center', 5, 0)");
      await q("INSERT INTO trainee (id, full_name, home_institution_id, synthetic) VALUES ('t', 'Céline Ташкентова', 'vakhidov-surgery-center', 0)");
      await q("INSERT INTO placement (id, cohort_id, trainee_id, status, synthetic) VALUES ('pl', 'c', 't', 'COMPLETED', 0)");
      await old.dataSource.destroy();

      const current = await open(migrations);
      try {
        const read = async () =>
          (await current.dataSource.query(
            'SELECT t.full_name AS name, p.status AS status, p.version AS version FROM placement p JOIN trainee t ON t.id = p.trainee_id',
          )) as Array<Record<string, unknown>>;
        expect(await read()).toEqual([{ name: 'Céline Ташкентова', status: 'COMPLETED', version: 1 }]);
        const long = `L${'é'.repeat(299)}`;
        await current.dataSource.query(`UPDATE trainee SET full_name = '${long}' WHERE id = 't'`);
        expect((await read())[0].name).toBe(long);

        // Rolled back, the names are cut to the old 200 characters, never lost; up again, all is as before.
        for (const _later of migrations.slice(migrations.indexOf(AddTrainingWrites1795701200000)))
          await current.dataSource.undoLastMigration({ transaction: 'each' });
        const [row] = (await current.dataSource.query("SELECT full_name AS name FROM trainee WHERE id = 't'")) as Array<{ name: string }>;
        expect(row.name).toBe(long.slice(0, 200));
        const runner = current.dataSource.createQueryRunner();
        expect(await runner.hasTable('enrollment_request')).toBe(false);
        await runner.release();
        await current.dataSource.runMigrations({ transaction: 'each' });
        expect(await read()).toEqual([{ name: long.slice(0, 200), status: 'COMPLETED', version: 1 }]);
      } finally {
        await current.dataSource.destroy();
      }
    });
  });
}
