import { readFileSync } from 'node:fs';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  BoundedLabel,
  createMetricsRegistry,
  DEFAULT_MAX_OPERATION_NAMES,
  DURATION_BUCKETS,
  graphqlOperationMetrics,
  httpServerMetrics,
} from '@partnership/service-runtime';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { developmentTokenPath } from './dev-sign-in';
import { explorerAssetsPath, progressPagePath } from './explorer';
import type { EntityCacheObserver } from './entity-cache';
import type { PendingRollout } from './rollout';
import type { BreakerState } from './subgraph-http';

/** How a request to a subgraph ended; `circuit_open`: not sent, the breaker turned it away. */
export type SubgraphOutcome = 'ok' | 'http_error' | 'network_error' | 'timeout' | 'circuit_open';

/** Records one request sent to a subgraph (a deduplicated waiter sends none). */
export type SubgraphRequestObserver = (outcome: SubgraphOutcome, seconds: number) => void;

export interface GatewayMetrics {
  registry: Registry;
  /** express middleware, mounted first: `http_server_request_duration_seconds`. */
  httpServer: ReturnType<typeof httpServerMetrics>;
  /** Apollo plugins: operations and errors, and response cache hits and misses when the cache is on. */
  plugins(responseCacheOn: boolean): ApolloServerPlugin[];
  /** The observer of one subgraph's transport: `http_client_request_duration_seconds`. */
  subgraphRequests(subgraphName: string): SubgraphRequestObserver;
  /** The entity cache's observer: `gateway_entity_cache_representations_total`. */
  entityCacheLookups: EntityCacheObserver;
}

const circuitStates: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * The gateway's registry. `knownOperationNames` (the trusted documents manifests') keep their own label value, as do the
 * first DEFAULT_MAX_OPERATION_NAMES other names. The breaker and rollout gauges are read when scraped.
 */
export function createGatewayMetrics(options: {
  knownOperationNames: Iterable<string>;
  breakerStates: () => Iterable<[string, BreakerState]>;
  rollout: () => PendingRollout | undefined;
}): GatewayMetrics {
  const registry = createMetricsRegistry();
  const routes = ['/graphql', '/health/live', '/health/ready', '/metrics', '/', progressPagePath, `${explorerAssetsPath}/:asset`, developmentTokenPath];
  const clientDuration = new Histogram({
    name: 'http_client_request_duration_seconds',
    help: 'Duration of requests sent to subgraphs, by subgraph and outcome (ok, http_error, network_error, timeout, circuit_open).',
    labelNames: ['subgraph_name', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'subgraph_circuit_state',
    help: "State of each subgraph's circuit breaker: 0 closed, 1 half-open (a trial request may pass), 2 open (requests fail at once).",
    labelNames: ['subgraph_name'],
    registers: [registry],
    collect() {
      for (const [name, state] of options.breakerStates()) this.set({ subgraph_name: name }, circuitStates[state]);
    },
  });
  const cacheLookups = new Counter({
    name: 'graphql_response_cache_requests_total',
    help: 'Queries answered from the response cache (result="hit") or run through the subgraphs (result="miss").',
    labelNames: ['result'],
    registers: [registry],
  });
  const entityLookups = new Counter({
    name: 'gateway_entity_cache_representations_total',
    help: 'Entities of query fetches answered from the entity cache (result="hit") or asked of the subgraph (result="miss"), by subgraph.',
    labelNames: ['subgraph_name', 'result'],
    registers: [registry],
  });
  // The two rollout gauges the admin /metrics route has always shown, under their old names.
  new Gauge({
    name: 'gateway_supergraph_rollout_waiting',
    help: '1 while a new supergraph waits for its subgraphs to serve the schemas it was composed from.',
    registers: [registry],
    collect() {
      this.set(options.rollout() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'gateway_supergraph_rollout_lagging_subgraph',
    help: '1 for each subgraph a waiting supergraph waits for.',
    labelNames: ['subgraph'],
    registers: [registry],
    collect() {
      this.reset();
      for (const lagging of options.rollout()?.lagging ?? []) this.set({ subgraph: lagging.name }, 1);
    },
  });
  const operations = graphqlOperationMetrics(registry, new BoundedLabel(options.knownOperationNames, DEFAULT_MAX_OPERATION_NAMES));
  const cachePlugin: ApolloServerPlugin = {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, metrics }) {
          if (operation?.operation !== 'query') return;
          cacheLookups.inc({ result: metrics.responseCacheHit ? 'hit' : 'miss' });
        },
      };
    },
  };
  return {
    registry,
    httpServer: httpServerMetrics(registry, routes),
    plugins: (responseCacheOn) => [operations as ApolloServerPlugin, ...(responseCacheOn ? [cachePlugin] : [])],
    subgraphRequests: (subgraphName) => (outcome, seconds) => clientDuration.observe({ subgraph_name: subgraphName, outcome }, seconds),
    entityCacheLookups: (subgraphName, hits, misses) => {
      if (hits > 0) entityLookups.inc({ subgraph_name: subgraphName, result: 'hit' }, hits);
      if (misses > 0) entityLookups.inc({ subgraph_name: subgraphName, result: 'miss' }, misses);
    },
  };
}

/**
 * The operation names of the trusted documents manifests, read for labels only: a manifest that cannot be read gives
 * none (with TRUSTED_DOCUMENTS on, loadTrustedDocuments has already refused it at start).
 */
export function manifestOperationNames(manifests: readonly string[]): string[] {
  const names: string[] = [];
  for (const file of manifests) {
    try {
      const { operations } = JSON.parse(readFileSync(file, 'utf8')) as { operations?: Array<{ name?: unknown }> };
      for (const operation of operations ?? []) if (typeof operation?.name === 'string') names.push(operation.name);
    } catch {
      // No names from this file.
    }
  }
  return names;
}
