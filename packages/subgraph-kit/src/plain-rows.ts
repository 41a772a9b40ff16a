import { QueryFailedError, type DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { readPool } from './data-source';
import { SqlStatementLog } from './sql-statement-log';

interface PlainColumn {
  property: string;
  /** The column's name, quoted for the database. */
  column: string;
  boolean: boolean;
}

/**
 * An entity's rows read as plain objects straight from SQL: the entity's property names, booleans as booleans, every
 * other column as the driver returns it (the subgraphs' entities have only text, int and boolean columns). Loaders
 * read through this rather than through repositories: under a varied federated load, TypeORM's query building and
 * entity hydration cost more CPU than the statements themselves. Built once per process and entity (`plainRows`).
 */
export class PlainRows<E extends ObjectLiteral> {
  /** The table, quoted. */
  readonly table: string;

  private readonly columns: PlainColumn[];

  private readonly booleans: string[];

  private readonly selected = new Map<string, string>();

  constructor(
    readonly dataSource: DataSource,
    entity: EntityTarget<E>,
  ) {
    const metadata = dataSource.getMetadata(entity);
    const quote = (name: string) => dataSource.driver.escape(name);
    this.table = quote(metadata.tableName);
    this.columns = metadata.columns.map((c) => ({
      property: c.propertyName,
      column: quote(c.databaseName),
      boolean: c.type === Boolean || c.type === 'boolean' || c.type === 'bool',
    }));
    this.booleans = this.columns.filter((c) => c.boolean).map((c) => c.property);
  }

  /** The quoted column of a property; throws for a property the entity does not have. */
  column(property: string): string {
    const found = this.columns.find((c) => c.property === property);
    if (!found) throw new Error(`${this.table} has no column for property ${property}`);
    return found.column;
  }

  /** `alias.column AS property, ...` for every column: what `hydrate` reads. */
  selectList(alias: string): string {
    let list = this.selected.get(alias);
    if (list === undefined) {
      const quote = (name: string) => this.dataSource.driver.escape(name);
      list = this.columns.map((c) => `${quote(alias)}.${c.column} AS ${quote(c.property)}`).join(', ');
      this.selected.set(alias, list);
    }
    return list;
  }

  /** Turns rows selected with `selectList` into records, in place: MySQL and SQLite return booleans as 0 and 1. */
  hydrate(rows: Array<Record<string, unknown>>): E[] {
    for (const row of rows) {
      for (const property of this.booleans) {
        const value = row[property];
        // As TypeORM hydrates them: a stored NULL stays null.
        if (value !== null && value !== undefined) row[property] = Boolean(value);
      }
    }
    return rows as E[];
  }

  /** The rows whose `property` is one of `values`, ordered by the `orderBy` properties (ascending): one statement. */
  async whereIn(property: keyof E & string, values: readonly unknown[], orderBy: Array<keyof E & string> = []): Promise<E[]> {
    if (values.length === 0) return [];
    const order = orderBy.length === 0 ? '' : ` ORDER BY ${orderBy.map((p) => `t.${this.column(p)}`).join(', ')}`;
    const sql = `SELECT ${this.selectList('t')} FROM ${this.table} t WHERE t.${this.column(property)} IN (${placeholders(values.length)})${order}`;
    return this.hydrate(await readRows(this.dataSource, sql, [...values]));
  }
}

/**
 * Runs one read statement and returns its rows. On MySQL it goes straight to the driver's pool (a pooled connection,
 * released when the statement ends, with the same session statement limit), past TypeORM's query runner, which costs
 * more per statement than the driver: a read replica's pool for a query request, else the primary's (`readPool`).
 * Like every statement it is counted, logged and timed (metrics), and refused for an abandoned request, by the
 * DataSource's logger (SqlStatementLog); a failure is TypeORM's QueryFailedError, as from `query`.
 * Elsewhere (SQLite) it is `dataSource.query`.
 */
export async function readRows(dataSource: DataSource, sql: string, parameters: unknown[]): Promise<Array<Record<string, unknown>>> {
  const pool = readPool(dataSource);
  if (pool === undefined) return dataSource.query(sql, parameters);
  dataSource.logger.logQuery(sql, parameters);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    pool.query(sql, parameters, (err, rows) => {
      if (err) {
        dataSource.logger.logQueryError(err, sql, parameters);
        reject(new QueryFailedError(sql, parameters, err));
      } else {
        if (dataSource.logger instanceof SqlStatementLog) dataSource.logger.statementDone(sql, (performance.now() - started) / 1000);
        resolve(rows as Array<Record<string, unknown>>);
      }
    });
  });
}

const readers = new WeakMap<DataSource, Map<EntityTarget<ObjectLiteral>, PlainRows<ObjectLiteral>>>();

/** The process's PlainRows of `entity` in `dataSource` (built at the first call). */
export function plainRows<E extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<E>): PlainRows<E> {
  let byEntity = readers.get(dataSource);
  if (byEntity === undefined) {
    byEntity = new Map();
    readers.set(dataSource, byEntity);
  }
  let found = byEntity.get(entity);
  if (found === undefined) {
    found = new PlainRows(dataSource, entity);
    byEntity.set(entity, found);
  }
  return found as unknown as PlainRows<E>;
}

/** `?, ?, ?` for `count` parameters (MySQL and SQLite both take positional `?`). */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
