import type { ApolloServerPlugin } from '@apollo/server';
import { BoundedLabel, createMetricsRegistry, DEFAULT_MAX_OPERATION_NAMES, graphqlOperationMetrics, httpServerMetrics } from '@partnership/service-runtime';
import type { Pool } from 'mysql2';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { AfterQueryEvent } from 'typeorm/subscriber/event/QueryEvent';
import { mysqlPools, type Database } from './data-source';

export interface SubgraphMetrics {
  registry: Registry;
  /** express middleware, mounted first: `http_server_request_duration_seconds`. */
  httpServer: ReturnType<typeof httpServerMetrics>;
  /** Apollo plugin: operations and errors. */
  operations: ApolloServerPlugin;
}

// Statements are labelled by their first keyword only, never their text.
const STATEMENT_KINDS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'START', 'BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT', 'SET']);
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A subgraph's registry: HTTP requests, operations (names are the gateway's generated ones; bounded as at the gateway),
 * errors, SQL statement durations and, on MySQL, the connection pool. Call once the database is open.
 */
export function createSubgraphMetrics(database: Database): SubgraphMetrics {
  const registry = createMetricsRegistry();
  const { dataSource } = database;
  const system = dataSource.options.type === 'mysql' ? 'mysql' : 'sqlite';
  const statementDuration = new Histogram({
    name: 'db_client_operation_duration_seconds',
    help: 'Duration of SQL statements that succeeded, by statement kind (first keyword: SELECT, INSERT..., else other).',
    labelNames: ['db_system_name', 'db_operation_name'],
    buckets: DB_BUCKETS,
    registers: [registry],
  });
  database.statements.onStatementDone = (query, seconds) => {
    const keyword = /^\s*([A-Za-z]+)/.exec(query)?.[1]?.toUpperCase() ?? '';
    statementDuration.observe({ db_system_name: system, db_operation_name: STATEMENT_KINDS.has(keyword) ? keyword : 'other' }, seconds);
  };
  // TypeORM tells its subscribers when each statement of a query runner ends (both drivers), with its duration in ms.
  (dataSource.subscribers as Array<{ afterQuery(event: AfterQueryEvent): void }>).push({
    afterQuery(event) {
      if (event.success && event.executionTime !== undefined) database.statements.statementDone(event.query, event.executionTime / 1000);
    },
  });
  const pools = mysqlPools(dataSource).map(({ name, pool }) => ({ name, pool: pool as PoolInternals }));
  // With read replicas, one series per pool (`pool_name`: primary, replica-1...; as many as configured); without,
  // the primary's series carry no pool label, as before replicas existed.
  const poolLabel = (name: string) => (pools.length > 1 ? { pool_name: name } : {});
  // SQLite has one connection, always open, and nothing waits for it in a pool: no pool gauges.
  if (pools.length > 0) {
    new Gauge({
      name: 'db_client_connection_count',
      help: 'Connections of each MySQL pool (the primary and any read replicas), by state: used (lent to a statement or transaction) or idle.',
      labelNames: ['state', 'pool_name'],
      registers: [registry],
      collect() {
        for (const { name, pool } of pools) {
          const all = pool._allConnections.length;
          const idle = pool._freeConnections.length;
          this.set({ ...poolLabel(name), state: 'used' }, all - idle);
          this.set({ ...poolLabel(name), state: 'idle' }, idle);
        }
      },
    });
    new Gauge({
      name: 'db_client_connection_pending_requests',
      help: 'Requests waiting for a connection of each MySQL pool (all in use).',
      labelNames: ['pool_name'],
      registers: [registry],
      collect() {
        for (const { name, pool } of pools) this.set(poolLabel(name), pool._connectionQueue.length);
      },
    });
  }
  return {
    registry,
    httpServer: httpServerMetrics(registry, ['/graphql', '/health/live', '/health/ready']),
    operations: graphqlOperationMetrics(registry, new BoundedLabel([], DEFAULT_MAX_OPERATION_NAMES)) as ApolloServerPlugin,
  };
}

// mysql2 exposes no counts: its pool keeps them in these queues (mysql2 3.x, lib/base/pool.js).
type PoolInternals = Pool & { _allConnections: { length: number }; _freeConnections: { length: number }; _connectionQueue: { length: number } };
