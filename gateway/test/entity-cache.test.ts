import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { createEntityCache, type EntityStore } from '../src/entity-cache';

// The over-HTTP behaviour (real subgraphs, real SQL) is in tests/entity-cache.e2e.ts; these pin the merge rules,
// which a subgraph that works never exercises: failures and errors inside a partly kept fetch.

type Options = GraphQLDataSourceProcessOptions<{ caller?: unknown }>;
type Response = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; path?: Array<string | number> }>; http?: unknown };

const QUERY = 'query Op__institutions__1($representations:[_Any!]!){_entities(representations:$representations){...on Institution{name}}}';
const rep = (id: string) => ({ __typename: 'Institution', id });

function fetchOptions(ids: string[], operation: 'query' | 'mutation' = 'query', query = QUERY): Options {
  return {
    kind: 'incoming operation',
    request: { query, variables: { representations: ids.map(rep) } },
    context: { caller: null },
    incomingRequestContext: { operation: { operation }, overallCachePolicy: { restrict: () => {} } },
  } as unknown as Options;
}

function answer(entities: unknown[] | null, cacheControl = 'max-age=60, public', errors?: Response['errors']): Response {
  return {
    data: entities === null ? null : { _entities: entities },
    ...(errors && { errors }),
    http: { headers: new Headers({ 'cache-control': cacheControl }) },
  };
}

/** A subgraph that answers each representation with its id as name, and records what it was asked. */
function subgraph(respond: (ids: string[]) => Response = (ids) => answer(ids.map((id) => ({ name: id })))) {
  const asked: string[][] = [];
  const send = async (options: Options) => {
    const ids = (options.request.variables?.representations as Array<{ id: string }> | undefined)?.map((r) => r.id) ?? [];
    asked.push(ids);
    return respond(ids) as never;
  };
  return { asked, send };
}

function memoryStore(): EntityStore {
  const cache = new InMemoryLRUCache<string>();
  return {
    get: (key) => cache.get(key),
    set: (key, value, ttl) => cache.set(key, value, { ttl }),
    generation: async () => 'g1',
    supergraphId: () => 's1',
  };
}

describe('the entity cache', () => {
  test('asks only for the entities it does not keep, and puts every answer in its place', async () => {
    const cache = createEntityCache(memoryStore());
    const warm = subgraph();
    await cache.fetch('institutions', fetchOptions(['b', 'd']), warm.send);
    const cold = subgraph();
    const merged = await cache.fetch('institutions', fetchOptions(['a', 'b', 'c', 'd']), cold.send);
    expect(cold.asked).toEqual([['a', 'c']]);
    expect(merged.data).toEqual({ _entities: ['a', 'b', 'c', 'd'].map((name) => ({ name })) });
    // All kept now: the subgraph is not asked at all.
    const none = subgraph();
    expect((await cache.fetch('institutions', fetchOptions(['d', 'a']), none.send)).data).toEqual({ _entities: [{ name: 'd' }, { name: 'a' }] });
    expect(none.asked).toEqual([]);
  });

  test("points the subgraph's error paths at the entities they belong to, and keeps nothing from an answer with errors", async () => {
    const cache = createEntityCache(memoryStore());
    await cache.fetch('institutions', fetchOptions(['b']), subgraph().send);
    const failing = subgraph((ids) =>
      answer([{ name: ids[0] }, null], 'no-store', [{ message: 'gone', path: ['_entities', 1, 'name'] }, { message: 'no path' }]),
    );
    const merged = await cache.fetch('institutions', fetchOptions(['a', 'b', 'c']), failing.send);
    expect(failing.asked).toEqual([['a', 'c']]);
    expect(merged.data).toEqual({ _entities: [{ name: 'a' }, { name: 'b' }, null] });
    expect(merged.errors).toEqual([{ message: 'gone', path: ['_entities', 2, 'name'] }, { message: 'no path' }]);
    const again = subgraph();
    await cache.fetch('institutions', fetchOptions(['a', 'c']), again.send);
    expect(again.asked).toEqual([['a', 'c']]);
  });

  test('a subgraph that answers no entities at all nulls only those it was asked for', async () => {
    const cache = createEntityCache(memoryStore());
    await cache.fetch('institutions', fetchOptions(['a']), subgraph().send);
    const down = subgraph(() => ({ data: null, errors: [{ message: 'HTTP fetch failed' }] }));
    const merged = await cache.fetch('institutions', fetchOptions(['a', 'b']), down.send);
    expect(merged.data).toEqual({ _entities: [{ name: 'a' }, null] });
    expect(merged.errors).toEqual([{ message: 'HTTP fetch failed' }]);
  });

  test('keeps nothing private, nothing for mutations, and nothing past its max-age', async () => {
    const store = memoryStore();
    const cache = createEntityCache(store);
    await cache.fetch(
      'institutions',
      fetchOptions(['a']),
      subgraph((ids) =>
        answer(
          ids.map((name) => ({ name })),
          'max-age=60, private',
        ),
      ).send,
    );
    await cache.fetch('institutions', fetchOptions(['b'], 'mutation'), subgraph().send);
    const later = subgraph();
    await cache.fetch('institutions', fetchOptions(['a', 'b']), later.send);
    expect(later.asked).toEqual([['a', 'b']]);
    // A mutation's fetch reads nothing kept either.
    const forMutation = subgraph();
    await cache.fetch('institutions', fetchOptions(['a'], 'mutation'), forMutation.send);
    expect(forMutation.asked).toEqual([['a']]);

    const realNow = Date.now;
    try {
      Date.now = () => realNow() + 61_000;
      const expired = subgraph();
      await cache.fetch('institutions', fetchOptions(['a']), expired.send);
      expect(expired.asked).toEqual([['a']]);
    } finally {
      Date.now = realNow;
    }
  });

  test("a client request's fetches read the generation once; the next request reads it again", async () => {
    let reads = 0;
    const cache = createEntityCache({ ...memoryStore(), generation: async () => `g${++reads}` });
    const first = fetchOptions(['a']);
    await cache.fetch('institutions', first, subgraph().send);
    // The same client request (its context object): the generation read for its first fetch, and its entities.
    const sameRequest = {
      ...fetchOptions(['a', 'b']),
      incomingRequestContext: (first as { incomingRequestContext: object }).incomingRequestContext,
    } as Options;
    const again = subgraph();
    await cache.fetch('institutions', sameRequest, again.send);
    expect([reads, again.asked]).toEqual([1, [['b']]]);
    // Another request reads it anew (here a new generation: nothing kept under the old one is served).
    const next = subgraph();
    await cache.fetch('institutions', fetchOptions(['a']), next.send);
    expect([reads, next.asked]).toEqual([2, [['a']]]);
  });

  test('fetches that differ only in their operation name share entities; other selections do not', async () => {
    const cache = createEntityCache(memoryStore());
    await cache.fetch('institutions', fetchOptions(['a']), subgraph().send);
    const renamed = subgraph();
    await cache.fetch('institutions', fetchOptions(['a'], 'query', QUERY.replace('Op__institutions__1', 'Other__institutions__3')), renamed.send);
    expect(renamed.asked).toEqual([]);
    const otherSelection = subgraph();
    await cache.fetch('institutions', fetchOptions(['a'], 'query', QUERY.replace('{name}', '{name city}')), otherSelection.send);
    expect(otherSelection.asked).toEqual([['a']]);
  });
});
