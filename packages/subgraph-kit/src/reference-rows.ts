import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** Rows of one table that a subgraph ships as reference data, identified by `key` columns (property names). */
export interface ReferenceTable<T extends ObjectLiteral = ObjectLiteral> {
  entity: EntityTarget<T>;
  rows: T[];
  key: Array<keyof T & string>;
}

const CHUNK = 200;

/**
 * Inserts the reference rows that are missing, in one transaction, parents before children (table order).
 * Existing rows are left as they are, so a second start changes nothing and edits made since are kept.
 * Returns how many rows were inserted.
 */
export async function loadReferenceRows(dataSource: DataSource, tables: ReferenceTable[]): Promise<number> {
  return dataSource.transaction(async (manager) => {
    let inserted = 0;
    for (const table of tables) {
      const existing = await existingKeys(manager, table);
      const missing = table.rows.filter((row) => !existing.has(keyOf(row, table.key)));
      await insertRows(manager, table.entity, missing);
      inserted += missing.length;
    }
    return inserted;
  });
}

/** Inserts rows in multi-row INSERT statements of at most 200 rows (inside the caller's transaction). */
export async function insertRows<T extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<T>, rows: T[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(rows.slice(i, i + CHUNK))
      .execute();
  }
}

/** The matching down: deletes the reference rows (children first), leaving every other row alone. */
export async function removeReferenceRows(dataSource: DataSource, tables: ReferenceTable[]): Promise<void> {
  await dataSource.transaction(async (manager) => {
    for (const table of [...tables].reverse()) {
      const [first, ...rest] = table.key;
      for (const row of table.rows) {
        const where = Object.fromEntries([first, ...rest].map((k) => [k, row[k]]));
        await manager.getRepository(table.entity).delete(where);
      }
    }
  });
}

async function existingKeys(manager: EntityManager, table: ReferenceTable): Promise<Set<string>> {
  if (table.rows.length === 0) return new Set();
  const [first] = table.key;
  const firstValues = [...new Set(table.rows.map((row) => row[first] as unknown))];
  const found: ObjectLiteral[] = [];
  for (let i = 0; i < firstValues.length; i += CHUNK) {
    found.push(
      ...(await manager
        .getRepository(table.entity)
        .createQueryBuilder('r')
        .select(table.key.map((k) => `r.${k}`))
        .where(`r.${first} IN (:...values)`, { values: firstValues.slice(i, i + CHUNK) })
        .getMany()),
    );
  }
  return new Set(found.map((row) => keyOf(row, table.key)));
}

function keyOf(row: ObjectLiteral, key: string[]): string {
  return JSON.stringify(key.map((k) => row[k]));
}
