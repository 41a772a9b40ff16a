import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataSource, type DataSourceOptions, type EntityManager, type MixedList, type EntitySchema } from 'typeorm';
import type { Logger } from './logger';
import { SqlStatementLog } from './sql-statement-log';

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
}

/** Builds (does not open) the DataSource a subgraph uses; `synchronize` is off: migrations own the schema. */
export function createDatabase(options: DatabaseOptions): Database {
  const statements = new SqlStatementLog(options.logger);
  const common = { entities: options.entities, migrations: options.migrations, synchronize: false, migrationsRun: false, logger: statements } as const;
  const url = options.url?.trim() || undefined;
  let config: DataSourceOptions;
  let describe: string;
  if (url === undefined || url.startsWith('sqlite:')) {
    const file = url === undefined ? resolve(options.dataDir ?? 'data', `${options.name}.sqlite`) : sqlitePath(url);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    config = { type: 'better-sqlite3', database: file, enableWAL: file !== ':memory:', timeout: 10_000, ...common };
    describe = `sqlite:${file}`;
  } else if (/^(mysql|mariadb):\/\//.test(url)) {
    const parsed = new URL(url);
    config = {
      type: 'mysql',
      url: url.replace(/^mariadb:/, 'mysql:'),
      charset: 'utf8mb4_unicode_ci',
      dateStrings: true,
      timezone: 'Z',
      ...common,
    };
    describe = `mysql://${parsed.hostname}:${parsed.port || '3306'}${parsed.pathname}`;
  } else {
    throw new Error(`database URL must start with mysql://, mariadb:// or sqlite: (got "${url.split(':')[0]}:...")`);
  }
  const dataSource = new DataSource(config);
  return { dataSource, statements, describe, transaction: config.type === 'mysql' ? retryingDeadlocks(dataSource) : queued(dataSource) };
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
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  log.info({ database: db.describe, applied: applied.map((m) => m.name) }, applied.length ? 'migrations applied' : 'schema up to date');
}

// What a user can do about the usual reasons a database does not open.
function openingHint(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') return ' (is the MySQL server running, and are the host and port in the URL right?)';
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
    throw new Error(`database ${row.db} uses ${row.charset}, not utf8mb4, and could not be changed (${(err as Error).message}); create it with CHARACTER SET utf8mb4`);
  }
}
