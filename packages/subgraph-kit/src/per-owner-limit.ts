import DataLoader from 'dataloader';
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { pageSize } from './pagination';
import { placeholders, plainRows, readRows, type PlainRows } from './plain-rows';

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
 * The column that names each row's owner in statements read by `ownedRecords`: selected last, after
 * `records.selectList(...)`, so that deleting it from the record is V8's cheap case.
 */
export const OWNER_COLUMN = 'ranked_owner';

/** Rows selected as `records.selectList(alias), <owner> AS ranked_owner` as (owner, record) pairs, in their order. */
export function ownedRecords<V extends ObjectLiteral>(found: Array<Record<string, unknown>>, records: PlainRows<V>): Array<{ owner: string; record: V }> {
  const owners = found.map((row) => {
    const owner = row[OWNER_COLUMN] as string;
    delete row[OWNER_COLUMN];
    return owner;
  });
  return records.hydrate(found).map((record, i) => ({ owner: owners[i], record }));
}

/**
 * Each owner's first `limit` records with the owner they belong to, in each owner's order, in one statement: the owned
 * rows ranked per owner (`ROW_NUMBER() OVER (PARTITION BY owner ...)`, which keeps the work bounded by owners × limit
 * even when an owner has thousands of rows), joined with the records (`records`, by id) their `value` names.
 * Rows whose record is missing are dropped. Plain records, without TypeORM's entity hydration (see PlainRows).
 */
export async function firstRecordsOfOwners<E extends ObjectLiteral, V extends { id: string }>(
  rows: OwnedRows<E>,
  records: PlainRows<V>,
  owners: readonly string[],
  limit: number,
): Promise<Array<{ owner: string; record: V }>> {
  if (owners.length === 0 || limit === 0) return [];
  const { dataSource } = records;
  const owned = plainRows(dataSource, rows.entity);
  const owner = owned.column(rows.owner);
  const sql =
    `SELECT ${records.selectList('r')}, ranked.owner_id AS ${OWNER_COLUMN} FROM (` +
    `SELECT ${owner} AS owner_id, ${owned.column(rows.value)} AS row_value, ` +
    `ROW_NUMBER() OVER (PARTITION BY ${owner} ORDER BY ${rows.orderBy.map((p) => owned.column(p)).join(', ')}) AS owner_rank ` +
    `FROM ${owned.table} WHERE ${owner} IN (${placeholders(owners.length)})` +
    `) ranked JOIN ${records.table} r ON r.${records.column('id')} = ranked.row_value WHERE ranked.owner_rank <= ? ORDER BY ranked.owner_rank`;
  return ownedRecords(await readRows(dataSource, sql, [...owners, limit]), records);
}

/** `firstPerOwnerLoader` over `firstRecordsOfOwners`: each owner's first `first` records, one statement per batch. */
export function firstOwnedRecordsLoader<E extends ObjectLiteral, V extends { id: string }>(rows: OwnedRows<E>, records: PlainRows<V>) {
  return firstPerOwnerLoader((owners, limit) => firstRecordsOfOwners(rows, records, owners, limit));
}
