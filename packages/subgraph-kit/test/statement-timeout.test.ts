import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createDatabase, isStatementTimeout, openAndMigrate, type Database } from '../src/data-source';
import { createLogger } from '../src/logger';
import { buildSubgraph } from '../src/server';
import { createScratchMysqlDatabase, describeOnMysql, postGraphQL, type ScratchDatabase } from '../src/testing';
import { CreateNotes1795700500000, fixtureSubgraph, Note } from './fixture-subgraph';

/** A migration slower than the statement limit the tests set. */
class SlowMigration1795700600000 implements MigrationInterface {
  name = 'SlowMigration1795700600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('SELECT SLEEP(1)');
  }

  async down(): Promise<void> {}
}

const logger = createLogger('fixture', 'silent');

describeOnMysql('the statement time limit', () => {
  let scratch: ScratchDatabase;
  let db: Database;

  beforeEach(async () => {
    scratch = await createScratchMysqlDatabase('statement_limit');
    db = createDatabase({
      url: scratch.url,
      name: 'fixture',
      entities: [Note],
      migrations: [CreateNotes1795700500000, SlowMigration1795700600000],
      logger,
      statementTimeoutMs: 300,
    });
  });
  afterEach(async () => {
    if (db.dataSource.isInitialized) await db.dataSource.destroy();
    await scratch.drop();
  });

  test('a deliberately slow statement fails with a timeout error, quickly', async () => {
    await openAndMigrate(db, logger);
    const started = Date.now();
    // Billions of rows: minutes of work without the limit.
    const crossJoin = 'SELECT COUNT(*) AS n FROM information_schema.COLUMNS a, information_schema.COLUMNS b, information_schema.COLUMNS c';
    const failure = await db.dataSource.query(crossJoin).catch((err: unknown) => err);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(isStatementTimeout(failure)).toBe(true);
    expect(String(failure)).toMatch(/max_statement_time|maximum statement execution time/);
  });

  test('migrations are not cut by it, and every connection has it afterwards', async () => {
    await openAndMigrate(db, logger);
    const limits = await Promise.all(Array.from({ length: 4 }, () => db.dataSource.query('SELECT @@max_statement_time AS s, SLEEP(0.05) AS z')));
    expect(limits.map(([row]: Array<{ s: string | number }>) => Number(row.s))).toEqual([0.3, 0.3, 0.3, 0.3]);
    expect(await db.dataSource.query('SELECT SLEEP(1) AS s').catch(isStatementTimeout)).toBe(true);
  });

  test('through GraphQL a statement stopped by it is a TIMEOUT error saying so', async () => {
    const server = await buildSubgraph(fixtureSubgraph, { port: 0, databaseUrl: scratch.url, statementTimeoutMs: 300 });
    try {
      const url = await server.listen(0);
      const { body } = await postGraphQL<any>(url, '{ slowStatement(seconds: 2) }');
      expect(body.errors).toEqual([
        expect.objectContaining({ message: 'A database statement ran longer than 300 ms and was stopped', extensions: { code: 'TIMEOUT' } }),
      ]);
    } finally {
      await server.stop();
    }
  });
});
