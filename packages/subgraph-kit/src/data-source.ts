import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as mysql2 from 'mysql2';
import { DataSource, MigrationExecutor, type DataSourceOptions, type EntityManager, type MixedList, type EntitySchema, type QueryRunner } from 'typeorm';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';
import type { ReplicationMode } from 'typeorm/driver/types/ReplicationMode';
import { DEFAULT_STATEMENT_TIMEOUT_MS } from './config';
import type { Logger } from './logger';
import { CreateRequestNonce1795690000000 } from './request-nonce';
import { currentRequest } from './request-scope';
import { SqlStatementLog } from './sql-statement-log';

/** Tables the kit itself needs in every subgraph's database (not entities); createDatabase adds their migrations. */
const KIT_MIGRATIONS = [CreateRequestNonce1795690000000];
const KIT_TABLES = [{ name: 'request_nonce', columns: ['nonce', 'expires_at'] }];

export interface DatabaseOptions {
  /** `mysql://user:pass@host:3306/db`, `sqlite:path/to/file.sqlite`, or undefined for the embedded default. */
  url: string | undefined;
  /** Where the embedded default lives when `url` is unset: `<dataDir>/<name>.sqlite`. */
  name: string;
  dataDir?: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  logger: Logger;
  /** MySQL statements running longer are stopped by the server (default 5000; 0: no limit). Not applied to SQLite. */
  statementTimeoutMs?: number;
  /** MySQL read replicas of `url` (mysql:// URLs): what queries read goes to them (see `readsFromReplica`). */
  readUrls?: string[];
}

export interface Database {
  dataSource: DataSource;
  statements: SqlStatementLog;
  /** Human-readable target for logs, without credentials. */
  describe: string;
  /**
   * Runs `work` in one transaction: all of it is written or none. On SQLite (one connection) transactions are
   * queued one after another; on MySQL a transaction chosen as a deadlock victim is retried, up to 3 times.
   */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
  /** Runs `work` on one connection whose statements have no time limit (migrations), then restores the limit. */
  withoutStatementLimit<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T>;
}

/**
 * Builds (does not open) the DataSource a subgraph uses; `synchronize` is off: migrations own the schema. The kit's own
 * migrations are added to the subgraph's.
 */
export function createDatabase(options: DatabaseOptions): Database {
  const statements = new SqlStatementLog(options.logger);
  const migrations = [...(Array.isArray(options.migrations) ? options.migrations : Object.values(options.migrations)), ...KIT_MIGRATIONS];
  const common = { entities: options.entities, migrations, synchronize: false, migrationsRun: false, logger: statements } as const;
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const url = options.url?.trim() || undefined;
  const readUrls = (options.readUrls ?? []).map((u) => u.trim().replace(/^mariadb:/, 'mysql:'));
  let config: DataSourceOptions;
  let describe: string;
  if (url === undefined || url.startsWith('sqlite:')) {
    if (readUrls.length > 0) throw new Error('read replicas need a MySQL database URL, not SQLite');
    const file = url === undefined ? resolve(options.dataDir ?? 'data', `${options.name}.sqlite`) : sqlitePath(url);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    config = { type: 'better-sqlite3', database: file, enableWAL: file !== ':memory:', timeout: 10_000, ...common };
    describe = `sqlite:${file}`;
  } else if (/^(mysql|mariadb):\/\//.test(url)) {
    const primary = url.replace(/^mariadb:/, 'mysql:');
    config = {
      type: 'mysql',
      ...(readUrls.length === 0
        ? { url: primary }
        : // mysql2 sets a pool aside after 5 failed connections; without a restore time it would drop it for good.
          { replication: { master: { url: primary }, slaves: readUrls.map((u) => ({ url: u })), restoreNodeTimeout: POOL_SET_ASIDE_MS } }),
      charset: 'utf8mb4_unicode_ci',
      dateStrings: true,
      timezone: 'Z',
      driver: mysqlWithSessionSetup(statementTimeoutMs, options.logger),
      ...common,
    };
    describe = `${withoutCredentials(primary)}${readUrls.length > 0 ? ` (read replicas: ${readUrls.map(withoutCredentials).join(', ')})` : ''}`;
  } else {
    throw new Error(`database URL must start with mysql://, mariadb:// or sqlite: (got "${url.split(':')[0]}:...")`);
  }
  const dataSource = new RoutedDataSource(config);
  const limited = config.type === 'mysql' && statementTimeoutMs > 0;
  return {
    dataSource,
    statements,
    describe,
    transaction: config.type === 'mysql' ? retryingDeadlocks(dataSource) : queued(dataSource),
    async withoutStatementLimit(work) {
      const runner = dataSource.createQueryRunner();
      try {
        if (limited) await runner.query(statementLimit(0));
        return await work(runner);
      } finally {
        // The connection goes back to the pool with its limit (a failure to restore it is the caller's error).
        try {
          if (limited) await runner.query(statementLimit(statementTimeoutMs));
        } finally {
          await runner.release();
        }
      }
    },
  };
}

/**
 * The session setting that stops a statement after `ms` (0: no limit), for MariaDB (`max_statement_time`, seconds,
 * every statement) and MySQL 5.7.8+ (`max_execution_time`, milliseconds, read-only SELECTs only). Each server runs
 * only its own part: MariaDB executes `/*M! *\/` and skips MySQL-version comments from 50700 up; MySQL skips `/*M!`.
 */
function statementLimit(ms: number): string {
  return `SET SESSION /*M! max_statement_time = ${ms / 1000} */ /*!50708 max_execution_time = ${ms} */`;
}

/**
 * mysql2 as TypeORM loads it, except that every new pooled connection first gets the statement time limit (when
 * `ms` > 0; a connection's commands run in order, so the limit is in place before the pool hands the connection out),
 * in the primary's pool and in each read replica's, and that a replica's or the primary's pool set aside or back in
 * use is logged.
 */
function mysqlWithSessionSetup(ms: number, logger: Logger): typeof mysql2 {
  const setUp = (pool: mysql2.Pool) => {
    if (ms <= 0) return;
    pool.on('connection', (connection) => {
      connection.query(statementLimit(ms), (err: Error | null) => {
        if (err) logger.error({ err }, 'could not set the statement time limit on a MySQL connection');
      });
    });
  };
  return {
    ...mysql2,
    createPool(config: mysql2.PoolOptions) {
      const pool = mysql2.createPool(config);
      setUp(pool);
      return pool;
    },
    createPoolCluster(config?: mysql2.PoolClusterOptions) {
      const cluster = mysql2.createPoolCluster(config) as PoolClusterInternals;
      // The cluster builds each node's pool itself (not through createPool) and keeps it in `_nodes` only.
      const add = cluster.add.bind(cluster) as (id: string, options: mysql2.PoolOptions) => void;
      cluster.add = ((id: string, options: mysql2.PoolOptions) => {
        add(id, options);
        setUp(cluster._nodes[id].pool);
      }) as typeof cluster.add;
      cluster.on('offline', (id: string) =>
        logger.warn({ pool: poolName(id), retryInMs: POOL_SET_ASIDE_MS }, 'MySQL pool set aside: its last 5 connection attempts failed'),
      );
      cluster.on('online', (id: string) => logger.info({ pool: poolName(id) }, 'MySQL pool back in use'));
      return cluster;
    },
  } as typeof mysql2;
}

/** How long mysql2 leaves a pool (a read replica's or the primary's) aside after 5 failed connection attempts. */
const POOL_SET_ASIDE_MS = 5_000;
// TypeORM's names for the pools of its pool cluster (MysqlDriver.connect).
const PRIMARY_POOL = 'MASTER';
const REPLICA_POOLS = 'SLAVE*';

// mysql2 3.x (lib/pool_cluster.js): the nodes, and which of them a pattern matches and are not set aside.
type PoolClusterInternals = mysql2.PoolCluster & {
  _nodes: Record<string, { pool: mysql2.Pool }>;
  _findNodeIds(pattern: string): string[];
};

/** A pool's name in logs and metrics: `primary`, or `replica-<n>` for the n-th URL of the read replicas. */
function poolName(id: string): string {
  return id === PRIMARY_POOL ? 'primary' : `replica-${Number(id.replace(/^SLAVE/, '')) + 1}`;
}

/** The MySQL driver's pool (no read replicas) or pool cluster (with them); neither on SQLite or once closed. */
function mysqlDriverPools(dataSource: DataSource): { pool?: mysql2.Pool; cluster?: PoolClusterInternals } {
  if (dataSource.options.type !== 'mysql') return {};
  const driver = dataSource.driver as MysqlDriver;
  return { pool: driver.pool as mysql2.Pool | undefined, cluster: driver.poolCluster as PoolClusterInternals | undefined };
}

/** The MySQL connection pools of a DataSource, by name (`primary`, `replica-1`...); none on SQLite or once closed. */
export function mysqlPools(dataSource: DataSource): Array<{ name: string; pool: mysql2.Pool }> {
  const { pool, cluster } = mysqlDriverPools(dataSource);
  if (cluster) return Object.entries(cluster._nodes).map(([id, node]) => ({ name: poolName(id), pool: node.pool }));
  return pool ? [{ name: 'primary', pool }] : [];
}

/**
 * Whether the current work may read from a read replica: only the work of a query request (the GraphQL query path
 * of the subgraph), and only while a replica's pool is in use. Everything else reads from the primary: mutations
 * (their answers show their own writes), start-up, migrations, reference data, health checks. Transactions and
 * `DataSource.query` use the primary whatever this says.
 */
export function readsFromReplica(dataSource: DataSource): boolean {
  const { cluster } = mysqlDriverPools(dataSource);
  if (cluster === undefined) return false;
  const request = currentRequest();
  return request !== undefined && !request.mutation && cluster._findNodeIds(REPLICA_POOLS).length > 0;
}

/**
 * Where a plain read (`readRows`) goes: a read replica's pool when `readsFromReplica`, else the primary's; undefined
 * on SQLite and once closed.
 */
export function readPool(dataSource: DataSource): Pick<mysql2.Pool, 'query'> | undefined {
  const { pool, cluster } = mysqlDriverPools(dataSource);
  if (cluster === undefined) return pool;
  return cluster.of(readsFromReplica(dataSource) ? REPLICA_POOLS : PRIMARY_POOL);
}

/**
 * TypeORM reads through query builders outside a transaction (`find`, `getMany`, `getCount`...) from a replica
 * ("slave" mode) by default; here only where `readsFromReplica` allows.
 */
class RoutedDataSource extends DataSource {
  override defaultReplicationModeForReads(): ReplicationMode {
    return readsFromReplica(this) ? 'slave' : 'master';
  }
}

function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  return `mysql://${parsed.hostname}:${parsed.port || '3306'}${parsed.pathname}`;
}

const MYSQL_STATEMENT_TIMEOUTS = new Set([1969 /* MariaDB ER_STATEMENT_TIMEOUT */, 3024 /* MySQL ER_QUERY_TIMEOUT */]);

/** Whether a failed statement was stopped by the statement time limit. */
export function isStatementTimeout(err: unknown): boolean {
  const errno = (err as { driverError?: { errno?: number } }).driverError?.errno;
  return errno !== undefined && MYSQL_STATEMENT_TIMEOUTS.has(errno);
}

// better-sqlite3 has one connection: a second BEGIN while a transaction is open fails, so transactions take turns.
function queued(dataSource: DataSource): Database['transaction'] {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: (manager: EntityManager) => Promise<T>) => {
    const run = tail.then(() => dataSource.transaction(work));
    tail = run.catch(() => undefined);
    return run;
  };
}

const MYSQL_DEADLOCK = 1213;
const MYSQL_LOCK_WAIT_TIMEOUT = 1205;

function retryingDeadlocks(dataSource: DataSource): Database['transaction'] {
  return async <T>(work: (manager: EntityManager) => Promise<T>) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await dataSource.transaction(work);
      } catch (err) {
        const errno = (err as { driverError?: { errno?: number } }).driverError?.errno;
        if (attempt >= 3 || (errno !== MYSQL_DEADLOCK && errno !== MYSQL_LOCK_WAIT_TIMEOUT)) throw err;
      }
    }
  };
}

function sqlitePath(url: string): string {
  const rest = url.slice('sqlite:'.length).replace(/^\/\//, '');
  return rest === ':memory:' ? rest : resolve(rest);
}

/**
 * Opens the database, makes sure a MySQL database stores text as utf8mb4, and applies pending migrations.
 * Safe to run on every start: applied migrations are recorded and skipped.
 */
export async function openAndMigrate(db: Database, log: Logger): Promise<void> {
  const { dataSource } = db;
  if (!dataSource.isInitialized) {
    try {
      await dataSource.initialize();
    } catch (err) {
      throw new Error(`could not open ${db.describe}: ${(err as Error).message}${openingHint(err)}`);
    }
  }
  if (dataSource.options.type === 'mysql') await ensureUtf8mb4(dataSource);
  // A migration may rebuild a large table: the statement time limit is for requests, not for this.
  const applied = await db.withoutStatementLimit((runner) => {
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    return executor.executePendingMigrations();
  });
  log.info({ database: db.describe, applied: applied.map((m) => m.name) }, applied.length ? 'migrations applied' : 'schema up to date');
}

/**
 * Throws (with the reason) unless the database has what the service needs: every column of every entity table and
 * of the kit's tables, and every migration applied. One cheap statement: each table is named in a subquery that reads
 * no row, and a missing table or column fails the statement.
 */
export async function checkSchema(db: Database): Promise<void> {
  const { dataSource } = db;
  const q = (name: string) => dataSource.driver.escape(name);
  const migrations = dataSource.migrations.map((m) => m.name ?? m.constructor.name);
  const tables = [...dataSource.entityMetadatas.map((m) => ({ name: m.tableName, columns: m.columns.map((c) => c.databaseName) })), ...KIT_TABLES];
  const readable = tables.map((t) => ` AND NOT EXISTS (SELECT ${t.columns.map(q).join(', ')} FROM ${q(t.name)} WHERE 1 = 0)`);
  const sql = `SELECT COUNT(*) AS applied FROM ${q(dataSource.options.migrationsTableName ?? 'migrations')} WHERE name IN (${migrations.map(() => '?').join(', ')})${readable.join('')}`;
  const [row] = (await dataSource.query(sql, migrations)) as Array<{ applied: number | string }>;
  if (Number(row.applied) !== migrations.length) throw new Error(`${migrations.length - Number(row.applied)} of ${migrations.length} migrations not applied`);
}

// What a user can do about the usual reasons a database does not open.
function openingHint(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT')
    return ' (is the MySQL server running, and are the host and port in the URL right?)';
  if (code === 'ER_BAD_DB_ERROR') return ' (create it first: CREATE DATABASE <name> CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci)';
  if (code?.startsWith('ER_ACCESS_DENIED')) return ' (check the user and password in the URL)';
  return '';
}

async function ensureUtf8mb4(dataSource: DataSource): Promise<void> {
  const [row] = (await dataSource.query('SELECT @@character_set_database AS charset, DATABASE() AS db')) as Array<{ charset: string; db: string }>;
  if (row.charset === 'utf8mb4') return;
  try {
    await dataSource.query(`ALTER DATABASE \`${row.db.replace(/`/g, '')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } catch (err) {
    throw new Error(
      `database ${row.db} uses ${row.charset}, not utf8mb4, and could not be changed (${(err as Error).message}); create it with CHARACTER SET utf8mb4`,
    );
  }
}
