import type { Logger as TypeOrmLogger } from 'typeorm';
import type { Logger } from './logger';
import { refuseIfAbandoned } from './request-scope';

// A transaction begun for an abandoned request must still be rolled back, or its connection stays inside it.
const ROLLBACK = /^\s*ROLLBACK\b/i;

/**
 * TypeORM's logger for a subgraph: counts every SQL statement sent (tests and benchmarks read the count to
 * prove there is no N+1) and passes statements to the service log at debug level, failures at error level.
 * TypeORM calls `logQuery` before every statement it sends, so this is also where an abandoned request's further
 * statements are refused (see request-scope.ts): the error ends the request's work at once.
 */
export class SqlStatementLog implements TypeOrmLogger {
  /** Statements sent since this DataSource opened (refused ones are not sent, so not counted). */
  count = 0;

  /** Told the duration of each statement that succeeded (the kit's metrics set it); see `statementDone`. */
  onStatementDone: ((query: string, seconds: number) => void) | undefined;

  constructor(private readonly service: Logger) {}

  logQuery(query: string, parameters?: unknown): void {
    if (!ROLLBACK.test(query)) refuseIfAbandoned();
    this.count += 1;
    this.service.debug({ sql: query, parameters }, 'sql');
  }

  /**
   * A statement succeeded after `seconds`. TypeORM's logger has no such hook: the kit's metrics call this from a TypeORM
   * subscriber's `afterQuery` (every statement of a query runner), and `readRows` for the reads it sends to the MySQL
   * pool itself.
   */
  statementDone(query: string, seconds: number): void {
    this.onStatementDone?.(query, seconds);
  }

  logQueryError(error: string | Error, query: string): void {
    this.service.error({ err: error, sql: query }, 'sql statement failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.service.warn({ ms: time, sql: query }, 'slow sql statement');
  }

  logSchemaBuild(message: string): void {
    this.service.debug(message);
  }

  logMigration(message: string): void {
    this.service.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.service.warn(String(message));
    else this.service.info(String(message));
  }
}
