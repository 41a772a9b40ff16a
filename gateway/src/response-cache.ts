import { randomUUID } from 'node:crypto';
import cluster from 'node:cluster';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import responseCachePlugin from '@apollo/server-plugin-response-cache';
import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Caller } from '@partnership/request-signing';
import type { Logger } from 'pino';
import type { ResponseCacheSettings } from './config';
import type { EntityStore } from './entity-cache';

/** What the response cache needs of the request context. */
interface CacheContext {
  caller: Caller | null;
}

export interface GatewayCache {
  /** Apollo Server's cache: automatic persisted queries, and the answers when the response cache is on. */
  store: KeyValueCache<string>;
  /** The response cache and its invalidation; empty when it is off. */
  plugins: ApolloServerPlugin<CacheContext>[];
  /** Where the entity cache keeps entities: with the answers, under the same generations; undefined when it is off. */
  entities?: EntityStore;
  close(): Promise<void>;
}

// A Redis that does not answer within this long counts as a cache miss: the cache never makes a request wait long.
const REDIS_COMMAND_TIMEOUT_MS = 250;
// After a command went unanswered, Redis is not asked for this long: a Redis that hangs (connected, silent) then costs
// one wait per second, not one per cache lookup (a request makes several: its answer, its entities, the generation).
const REDIS_PAUSE_AFTER_TIMEOUT_MS = 1000;
const GENERATION_KEY = 'response-generation';

/**
 * The gateway's cache: in this process (least recently used answers dropped first), or in Redis when `redisUrl` is set,
 * so that every replica shares the answers, the persisted queries and the invalidations.
 *
 * With `enabled`, whole answers to queries are kept (Apollo's response-cache plugin) as long as the subgraphs'
 * Cache-Control headers allow: the most restrictive hint of all the subgraph fetches wins, and no hint means not cached.
 * - An answer that touched a protected field is private (the subgraph says so): it is kept for that caller only.
 *   Signed-in callers and anonymous ones never share an entry.
 * - Answers with errors are never kept.
 * - Every key holds the current generation. A mutation that changed something starts a new one before its answer is
 *   sent, so the next read anywhere misses and asks the subgraphs. TTLs bound the rest (data written elsewhere).
 * With `entityCache` too, the entities inside the subgraphs' answers are kept in the same store (see entity-cache.ts).
 * Several workers of one host (GATEWAY_WORKERS) without Redis would each keep their own answers and miss each other's
 * invalidations: the response cache (and the entity cache with it) is then off.
 */
export function createGatewayCache(settings: ResponseCacheSettings, supergraphId: () => string | undefined, logger: Logger): GatewayCache {
  const redis = settings.redisUrl ? connectRedisStore(settings.redisUrl, settings.keyPrefix, logger) : undefined;
  const store = redis?.store ?? new InMemoryLRUCache<string>({ maxSize: settings.maxBytes, sizeCalculation: (value) => Buffer.byteLength(value) });
  let enabled = settings.enabled;
  if (enabled && !redis && cluster.isWorker) {
    logger.warn('response cache off: several gateway workers need REDIS_URL to share answers and invalidations');
    enabled = false;
  }
  if (!enabled) return { store, plugins: [], close: async () => redis?.close() };

  const generations = redis ? sharedGenerations(redis, logger) : localGenerations();
  redis?.onReconnect(() => {
    // Mutations made while Redis was away could not drop what it holds.
    void generations.next();
  });
  const entities: EntityStore | undefined = settings.entityCache
    ? {
        get: (key) => store.get(key),
        set: (key, value, ttlSeconds) => store.set(key, value, { ttl: ttlSeconds }),
        generation: () => generations.current(),
        supergraphId,
      }
    : undefined;
  const plugins: ApolloServerPlugin<CacheContext>[] = [
    responseCachePlugin<CacheContext>({
      cache: store,
      sessionId: async ({ contextValue }) => sessionOf(contextValue.caller),
      extraCacheKeyData: async () => ({ generation: await generations.current(), supergraph: supergraphId() }),
    }),
    {
      async requestDidStart() {
        return {
          async willSendResponse(requestContext) {
            if (changedSomething(requestContext)) await generations.next();
          },
        };
      },
    },
  ];
  return { store, plugins, entities, close: async () => redis?.close() };
}

/** Who the private answers belong to: the caller's partner, subject and roles. */
function sessionOf(caller: Caller | null): string | null {
  return caller ? JSON.stringify([caller.partner, caller.subject, [...caller.roles].sort()]) : null;
}

/** A mutation that returned data for any of its fields: refused or failed mutations write nothing, and drop nothing. */
function changedSomething(requestContext: GraphQLRequestContext<CacheContext>): boolean {
  if (requestContext.operation?.operation !== 'mutation') return false;
  const body = requestContext.response.body;
  const data = body?.kind === 'single' ? body.singleResult.data : undefined;
  return data != null && Object.values(data).some((value) => value !== null);
}

interface Generations {
  current(): Promise<string>;
  next(): Promise<void>;
}

function localGenerations(): Generations {
  let generation = randomUUID();
  return {
    current: async () => generation,
    next: async () => {
      generation = randomUUID();
    },
  };
}

/**
 * The generation in Redis, read by every request. A missing one (first start, evicted, Redis away) is replaced by a
 * new one: at worst an answer is asked for again, never served stale.
 */
function sharedGenerations(redis: RedisStore, logger: Logger): Generations {
  return {
    async current() {
      const generation = await redis.store.get(GENERATION_KEY);
      if (generation) return generation;
      const fresh = randomUUID();
      await redis.store.set(GENERATION_KEY, fresh);
      return fresh;
    },
    async next() {
      if (!(await redis.trySet(GENERATION_KEY, randomUUID()))) {
        logger.warn('Redis did not record a mutation: other gateway replicas may serve answers older than it until their TTL');
      }
    },
  };
}

interface RedisStore {
  /** Never throws and never waits long: a Redis away or slow reads as a miss, and writes are dropped. */
  store: KeyValueCache<string>;
  /** A write that says whether Redis took it. */
  trySet(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<boolean>;
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

/** A Keyv store on Redis (keys under `keyPrefix`) that degrades to misses while Redis is away; one log line per outage. */
function connectRedisStore(url: string, keyPrefix: string, logger: Logger): RedisStore {
  // Loaded only when Redis is used: the Redis client and Keyv weigh about 13 MB of the gateway's memory.
  const { KeyvAdapter } = require('@apollo/utils.keyvadapter') as typeof import('@apollo/utils.keyvadapter');
  const { createKeyv } = require('@keyv/redis') as typeof import('@keyv/redis');
  const { createClient } = require('@redis/client') as typeof import('@redis/client');
  // No offline queue: while Redis is away commands fail at once instead of piling up; it reconnects by itself.
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5000) },
  });
  const keyv = createKeyv(client, { namespace: keyPrefix, throwOnConnectError: false, throwOnErrors: true });
  const adapter = new KeyvAdapter<string>(keyv);
  const reconnectListeners: Array<() => void> = [];
  let unreachable = false;
  const failed = (error: unknown) => {
    if (unreachable) return;
    unreachable = true;
    logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'Redis unreachable: the response cache misses until it is back');
  };
  const answered = () => {
    if (!unreachable) return;
    unreachable = false;
    logger.info('Redis is back: the response cache is shared again');
    for (const listener of reconnectListeners) listener();
  };
  client.on('error', failed);
  keyv.on('error', failed);
  client.on('ready', answered);
  const bounded = boundedRedisCalls({ timeoutMs: REDIS_COMMAND_TIMEOUT_MS, pauseMs: REDIS_PAUSE_AFTER_TIMEOUT_MS, failed, answered });
  const trySet = (key: string, value: string, options?: KeyValueCacheSetOptions) => bounded(() => adapter.set(key, value, options).then(() => true), false);
  return {
    store: {
      get: (key) => bounded(() => adapter.get(key), undefined),
      set: async (key, value, options) => {
        await trySet(key, value, options);
      },
      delete: (key) => bounded(() => adapter.delete(key), false),
    },
    trySet,
    onReconnect: (listener) => reconnectListeners.push(listener),
    async close() {
      await keyv.disconnect().catch(() => undefined);
    },
  };
}

/**
 * Runs Redis commands so that none makes a request wait beyond `timeoutMs`: an error or no answer in time gives
 * `fallback` (and tells `failed`); after no answer, every command gives `fallback` at once, without asking Redis, for
 * `pauseMs`. A command answered tells `answered` (Redis may have been away).
 */
export function boundedRedisCalls(options: { timeoutMs: number; pauseMs: number; failed(error: unknown): void; answered(): void }) {
  let askAgainAt = 0;
  return async <T>(command: () => Promise<T>, fallback: T): Promise<T> => {
    if (performance.now() < askAgainAt) return fallback;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof NO_ANSWER>((resolve) => {
      timer = setTimeout(() => resolve(NO_ANSWER), options.timeoutMs);
    });
    try {
      const result = await Promise.race([command(), timeout]);
      if (result === NO_ANSWER) {
        askAgainAt = performance.now() + options.pauseMs;
        options.failed(new Error(`no answer within ${options.timeoutMs} ms`));
        return fallback;
      }
      options.answered();
      return result as T;
    } catch (error) {
      options.failed(error);
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  };
}

const NO_ANSWER = Symbol('no answer');
