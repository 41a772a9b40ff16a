import type { QueryRunner } from 'typeorm';

/**
 * Drops columns in a migration's `down` without losing rows elsewhere. On SQLite, TypeORM's dropColumn rebuilds the
 * table (copy, DROP, rename); `undoLastMigration` runs that inside its transaction, where turning foreign keys off
 * has no effect, so the DROP cascades to every child table. SQLite's own `ALTER TABLE ... DROP COLUMN` does not
 * rebuild. MySQL drops in place either way.
 */
export async function dropColumns(queryRunner: QueryRunner, table: string, columns: string[]): Promise<void> {
  if (queryRunner.connection.options.type !== 'better-sqlite3') {
    await queryRunner.dropColumns(table, columns);
    return;
  }
  for (const column of columns) await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "${column}"`);
}
