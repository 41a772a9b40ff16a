import DataLoader from 'dataloader';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { pageSize } from './pagination';

/** Which rows of a table belong to an owner, what to return of each, and in which order an owner's rows come. */
export interface OwnedRows<E extends ObjectLiteral> {
  entity: EntityTarget<E>;
  /** The property that holds the owner's id (`institutionId`). */
  owner: keyof E & string;
  /** The property returned for each row: the row's own id, or the id of the record a link row points to. */
  value: keyof E & string;
  /** Properties that order an owner's rows (ascending); the first `limit` of them are returned. */
  orderBy: Array<keyof E & string>;
}

/**
 * The first `limit` rows of each owner, as (owner, value) pairs in each owner's order, in one statement whatever the
 * number of owners: `ROW_NUMBER() OVER (PARTITION BY owner ...)` keeps the work bounded by owners × limit even when an
 * owner has thousands of rows (MySQL 8, MariaDB 10.2 and SQLite 3.25 have window functions).
 */
export async function firstRowsPerOwner<E extends ObjectLiteral>(
  dataSource: DataSource,
  rows: OwnedRows<E>,
  owners: readonly string[],
  limit: number,
): Promise<Array<{ owner: string; value: string }>> {
  if (owners.length === 0 || limit === 0) return [];
  const metadata = dataSource.getMetadata(rows.entity);
  const column = (property: string) => {
    const found = metadata.findColumnWithPropertyName(property);
    if (!found) throw new Error(`${metadata.name} has no column for property ${property}`);
    return dataSource.driver.escape(found.databaseName);
  };
  const owner = column(rows.owner);
  const order = rows.orderBy.map(column).join(', ');
  const placeholders = owners.map(() => '?').join(', ');
  const sql =
    `SELECT owner_id, row_value FROM (` +
    `SELECT ${owner} AS owner_id, ${column(rows.value)} AS row_value, ROW_NUMBER() OVER (PARTITION BY ${owner} ORDER BY ${order}) AS owner_rank ` +
    `FROM ${dataSource.driver.escape(metadata.tableName)} WHERE ${owner} IN (${placeholders})` +
    `) ranked WHERE owner_rank <= ? ORDER BY owner_rank`;
  const found = (await dataSource.query(sql, [...owners, limit])) as Array<{ owner_id: string; row_value: string }>;
  return found.map((row) => ({ owner: row.owner_id, value: row.row_value }));
}

/**
 * A per-request loader of an owner's first `first` records (a list field with a `first` argument): one DataLoader per
 * distinct `first`, so sibling fields asking for the same page size share one batch. `first` is checked like a
 * connection's (0–100, default 20).
 */
export function firstPerOwnerLoader<V>(fetch: (owners: readonly string[], limit: number) => Promise<Array<{ owner: string; record: V }>>) {
  const bySize = new Map<number, DataLoader<string, V[]>>();
  return (first: number | null | undefined): DataLoader<string, V[]> => {
    const limit = pageSize(first);
    let loader = bySize.get(limit);
    if (loader === undefined) {
      loader = new DataLoader<string, V[]>(async (owners) => {
        const byOwner = new Map<string, V[]>(owners.map((owner) => [owner, []]));
        for (const { owner, record } of await fetch(owners, limit)) byOwner.get(owner)?.push(record);
        return owners.map((owner) => byOwner.get(owner) ?? []);
      });
      bySize.set(limit, loader);
    }
    return loader;
  };
}

/**
 * Records for (owner, id) pairs: one `WHERE id IN (...)` for all of them, each owner's records in the pairs' order;
 * pairs whose record is missing are dropped.
 */
export async function recordsOfPairs<V extends { id: string }>(
  pairs: Array<{ owner: string; value: string }>,
  fetch: (ids: string[]) => Promise<V[]>,
): Promise<Array<{ owner: string; record: V }>> {
  if (pairs.length === 0) return [];
  const byId = new Map((await fetch([...new Set(pairs.map((p) => p.value))])).map((record) => [record.id, record]));
  return pairs.flatMap(({ owner, value }) => {
    const record = byId.get(value);
    return record === undefined ? [] : [{ owner, record }];
  });
}

/** `firstPerOwnerLoader` over `firstRowsPerOwner`: each owner's first `first` records, two statements per batch. */
export function firstRecordsPerOwnerLoader<E extends ObjectLiteral, V extends { id: string }>(
  dataSource: DataSource,
  rows: OwnedRows<E>,
  fetch: (ids: string[]) => Promise<V[]>,
) {
  return firstPerOwnerLoader(async (owners, limit) => recordsOfPairs(await firstRowsPerOwner(dataSource, rows, owners, limit), fetch));
}
