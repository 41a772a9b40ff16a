import DataLoader from 'dataloader';

/**
 * A per-request loader of one record per key: `fetch` runs one `WHERE key IN (...)` query per batch;
 * results come back in the order asked, and unknown keys resolve to null rather than an error.
 */
export function recordLoader<K extends string, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (record: V) => K): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const byKey = new Map<K, V>();
    for (const record of await fetch(keys)) byKey.set(keyOf(record), record);
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/**
 * A per-request loader of the many records that belong to each key (a list-valued relation):
 * one `WHERE owner IN (...)` query per batch, an empty list for keys with none. `maxPerKey` is the documented
 * maximum of the list (its `@listSize`), which the mutations enforce; records beyond it are never returned.
 */
export function relationLoader<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  ownerOf: (record: V) => K,
  maxPerKey = Number.POSITIVE_INFINITY,
): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    const byOwner = new Map<K, V[]>(keys.map((key) => [key, []]));
    for (const record of await fetch(keys)) {
      const list = byOwner.get(ownerOf(record));
      if (list !== undefined && list.length < maxPerKey) list.push(record);
    }
    return keys.map((key) => byOwner.get(key) ?? []);
  });
}
