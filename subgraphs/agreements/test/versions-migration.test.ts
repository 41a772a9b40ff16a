import { createDatabase, createLogger } from '@partnership/subgraph-kit';
import { scratchTargets, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import { agreementsSubgraph } from '../src/definition';
import { AddVersions1795701100000 } from '../src/migrations/1795701100000-add-versions';
import { createAgreementsServer } from '../src/server';

// TypeORM rebuilds a SQLite table to add or drop a column, and a rebuilt `agreement` table would take its parties,
// areas and milestones with it (ON DELETE CASCADE): every row must survive the version migration, down and up.
for (const target of scratchTargets) {
  target.describe('the version migration on a database with data', () => {
    let scratch: ScratchTarget;
    beforeAll(async () => {
      scratch = await target.open('agreements-versions');
      const server = await createAgreementsServer({ port: 0, databaseUrl: scratch.url });
      await server.stop();
    });
    afterAll(async () => {
      await scratch?.dispose();
    });

    test('down and up again keep every agreement, party, area and milestone; versions start at 1', async () => {
      const db = createDatabase({
        url: scratch.url,
        name: 'agreements',
        entities: agreementsSubgraph.entities,
        migrations: agreementsSubgraph.migrations,
        logger: createLogger('agreements', 'silent'),
      });
      await db.dataSource.initialize();
      try {
        const count = async (table: string) =>
          Number(((await db.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`)) as Array<{ n: number | string }>)[0].n);
        const tables = ['agreement', 'agreement_area', 'agreement_party', 'agreement_related_event', 'milestone'];
        const before = await Promise.all(tables.map(count));
        expect(before.every((n) => n > 0)).toBe(true);

        // Undone back to before the version migration (the migrations after it first).
        const fromVersions = agreementsSubgraph.migrations.slice(agreementsSubgraph.migrations.indexOf(AddVersions1795701100000));
        for (const _later of fromVersions) await db.dataSource.undoLastMigration({ transaction: 'each' });
        const runner = db.dataSource.createQueryRunner();
        try {
          expect((await runner.getTable('agreement'))?.findColumnByName('version')).toBeUndefined();
        } finally {
          await runner.release();
        }
        expect(await Promise.all(tables.map(count))).toEqual(before);

        const applied = await db.dataSource.runMigrations({ transaction: 'each' });
        expect(applied.map((m) => m.name)).toEqual(fromVersions.map((m) => m.name));
        expect(await Promise.all(tables.map(count))).toEqual(before);
        const versions = (await db.dataSource.query('SELECT DISTINCT version FROM agreement UNION SELECT DISTINCT version FROM milestone')) as Array<{
          version: number;
        }>;
        expect(versions.map((v) => Number(v.version))).toEqual([1]);
      } finally {
        await db.dataSource.destroy();
      }
    });
  });
}
