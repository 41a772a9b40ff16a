/**
 * Operation usage: the signatures of the operations the gateway serves, with counts and last-seen dates, so that
 * `npm run check -- --usage <file|redis://…>` can tell a partner which fields served operations still use before a
 * field is removed. Locally to a JSON file (`OPERATION_USAGE_FILE`), shared in Redis when `REDIS_URL` is set.
 */
import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  isInputObjectType,
  isIntrospectionType,
  isSpecifiedScalarType,
  Kind,
  print,
  stripIgnoredCharacters,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type Location,
} from 'graphql';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface OperationUsageSettings {
  /** off: nothing recorded; file: a JSON file; redis: a hash per signature in Redis. */
  mode: 'off' | 'file' | 'redis';
  /** The JSON file (mode file). */
  file: string;
  /** Redis (mode redis). */
  redisUrl?: string;
  /**
   * Prefix of the Redis keys: `<prefix>:signatures` (a sorted set scored by last-seen time in ms, trimmed to
   * `maxSignatures`), `<prefix>:op:<signature>` (a hash each, expiring 90 days after its last write) and
   * `<prefix>:dropped`.
   */
  keyPrefix: string;
  /** How often what was counted is written, in milliseconds (and once more on stop). */
  flushIntervalMs: number;
  /**
   * Distinct signatures held between two flushes and kept in the file or in Redis (the least recently seen make room
   * for new ones); requests beyond are dropped and counted.
   */
  maxSignatures: number;
}

export const defaultOperationUsageKeyPrefix = 'gateway-operation-usage';
export const defaultMaxSignatures = 10_000;

/** One operation as the gateway served it. */
export interface OperationUsageEntry {
  /** `<operationName or ->:<hash>`. */
  signature: string;
  /** The operation's name; null for anonymous operations. */
  name: string | null;
  /** The fields (`Type.field`), arguments (`Type.field.argument`), input fields and types it uses. */
  coordinates: string[];
  count: number;
  /** ISO dates. */
  firstSeen: string;
  lastSeen: string;
}

/** The file format (and what `readOperationUsage` returns for Redis). */
export interface OperationUsageFile {
  version: 1;
  /** Requests of operations not recorded because `maxSignatures` distinct ones were already held. */
  dropped: number;
  operations: Record<string, OperationUsageEntry>;
}

/** A schema coordinate an operation uses, with the node that uses it (for file and line). */
export interface CoordinateUse {
  coordinate: string;
  loc?: Location;
}

/**
 * The schema coordinates a document uses against a schema, as @graphql-inspector names change paths: `Type.field`
 * for fields, `Type.field.argument` for arguments, `Input.field` for input fields, and `Type` for each type named
 * (return types, variable types). Meta fields (`__typename`, introspection) are left out.
 */
export function usedCoordinates(schema: GraphQLSchema, document: DocumentNode): CoordinateUse[] {
  const uses: CoordinateUse[] = [];
  const typeInfo = new TypeInfo(schema);
  const add = (coordinate: string, node: ASTNode) => uses.push({ coordinate, loc: node.loc });
  // Built-in scalars (Int, String…) never change: not worth a coordinate.
  const addType = (type: GraphQLNamedType, node: ASTNode) => {
    if (!isSpecifiedScalarType(type) && !isIntrospectionType(type)) add(type.name, node);
  };
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field || field.name.startsWith('__') || isIntrospectionType(parent)) return;
        add(`${parent.name}.${field.name}`, node);
        addType(getNamedType(field.type), node);
      },
      Argument(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const argument = typeInfo.getArgument();
        if (!parent || !field || !argument || field.name.startsWith('__') || isIntrospectionType(parent)) return;
        add(`${parent.name}.${field.name}.${argument.name}`, node);
        addType(getNamedType(argument.type), node);
      },
      ObjectField(node) {
        const parent = typeInfo.getParentInputType();
        const named = parent ? getNamedType(parent) : undefined;
        if (named && isInputObjectType(named)) add(`${named.name}.${node.name.value}`, node);
      },
      VariableDefinition(node) {
        const type = typeInfo.getInputType();
        if (type) addType(getNamedType(type), node);
      },
    }),
  );
  return uses;
}

/**
 * The signature of an operation: its name and a hash of the document printed with literals hidden and ignored
 * characters stripped, so that the same operation with other inline values counts as one.
 */
export function operationSignature(document: DocumentNode, operationName: string | null | undefined): string {
  const hidden = visit(document, {
    IntValue: (node) => ({ ...node, value: '0' }),
    FloatValue: (node) => ({ ...node, kind: Kind.INT, value: '0' }),
    StringValue: (node) => ({ ...node, value: '', block: false }),
    ListValue: (node) => ({ ...node, values: [] }),
    ObjectValue: (node) => ({ ...node, fields: [] }),
  });
  const hash = createHash('sha256')
    .update(stripIgnoredCharacters(print(hidden)))
    .digest('hex')
    .slice(0, 16);
  return `${operationName || '-'}:${hash}`;
}

/** Counts operations in memory and writes them out every `flushIntervalMs` and on `close()`. */
export interface OperationUsageRecorder {
  record(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, at?: Date): void;
  /** Writes what was counted since the last flush. */
  flush(): Promise<void>;
  /** Flushes, stops the timer and closes Redis. */
  close(): Promise<void>;
  /** Requests not recorded since start because too many distinct signatures were held. */
  readonly dropped: number;
}

export function createOperationUsageRecorder(settings: OperationUsageSettings | undefined, logger: Logger): OperationUsageRecorder {
  // Workers of one host would each rewrite the one file and lose each other's counts: they need Redis.
  const workerWithFile = settings?.mode === 'file' && cluster.isWorker;
  if (workerWithFile) logger.warn('operation usage off: several gateway workers need REDIS_URL to record it (OPERATION_USAGE=redis)');
  if (settings === undefined || settings.mode === 'off' || workerWithFile) {
    return { record: () => undefined, flush: async () => undefined, close: async () => undefined, dropped: 0 };
  }
  let pending = new Map<string, OperationUsageEntry>();
  let droppedSinceFlush = 0;
  let droppedTotal = 0;
  let redis: Redis | undefined;
  if (settings.mode === 'redis') {
    if (!settings.redisUrl) throw new Error('operation usage in Redis needs REDIS_URL');
    redis = new Redis(settings.redisUrl, { lazyConnect: true, connectTimeout: 2000, commandTimeout: 2000, maxRetriesPerRequest: 1 });
    let unreachable = false;
    redis.on('error', (error: Error) => {
      if (unreachable) return;
      unreachable = true;
      logger.warn({ reason: error.message }, 'Redis unreachable: operation usage is kept in memory until it is back');
    });
    redis.on('ready', () => {
      unreachable = false;
    });
  }
  let flushing: Promise<void> = Promise.resolve();

  const write = async (batch: Map<string, OperationUsageEntry>, dropped: number) => {
    if (batch.size === 0 && dropped === 0) return;
    if (redis) await writeToRedis(redis, settings.keyPrefix, batch, dropped, settings.maxSignatures);
    else writeToFile(settings.file, batch, dropped, settings.maxSignatures);
  };

  const flush = (): Promise<void> => {
    flushing = flushing.then(async () => {
      const batch = pending;
      const dropped = droppedSinceFlush;
      pending = new Map();
      droppedSinceFlush = 0;
      try {
        await write(batch, dropped);
        if (dropped > 0)
          logger.warn({ dropped, maxSignatures: settings.maxSignatures }, 'operation usage: too many distinct operations, some were not recorded');
      } catch (error) {
        // Keep the counts for the next flush (bounded like any batch).
        for (const entry of batch.values()) if (!merge(pending, entry, settings.maxSignatures)) droppedSinceFlush += entry.count;
        droppedSinceFlush += dropped;
        logger.warn({ reason: (error as Error).message }, 'operation usage could not be written; will try again');
      }
    });
    return flushing;
  };

  const timer = setInterval(() => void flush(), settings.flushIntervalMs);
  timer.unref();

  // Apollo Server hands the same parsed document for the same query text (its document cache): the signature is
  // computed once per document and operation, not printed and hashed again on every request.
  const signatures = new WeakMap<DocumentNode, Map<string, string>>();
  const signatureOf = (document: DocumentNode, operationName: string | null | undefined): string => {
    let byName = signatures.get(document);
    if (!byName) {
      byName = new Map();
      signatures.set(document, byName);
    }
    let signature = byName.get(operationName ?? '');
    if (signature === undefined) {
      signature = operationSignature(document, operationName);
      byName.set(operationName ?? '', signature);
    }
    return signature;
  };

  return {
    record(schema, document, operationName, at = new Date()) {
      const signature = signatureOf(document, operationName);
      const existing = pending.get(signature);
      const seen = at.toISOString();
      if (existing) {
        existing.count += 1;
        existing.lastSeen = seen;
        return;
      }
      if (pending.size >= settings.maxSignatures) {
        droppedSinceFlush += 1;
        droppedTotal += 1;
        return;
      }
      const coordinates = [...new Set(usedCoordinates(schema, document).map((u) => u.coordinate))].sort();
      if (coordinates.length === 0) return; // introspection only (the explorer): nothing a schema change could break
      pending.set(signature, { signature, name: operationName || null, coordinates, count: 1, firstSeen: seen, lastSeen: seen });
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
      redis?.disconnect();
    },
    get dropped() {
      return droppedTotal;
    },
  };
}

// Adds an entry's count into a map; false when the map is full and the signature is new.
function merge(into: Map<string, OperationUsageEntry>, entry: OperationUsageEntry, max: number): boolean {
  const existing = into.get(entry.signature);
  if (existing) {
    existing.count += entry.count;
    if (entry.lastSeen > existing.lastSeen) existing.lastSeen = entry.lastSeen;
    if (entry.firstSeen < existing.firstSeen) existing.firstSeen = entry.firstSeen;
    existing.coordinates = entry.coordinates;
    return true;
  }
  if (into.size >= max) return false;
  into.set(entry.signature, { ...entry });
  return true;
}

function readUsageFile(file: string): OperationUsageFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, dropped: 0, operations: {} };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<OperationUsageFile>;
  if (parsed.version !== 1 || typeof parsed.operations !== 'object' || parsed.operations === null) {
    throw new Error(`${file} is not an operation usage file (version 1)`);
  }
  return { version: 1, dropped: parsed.dropped ?? 0, operations: parsed.operations };
}

// Merges a batch into the file (read, add, write a temporary file, rename). When the file holds `max` signatures,
// the least recently seen make room for new ones.
function writeToFile(file: string, batch: Map<string, OperationUsageEntry>, dropped: number, max: number): void {
  const current = readUsageFile(file);
  const all = new Map(Object.entries(current.operations));
  for (const entry of batch.values()) merge(all, entry, Number.MAX_SAFE_INTEGER);
  const kept = [...all.values()].sort((a, b) => (a.lastSeen < b.lastSeen ? 1 : a.lastSeen > b.lastSeen ? -1 : 0));
  const evicted = kept.splice(max);
  const out: OperationUsageFile = {
    version: 1,
    dropped: current.dropped + dropped + evicted.reduce((sum, e) => sum + e.count, 0),
    operations: Object.fromEntries(kept.sort((a, b) => a.signature.localeCompare(b.signature)).map((e) => [e.signature, e])),
  };
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(out, null, 2)}\n`);
  renameSync(temporary, file);
}

/** How long a signature stays in Redis after it was last written (its hash's TTL, refreshed on each write). */
export const operationUsageRedisTtlMs = 90 * 24 * 60 * 60 * 1000;

// Keeps at most ARGV[1] signatures in the sorted set KEYS[1] (scored by last-seen ms): forgets those not seen since
// ARGV[3] (their hashes expire then too; not counted as dropped), then the least recently seen beyond the limit,
// deleting their hashes (`ARGV[2]:op:<signature>`) and adding their counts to the dropped counter KEYS[2], as file
// mode does. Returns the requests dropped.
const trimScript = `
local zset, max, prefix, cutoff = KEYS[1], tonumber(ARGV[1]), ARGV[2], ARGV[3]
local dropped = 0
local function forget(members, count)
  for _, signature in ipairs(members) do
    local key = prefix .. ':op:' .. signature
    if count then dropped = dropped + (tonumber(redis.call('HGET', key, 'count')) or 0) end
    redis.call('DEL', key)
    redis.call('ZREM', zset, signature)
  end
end
forget(redis.call('ZRANGEBYSCORE', zset, '-inf', '(' .. cutoff), false)
local excess = redis.call('ZCARD', zset) - max
if excess > 0 then forget(redis.call('ZRANGE', zset, 0, excess - 1), true) end
if dropped > 0 then redis.call('INCRBY', KEYS[2], dropped) end
return dropped
`;

// Before the sorted set, `<prefix>:signatures` was a plain set: make it the sorted set once (scores from the
// hashes' last-seen dates), atomically so that replicas migrating at the same time agree.
const migrateScript = `
if redis.call('TYPE', KEYS[1])['ok'] ~= 'set' then return 0 end
redis.call('DEL', KEYS[1])
for i = 1, #ARGV, 2 do redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
`;

async function migrateLegacySignatureSet(redis: Redis, prefix: string, ttlMs: number): Promise<void> {
  const key = `${prefix}:signatures`;
  if ((await redis.type(key)) !== 'set') return;
  const signatures = await redis.smembers(key);
  const lastSeen = await Promise.all(signatures.map((signature) => redis.hget(`${prefix}:op:${signature}`, 'lastSeen')));
  const args = signatures.flatMap((signature, i) => [String(Date.parse(lastSeen[i] ?? '') || 0), signature]);
  await redis.eval(migrateScript, 1, key, ...args);
  const pipeline = redis.pipeline();
  for (const signature of signatures) pipeline.pexpire(`${prefix}:op:${signature}`, ttlMs);
  await pipeline.exec();
}

async function writeToRedis(
  redis: Redis,
  prefix: string,
  batch: Map<string, OperationUsageEntry>,
  dropped: number,
  max: number,
  ttlMs: number = operationUsageRedisTtlMs,
): Promise<void> {
  if (redis.status === 'wait' || redis.status === 'end') await redis.connect();
  await migrateLegacySignatureSet(redis, prefix, ttlMs);
  const signatures = `${prefix}:signatures`;
  const pipeline = redis.pipeline();
  for (const entry of batch.values()) {
    const key = `${prefix}:op:${entry.signature}`;
    // Last seen only moves forward (replicas flush in any order): GT keeps the higher score.
    pipeline.zadd(signatures, 'GT', Date.parse(entry.lastSeen), entry.signature);
    pipeline.hincrby(key, 'count', entry.count);
    pipeline.hset(key, 'name', entry.name ?? '', 'coordinates', entry.coordinates.join(' '));
    pipeline.hsetnx(key, 'firstSeen', entry.firstSeen);
    // ISO dates compare as strings.
    pipeline.eval(
      "local c = redis.call('HGET', KEYS[1], 'lastSeen'); if (not c) or c < ARGV[1] then redis.call('HSET', KEYS[1], 'lastSeen', ARGV[1]) end; return 0",
      1,
      key,
      entry.lastSeen,
    );
    pipeline.pexpire(key, ttlMs);
  }
  if (dropped > 0) pipeline.incrby(`${prefix}:dropped`, dropped);
  pipeline.eval(trimScript, 2, signatures, `${prefix}:dropped`, max, prefix, Date.now() - ttlMs);
  // Nothing written for that long (no gateway left): the whole usage goes.
  pipeline.pexpire(signatures, ttlMs);
  pipeline.pexpire(`${prefix}:dropped`, ttlMs);
  const results = await pipeline.exec();
  const failed = results?.find(([error]) => error);
  if (failed) throw failed[0];
}

/**
 * Reads operation usage from a file the gateway wrote, or from Redis (`redis://…` or `rediss://…`, optionally
 * `#<key prefix>`; default prefix gateway-operation-usage).
 */
export async function readOperationUsage(source: string): Promise<OperationUsageFile> {
  if (!/^rediss?:\/\//.test(source)) {
    try {
      readFileSync(source);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`operation usage file ${source} does not exist`);
      throw error;
    }
    return readUsageFile(source);
  }
  const [url, prefix = defaultOperationUsageKeyPrefix] = source.split('#');
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3000, commandTimeout: 5000, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    // A sorted set by last-seen time; a plain set before (the gateway turns it into a sorted set on its next flush).
    const key = `${prefix}:signatures`;
    const signatures = (await redis.type(key)) === 'set' ? await redis.smembers(key) : await redis.zrange(key, 0, -1);
    const operations: Record<string, OperationUsageEntry> = {};
    for (let i = 0; i < signatures.length; i += 500) {
      const pipeline = redis.pipeline();
      const slice = signatures.slice(i, i + 500);
      for (const signature of slice) pipeline.hgetall(`${prefix}:op:${signature}`);
      const results = (await pipeline.exec()) ?? [];
      slice.forEach((signature, index) => {
        const hash = results[index]?.[1] as Record<string, string> | undefined;
        if (!hash || hash.count === undefined) return;
        operations[signature] = {
          signature,
          name: hash.name || null,
          coordinates: hash.coordinates ? hash.coordinates.split(' ') : [],
          count: Number(hash.count),
          firstSeen: hash.firstSeen ?? hash.lastSeen ?? '',
          lastSeen: hash.lastSeen ?? '',
        };
      });
    }
    const dropped = Number((await redis.get(`${prefix}:dropped`)) ?? 0);
    return { version: 1, dropped, operations };
  } finally {
    redis.disconnect();
  }
}

/**
 * Records each operation the gateway executed and answered: not those refused before execution (validation, cost
 * limit, introspection policy, any plugin throwing in `didResolveOperation`), whose execution threw, or whose
 * variables could not be coerced (no `data`). Errors of fields in the result do not matter: the operation ran.
 */
export function operationUsagePlugin(recorder: OperationUsageRecorder): ApolloServerPlugin {
  return {
    async requestDidStart() {
      // Set only once Apollo starts executing, i.e. after every plugin's didResolveOperation accepted the operation.
      let executed = false;
      let executionFailed = false;
      return {
        async executionDidStart() {
          executed = true;
          return {
            async executionDidEnd(error) {
              if (error) executionFailed = true;
            },
          };
        },
        async willSendResponse({ schema, document, operationName, response }) {
          if (!executed || executionFailed || !document || response.body.kind !== 'single') return;
          // No data at all: a request error (variables), not an executed operation.
          if (response.body.singleResult.data === undefined) return;
          recorder.record(schema, document, operationName);
        },
      };
    },
  };
}
