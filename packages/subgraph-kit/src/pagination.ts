import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { badUserInput } from './errors';

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
 * Runs a filtered query as one page of a connection: one COUNT statement for totalCount and one SELECT for
 * the page. `query` must select the entity under `alias` with an `id` column and carry the filters only.
 */
export async function paginate<T extends ObjectLiteral & { id: string }>(query: SelectQueryBuilder<T>, alias: string, args: PageArgs): Promise<Connection<T>> {
  const limit = pageSize(args.first);
  const afterId = args.after === null || args.after === undefined ? undefined : decodeCursor(args.after);
  const totalCount = await query.clone().getCount();
  if (limit === 0) {
    const following =
      afterId === undefined ? totalCount : await query.clone().andWhere(`${alias}.id > :paginationAfterId`, { paginationAfterId: afterId }).getCount();
    return { totalCount, nodes: [], edges: [], pageInfo: { hasNextPage: following > 0, endCursor: null } };
  }
  const page = query
    .clone()
    .orderBy(`${alias}.id`, 'ASC')
    .take(limit + 1);
  if (afterId !== undefined) page.andWhere(`${alias}.id > :paginationAfterId`, { paginationAfterId: afterId });
  const rows = await page.getMany();
  const nodes = rows.slice(0, limit);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    totalCount,
    nodes,
    edges,
    pageInfo: { hasNextPage: rows.length > limit, endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null },
  };
}
