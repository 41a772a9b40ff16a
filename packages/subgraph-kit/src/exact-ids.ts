import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The database default (`createScratchMysqlDatabase`, docker/mysql-init.sh): case- and accent-insensitive. */
const DEFAULT_COLLATION = 'utf8mb4_unicode_ci';

interface TextColumn {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

/**
 * Makes MySQL compare ids exactly. Under the database's case-insensitive collation, `WHERE id = 'Gustave-Roussy'`
 * finds `gustave-roussy`, so a write checked the wrong-case id, found the record and stored the client's spelling,
 * which then matched nothing on SQLite or in the gateway's joins. With a binary collation an id is its canonical
 * spelling or nothing. Applies to every text column named `id`, `*_id` or `*_key` (keys of idempotent requests):
 * foreign keys must agree on collation, so the constraints on those columns are dropped and made again around the
 * change. SQLite already compares text byte for byte: nothing to do there.
 */
export async function compareIdsExactly(queryRunner: QueryRunner, chosen?: string): Promise<void> {
  if (queryRunner.connection.options.type !== 'mysql') return;
  const collation = chosen ?? (await exactCollation(queryRunner));
  const columns = await idColumns(queryRunner, collation);
  if (columns.length === 0) return;
  const tables = [...new Set(columns.map((c) => c.table))];
  const constraints = await foreignKeysOf(queryRunner, tables);
  for (const fk of constraints) await queryRunner.query(`ALTER TABLE \`${fk.table}\` DROP FOREIGN KEY \`${fk.name}\``);
  for (const table of tables) {
    const changes = columns
      .filter((c) => c.table === table)
      .map((c) => `MODIFY \`${c.column}\` ${c.type} CHARACTER SET utf8mb4 COLLATE ${collation} ${c.nullable ? 'NULL' : 'NOT NULL'}`);
    await queryRunner.query(`ALTER TABLE \`${table}\` ${changes.join(', ')}`);
  }
  for (const fk of constraints) {
    await queryRunner.query(
      `ALTER TABLE \`${fk.table}\` ADD CONSTRAINT \`${fk.name}\` FOREIGN KEY (${fk.columns}) REFERENCES \`${fk.referencedTable}\` (${fk.referencedColumns}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`,
    );
  }
}

/**
 * How MySQL compares ids and keys exactly, byte for byte as SQLite does, trailing spaces included (utf8mb4_bin pads
 * them away): MySQL 8 calls it utf8mb4_0900_bin, MariaDB utf8mb4_nopad_bin; older servers only have utf8mb4_bin.
 * Every exact column uses the same one, since MySQL refuses to compare columns of two collations.
 */
export async function exactCollation(queryRunner: QueryRunner): Promise<string> {
  const preferred = ['utf8mb4_0900_bin', 'utf8mb4_nopad_bin', 'utf8mb4_bin'];
  const sql = `SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN (${preferred.map(() => '?').join(', ')})`;
  const rows = (await queryRunner.query(sql, preferred)) as Array<{ name: string }>;
  return preferred.find((name) => rows.some((row) => row.name === name)) ?? 'utf8mb4_bin';
}

/** The `down` of `compareIdsExactly`: ids compare as the database's default collation does. */
export function compareIdsByDefaultCollation(queryRunner: QueryRunner): Promise<void> {
  return compareIdsExactly(queryRunner, DEFAULT_COLLATION);
}

async function idColumns(queryRunner: QueryRunner, collation: string): Promise<TextColumn[]> {
  const rows = (await queryRunner.query(
    `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS columnName, COLUMN_TYPE AS columnType, IS_NULLABLE AS isNullable
       FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE IN ('varchar', 'char') AND COLLATION_NAME <> ?
        AND (COLUMN_NAME = 'id' OR COLUMN_NAME LIKE '%\\_id' OR COLUMN_NAME LIKE '%\\_key')
        AND TABLE_NAME <> 'migrations'
      ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [collation],
  )) as Array<{ tableName: string; columnName: string; columnType: string; isNullable: string }>;
  return rows.map((r) => ({ table: r.tableName, column: r.columnName, type: r.columnType, nullable: r.isNullable === 'YES' }));
}

interface ForeignKey {
  name: string;
  table: string;
  referencedTable: string;
  /** Quoted, comma-separated, in key order. */
  columns: string;
  referencedColumns: string;
  onDelete: string;
  onUpdate: string;
}

/** Every foreign key of this database that starts or ends at one of `tables`, read from information_schema. */
async function foreignKeysOf(queryRunner: QueryRunner, tables: string[]): Promise<ForeignKey[]> {
  const rows = (await queryRunner.query(
    `SELECT k.CONSTRAINT_NAME AS name, k.TABLE_NAME AS tableName, k.REFERENCED_TABLE_NAME AS referencedTable,
            k.COLUMN_NAME AS columnName, k.REFERENCED_COLUMN_NAME AS referencedColumn, r.DELETE_RULE AS onDelete, r.UPDATE_RULE AS onUpdate
       FROM information_schema.KEY_COLUMN_USAGE k
       JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
      WHERE k.CONSTRAINT_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
  )) as Array<{ name: string; tableName: string; referencedTable: string; columnName: string; referencedColumn: string; onDelete: string; onUpdate: string }>;
  const byName = new Map<string, ForeignKey>();
  for (const row of rows) {
    if (!tables.includes(row.tableName) && !tables.includes(row.referencedTable)) continue;
    const key = `${row.tableName}.${row.name}`;
    const fk = byName.get(key);
    if (fk === undefined) {
      byName.set(key, {
        name: row.name,
        table: row.tableName,
        referencedTable: row.referencedTable,
        columns: `\`${row.columnName}\``,
        referencedColumns: `\`${row.referencedColumn}\``,
        onDelete: row.onDelete,
        onUpdate: row.onUpdate,
      });
    } else {
      fk.columns += `, \`${row.columnName}\``;
      fk.referencedColumns += `, \`${row.referencedColumn}\``;
    }
  }
  return [...byName.values()];
}

/** Every subgraph lists this after its own migrations: from here on, MySQL compares its ids exactly. */
export class CompareIdsExactly1795703000000 implements MigrationInterface {
  name = 'CompareIdsExactly1795703000000';

  up(queryRunner: QueryRunner): Promise<void> {
    return compareIdsExactly(queryRunner);
  }

  down(queryRunner: QueryRunner): Promise<void> {
    return compareIdsByDefaultCollation(queryRunner);
  }
}
