import { createHash } from 'node:crypto';
import type { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';

type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;
/** The part of Apollo's overall cache policy of a request that a fetch may tighten. */
interface CachePolicy {
  restrict(hint: { maxAge: number; scope: 'PUBLIC' }): void;
}

/** Where entities are kept: the gateway cache's store, under its current generation and supergraph. */
export interface EntityStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Starts anew with each mutation that changed something, as the response cache's keys do. */
  generation(): Promise<string>;
  supergraphId(): string | undefined;
}

/** Representations answered from the cache and sent to the subgraph, by subgraph (metrics). */
export type EntityCacheObserver = (subgraphName: string, hits: number, misses: number) => void;

export interface EntityCache {
  /**
   * Runs one subgraph fetch through the cache: when it is an `_entities` fetch of a query, the representations kept
   * are answered from the cache and only the others are sent (`send`, with the same options but fewer
   * representations); none at all when every one was kept. Any other fetch is sent as it is.
   */
  fetch<Context extends { caller?: unknown }>(
    subgraphName: string,
    options: GraphQLDataSourceProcessOptions<Context>,
    send: (options: GraphQLDataSourceProcessOptions<Context>) => Promise<GatewayGraphQLResponse>,
  ): Promise<GatewayGraphQLResponse>;
}

interface KeptEntity {
  /** The entity as the subgraph answered it for this fetch's selection. */
  entity: unknown;
  /** Epoch milliseconds after which the subgraph's hint no longer holds. */
  until: number;
}

/**
 * The entity cache: the response cache's finer half. Whole answers miss whenever any variable changes, yet the
 * entities inside them (an institution's name, a programme's progress) recur across many different answers. Each
 * entity a subgraph returned to an `_entities` fetch is kept, for the `max-age` of that answer, under:
 * - the subgraph, the fetch's query text (less the operation name) and its other variables (the selection, and
 *   arguments such as `first`), so different operations that need the same fields of an entity share it;
 * - the representation (the entity's type and key fields, exactly as the gateway sent them);
 * - whether the caller was anonymous or signed in: the two never share, as with whole answers;
 * - the generation and the supergraph, so a mutation or a new supergraph starts afresh everywhere.
 * Only answers the subgraph marked `public` and that carry no error are kept: an entity read through a protected field
 * (`private`) is never kept. Fetches made for mutations neither read nor fill it: a mutation's answer shows its write.
 */
export function createEntityCache(store: EntityStore, observe: EntityCacheObserver = () => {}): EntityCache {
  // One generation per client request, read at its first entity fetch: with Redis, a read per request, not per fetch.
  const generations = new WeakMap<object, Promise<string>>();
  const generationOf = (request: object) => {
    let generation = generations.get(request);
    if (!generation) {
      generation = store.generation();
      generations.set(request, generation);
    }
    return generation;
  };
  return {
    async fetch(subgraphName, options, send) {
      const representations = options.request.variables?.representations;
      const forQuery = 'incomingRequestContext' in options && options.incomingRequestContext.operation?.operation === 'query';
      if (!forQuery || !Array.isArray(representations) || representations.length === 0) return send(options);

      const { representations: _all, ...otherVariables } = options.request.variables ?? {};
      const caller = options.context.caller ? 'signed-in' : 'anonymous';
      const fetchKey = createHash('sha256')
        .update(JSON.stringify([subgraphName, caller, withoutOperationName(options.request.query), otherVariables]))
        .digest('base64url');
      const prefix = `entity:${store.supergraphId() ?? ''}:${await generationOf(options.incomingRequestContext)}:${fetchKey}:`;
      const keys = representations.map((representation) => prefix + JSON.stringify(representation));
      const now = Date.now();
      const kept = await Promise.all(keys.map(async (key) => readKept(await store.get(key), now)));
      const missing = kept.flatMap((entry, index) => (entry ? [] : [index]));
      observe(subgraphName, representations.length - missing.length, missing.length);

      const soonestEnd = Math.min(...kept.map((entry) => entry?.until ?? Number.POSITIVE_INFINITY));
      if (Number.isFinite(soonestEnd)) {
        // Kept entities shorten the whole answer's life to theirs, as a subgraph's hint would.
        const policy = options.incomingRequestContext.overallCachePolicy as Partial<CachePolicy> | undefined;
        policy?.restrict?.({ maxAge: Math.max(0, Math.floor((soonestEnd - now) / 1000)), scope: 'PUBLIC' });
      }
      if (missing.length === 0) return { data: { _entities: kept.map((entry) => entry?.entity) } };

      const partial = missing.length < representations.length;
      const response = await send(
        partial
          ? { ...options, request: { ...options.request, variables: { ...otherVariables, representations: missing.map((index) => representations[index]) } } }
          : options,
      );
      const fresh = (response.data as { _entities?: unknown } | null | undefined)?._entities;
      const ttlSeconds = publicMaxAge(response);
      if (Array.isArray(fresh) && fresh.length === missing.length && !response.errors?.length && ttlSeconds > 0) {
        const until = now + ttlSeconds * 1000;
        await Promise.all(missing.map((index, j) => store.set(keys[index], JSON.stringify({ entity: fresh[j], until } satisfies KeptEntity), ttlSeconds)));
      }
      if (!partial) return response;
      return mergeEntities(response, kept, missing);
    },
  };
}

/** The fetch's query without its name: the gateway names each fetch after the client's operation, which changes nothing in its answer. */
function withoutOperationName(query: string | undefined): string {
  return (query ?? '').replace(/^\s*query\s+[_A-Za-z][_0-9A-Za-z]*/, 'query');
}

function readKept(value: string | undefined, now: number): KeptEntity | undefined {
  if (value === undefined) return undefined;
  const kept = JSON.parse(value) as KeptEntity;
  return kept.until > now ? kept : undefined;
}

/** The `max-age` of a subgraph answer marked `public`; 0 for anything else (private, no-store, no header). */
function publicMaxAge(response: GatewayGraphQLResponse): number {
  const header = (response as { http?: { headers: { get(name: string): string | null } } }).http?.headers.get('cache-control') ?? '';
  if (!/(^|[\s,])public($|[\s,])/.test(header)) return 0;
  const maxAge = /(^|[\s,])max-age=(\d+)/.exec(header);
  return maxAge ? Number(maxAge[2]) : 0;
}

/**
 * The answer to the whole fetch: kept entities in their places, the subgraph's answers for the `missing` ones in
 * theirs, and the subgraph's error paths (`_entities.<j>...`) pointed at the entities they belong to. When the
 * subgraph answered no entities at all (it failed), the missing ones are null: only they carry its errors.
 */
export function mergeEntities(
  response: GatewayGraphQLResponse,
  kept: ReadonlyArray<KeptEntity | undefined>,
  missing: readonly number[],
): GatewayGraphQLResponse {
  const fresh = (response.data as { _entities?: unknown } | null | undefined)?._entities;
  const entities = kept.map((entry) => entry?.entity ?? null);
  missing.forEach((index, j) => {
    entities[index] = Array.isArray(fresh) ? (fresh[j] ?? null) : null;
  });
  const errors = response.errors?.map((error) => {
    const path = error.path;
    if (path?.[0] !== '_entities' || typeof path[1] !== 'number' || missing[path[1]] === undefined) return error;
    return { ...error, path: ['_entities', missing[path[1]], ...path.slice(2)] };
  });
  return { ...response, data: { ...(response.data ?? {}), _entities: entities }, ...(errors ? { errors } : {}) };
}
