import cluster from 'node:cluster';
import { HeaderMap } from '@apollo/server';
import type { Caller } from '@partnership/request-signing';
import { GraphQLError } from 'graphql';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterCluster, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ERROR_CODES } from '@partnership/service-runtime';
import type { RateLimitSettings } from './config';

export interface RateLimiter {
  /** Counts one request of `key`; throws a RATE_LIMITED error (HTTP 429, Retry-After) when its minute's budget is spent. */
  consume(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Whom a request is counted for: the verified token's partner and subject, else the client's address. */
export function rateLimitKey(caller: Caller | null, address: string | undefined): string {
  return caller ? `caller:${caller.partner}:${caller.subject}` : `address:${address ?? 'unknown'}`;
}

/**
 * `perMinute` requests per key and minute (rate-limiter-flexible, fixed one-minute windows); 0: no limit. Counted on
 * this host by default: in this process, or, in a worker of GATEWAY_WORKERS, in the primary for all its workers
 * (`RateLimiterCluster`; the primary runs `RateLimiterClusterMaster`, see workers.ts). With `redisUrl`, in Redis, so
 * that every gateway replica draws on one budget. While Redis does not answer, each replica counts on its host (the
 * insurance limiter) rather than refusing or letting everything through, and the gateway keeps serving. Resolves once
 * Redis is connected, or has failed to, or after 2 s.
 */
export async function createRateLimiter(settings: RateLimitSettings, logger: Logger): Promise<RateLimiter> {
  if (settings.perMinute === 0) return { consume: async () => undefined, close: async () => undefined };
  const options = { points: settings.perMinute, duration: 60, keyPrefix: settings.keyPrefix };
  const onThisHost = cluster.isWorker ? new RateLimiterCluster(options) : new RateLimiterMemory(options);
  let limiter: RateLimiterAbstract = onThisHost;
  let redis: Redis | undefined;
  if (settings.redisUrl) {
    // No offline queue and a short command timeout: while Redis is away, requests fall back at once instead of waiting.
    redis = new Redis(settings.redisUrl, { enableOfflineQueue: false, connectTimeout: 2000, commandTimeout: 500, maxRetriesPerRequest: 1 });
    let unreachable = false;
    // ioredis reconnects by itself and reports every failed attempt: one line per outage is enough.
    redis.on('error', (error: Error) => {
      if (unreachable) return;
      unreachable = true;
      logger.warn({ reason: error.message }, 'Redis unreachable: rate limits are counted in this process until it is back');
    });
    redis.on('ready', () => {
      if (unreachable) logger.info('Redis is back: rate limits are shared again');
      unreachable = false;
    });
    limiter = new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: onThisHost });
    // Shared from the first request when Redis is there; never waiting long when it is not.
    const connecting = redis;
    await new Promise<void>((resolve) => {
      connecting.once('ready', resolve);
      connecting.once('error', () => resolve());
      setTimeout(resolve, 2000).unref();
    });
  }
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) throw rateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)), settings.perMinute);
        throw rejection;
      }
    },
    async close() {
      redis?.disconnect();
    },
  };
}

function rateLimitedError(retryAfterSeconds: number, perMinute: number): GraphQLError {
  return new GraphQLError(`Too many requests: at most ${perMinute} a minute are accepted from one caller; try again in ${retryAfterSeconds} s`, {
    extensions: {
      code: ERROR_CODES.RATE_LIMITED,
      retryAfterSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}
