import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { badUserInput } from './errors';
import { plainRows, readRows } from './plain-rows';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Connection<T> {
  totalCount: number;
  nodes: T[];
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

// Cursors are opaque to clients; inside they carry the id of the last row seen, so pages stay stable
// while rows are added before or after them (keyset pagination, ordered by id).
const CURSOR_PREFIX = 'id:';

export function encodeCursor(id: string): string {
  return Buffer.from(CURSOR_PREFIX + id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): string {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!text.startsWith(CURSOR_PREFIX) || text.length === CURSOR_PREFIX.length) {
    throw badUserInput(`${field} must be a cursor returned by this API (pageInfo.endCursor or edges.cursor)`, field);
  }
  return text.slice(CURSOR_PREFIX.length);
}

export function pageSize(first: number | null | undefined, field = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`${field} must be an integer from 0 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})`, field);
  }
  return first;
}

/**
 * Runs a filtered query as one page of a connection, in one statement: the page's rows, each with the number of rows
 * the filter matches on all pages (an uncorrelated subquery, counted once). A page after a cursor that comes back empty
 * costs one more statement, for that count. `query` must select the entity under `alias` with an `id` column and carry
 * the filters only. The records are plain objects (see PlainRows), not TypeORM entities.
 */
export async function paginate<T extends ObjectLiteral & { id: string }>(query: SelectQueryBuilder<T>, alias: string, args: PageArgs): Promise<Connection<T>> {
  const limit = pageSize(args.first);
  const afterId = args.after === null || args.after === undefined ? undefined : decodeCursor(args.after);
  if (limit === 0) {
    const totalCount = await query.clone().getCount();
    const following =
      afterId === undefined ? totalCount : await query.clone().andWhere(`${alias}.id > :paginationAfterId`, { paginationAfterId: afterId }).getCount();
    return { totalCount, nodes: [], edges: [], pageInfo: { hasNextPage: following > 0, endCursor: null } };
  }
  const records = plainRows<T>(query.connection, query.expressionMap.mainAlias!.target);
  const count = query.clone().select('COUNT(1)').getQuery();
  const page = query
    .clone()
    .select(records.selectList(alias))
    .addSelect(`(${count})`, TOTAL)
    .orderBy(`${alias}.id`, 'ASC')
    .limit(limit + 1);
  if (afterId !== undefined) page.andWhere(`${alias}.id > :paginationAfterId`, { paginationAfterId: afterId });
  const [sql, parameters] = page.getQueryAndParameters();
  const rows = await readRows(query.connection, sql, parameters);
  let totalCount = 0;
  if (rows.length > 0) totalCount = Number(rows[0][TOTAL]);
  else if (afterId !== undefined) totalCount = await query.clone().getCount();
  // The count is the rows' last column: deleting it is V8's cheap case.
  for (const row of rows) delete row[TOTAL];
  const nodes = records.hydrate(rows.slice(0, limit));
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    totalCount,
    nodes,
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null },
  };
}

const TOTAL = 'pagination_total_count';
