import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, gatewayConfigFromEnv } from '@partnership/gateway';
import { subgraphConfigFromEnv } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { bootFederation, type Federation, type SubgraphName } from './federation';
import { freePort } from './processes';

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of one series in Prometheus text, with their labels. */
function samples(text: string, name: string): Sample[] {
  const found: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]));
    found.push({ labels, value: Number(match[3]) });
  }
  return found;
}

/** The sum of the samples of `name` whose labels include `labels`. */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text, name)
    .filter((s) => Object.entries(labels).every(([key, value]) => s.labels[key] === value))
    .reduce((sum, s) => sum + s.value, 0);
}

const scrape = async (url: string | undefined): Promise<string> => {
  if (!url) throw new Error('no metrics listener');
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
};

const CITY = 'query City { institution(id: "uz-ministry-of-health") { name city } }';
// email is for signed-in callers: an anonymous caller gets null and an UNAUTHENTICATED error for it.
const CONTACTS = 'query Contacts { person(id: "celine-poulet") { fullName email } }';
// Not valid against the schema: refused before it runs.
const INVALID = 'query Invalid { noSuchField }';

for (const target of scratchTargets) {
  target.describe('Prometheus metrics of every service', () => {
    let federation: Federation;
    const metricsOn = { port: 0, host: '127.0.0.1' };

    beforeAll(async () => {
      federation = await bootFederation(target, { gateway: { metrics: metricsOn }, subgraph: { metrics: metricsOn } });
    });
    afterAll(async () => {
      await federation?.stop();
    });

    test('HTTP, subgraph requests, operations, errors, cache and breaker on the gateway; operations, errors and SQL on the subgraphs', async () => {
      const before = await scrape(federation.gateway.metricsUrl);
      const institutionsBefore = await scrape(federation.subgraphs.institutions.metricsUrl);
      const statementsBefore = federation.subgraphs.institutions.database.statements.count;
      const ask = (query: string) => postGraphQL<any>(federation.gatewayUrl, query);
      expect((await ask(CITY)).body.errors).toBeUndefined();
      // The same public query again: answered from the response cache.
      expect((await ask(CITY)).body.errors).toBeUndefined();
      const contacts = await ask(CONTACTS);
      expect(contacts.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
      const invalid = await ask(INVALID);
      expect(invalid.status).toBe(400);
      expect((await fetch(`${federation.gatewayUrl.replace(/\/graphql$/, '')}/no/such/path`)).status).toBe(404);
      // The gateway's readiness asks each subgraph's /health/ready.
      expect((await fetch(federation.gatewayUrl.replace(/\/graphql$/, '/health/ready'))).status).toBe(200);

      const gateway = await scrape(federation.gateway.metricsUrl);
      const moved = (name: string, labels: Record<string, string>) => total(gateway, name, labels) - total(before, name, labels);
      expect(
        moved('http_server_request_duration_seconds_count', { http_route: '/graphql', http_request_method: 'POST', http_response_status_code: '200' }),
      ).toBe(3);
      expect(moved('http_server_request_duration_seconds_count', { http_route: '/graphql', http_response_status_code: '400' })).toBe(1);
      expect(moved('http_server_request_duration_seconds_count', { http_route: 'unmatched', http_response_status_code: '404' })).toBe(1);
      expect(moved('http_server_request_duration_seconds_count', { http_route: '/health/ready', http_request_method: 'GET' })).toBe(1);
      expect(total(gateway, 'http_client_request_duration_seconds_count', { subgraph_name: 'institutions', outcome: 'ok' })).toBeGreaterThan(0);
      expect(moved('graphql_operation_duration_seconds_count', { graphql_operation_name: 'City', graphql_operation_type: 'query', outcome: 'success' })).toBe(
        2,
      );
      expect(moved('graphql_operation_duration_seconds_count', { graphql_operation_name: 'Contacts', graphql_operation_type: 'query', outcome: 'error' })).toBe(
        1,
      );
      expect(moved('graphql_operation_duration_seconds_count', { graphql_operation_name: 'Invalid', outcome: 'refused' })).toBe(1);
      expect(moved('graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
      // A validation error's code (GRAPHQL_VALIDATION_FAILED) is not one of ERROR_CODES.
      expect(moved('graphql_errors_total', { code: 'other' })).toBe(1);
      expect(moved('graphql_response_cache_requests_total', { result: 'hit' })).toBeGreaterThanOrEqual(1);
      expect(moved('graphql_response_cache_requests_total', { result: 'miss' })).toBeGreaterThanOrEqual(1);
      expect(samples(gateway, 'subgraph_circuit_state')).toContainEqual({ labels: { subgraph_name: 'institutions' }, value: 0 });
      expect(samples(gateway, 'gateway_supergraph_rollout_waiting')).toEqual([{ labels: {}, value: 0 }]);
      expect(total(gateway, 'process_cpu_seconds_total')).toBeGreaterThan(0);
      // Nothing from a client other than known names reaches a label: no ids, no paths.
      expect(gateway).not.toContain('uz-ministry-of-health');
      expect(gateway).not.toContain('/no/such/path');

      for (const name of ['institutions', 'agreements', 'training'] as SubgraphName[]) {
        const text = await scrape(federation.subgraphs[name].metricsUrl);
        expect(total(text, 'http_server_request_duration_seconds_count', { http_route: '/health/ready' })).toBeGreaterThan(0);
        expect(total(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
      }
      const institutions = await scrape(federation.subgraphs.institutions.metricsUrl);
      expect(total(institutions, 'http_server_request_duration_seconds_count', { http_route: '/graphql', http_request_method: 'POST' })).toBeGreaterThan(0);
      // The gateway names what it sends each subgraph after the client's operation.
      expect(samples(institutions, 'graphql_operation_duration_seconds_count').some((s) => s.labels.graphql_operation_name.startsWith('City__'))).toBe(true);
      expect(total(institutions, 'graphql_operation_duration_seconds_count', { graphql_operation_type: 'query', outcome: 'success' })).toBeGreaterThan(0);
      expect(total(institutions, 'graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBeGreaterThanOrEqual(1);
      const system = target.label === 'MySQL' ? 'mysql' : 'sqlite';
      expect(total(institutions, 'db_client_operation_duration_seconds_count', { db_system_name: system, db_operation_name: 'SELECT' })).toBeGreaterThan(0);
      // Every statement sent (none failed) was timed, whichever way it went to the database.
      const timed = total(institutions, 'db_client_operation_duration_seconds_count') - total(institutionsBefore, 'db_client_operation_duration_seconds_count');
      expect(timed).toBe(federation.subgraphs.institutions.database.statements.count - statementsBefore);
      expect(timed).toBeGreaterThan(0);
      if (system === 'mysql') {
        expect(samples(institutions, 'db_client_connection_count').map((s) => s.labels.state)).toEqual(['used', 'idle']);
        expect(total(institutions, 'db_client_connection_count')).toBeGreaterThan(0);
        expect(samples(institutions, 'db_client_connection_pending_requests')).toEqual([{ labels: {}, value: 0 }]);
      } else {
        expect(samples(institutions, 'db_client_connection_count')).toEqual([]);
      }
    });

    test('an operationName that is not a GraphQL name never becomes a label, and takes no place among the 100', async () => {
      for (const operationName of ['x'.repeat(5000), 'drop table; --', 'Ünicode']) {
        const response = await fetch(federation.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }', operationName }),
        });
        expect(response.status).toBe(400);
      }
      const names = samples(await scrape(federation.gateway.metricsUrl), 'graphql_operation_duration_seconds_count').map(
        (s) => s.labels.graphql_operation_name,
      );
      expect(names).toContain('other');
      for (const name of names) expect(name).toMatch(/^[_A-Za-z][_0-9A-Za-z]{0,127}$/);
    });

    test('operation names are bounded: after the known ones and 100 more, new names are "other"', async () => {
      for (let i = 0; i < 150; i += 1) {
        const { body } = await postGraphQL<any>(federation.gatewayUrl, `query Distinct${i} { __typename }`);
        expect(body.data).toEqual({ __typename: 'Query' });
      }
      const names = new Set(
        samples(await scrape(federation.gateway.metricsUrl), 'graphql_operation_duration_seconds_count').map((s) => s.labels.graphql_operation_name),
      );
      expect(names.has('Distinct0')).toBe(true);
      expect(names.has('Distinct149')).toBe(false);
      expect(names.has('other')).toBe(true);
      // The trusted documents' 3 names, 100 others, plus other and unnamed.
      expect(names.size).toBeLessThanOrEqual(3 + 100 + 2);
    });

    test('subgraph requests: each one sent is counted once (a deduplicated waiter is not), failures by outcome, breaker state', async () => {
      // A gateway of its own (no response cache, so identical queries reach the subgraphs) on which agreements refuses connections.
      const closedPort = await freePort();
      const gateway = await createGateway({
        ...gatewayConfigFromEnv({ DATA_DIR: federation.dataDir, LOG_LEVEL: 'silent' }),
        port: 0,
        metrics: metricsOn,
        responseCache: { enabled: false, keyPrefix: 'metrics-test', maxBytes: 1024 * 1024, entityCache: false },
        breaker: { errorThresholdPercent: 50, volumeThreshold: 2, windowMs: 60_000, resetMs: 60_000 },
        subgraphUrlOverride: (name) => (name === 'agreements' ? `http://127.0.0.1:${closedPort}/graphql` : federation.urls[name as SubgraphName]),
      });
      try {
        const url = await gateway.listen(0);
        const sent = (text: string) => total(text, 'http_client_request_duration_seconds_count', { subgraph_name: 'institutions' });
        const received = (text: string) => total(text, 'http_server_request_duration_seconds_count', { http_route: '/graphql', http_request_method: 'POST' });
        const gatewayBefore = await scrape(gateway.metricsUrl);
        const institutionsBefore = await scrape(federation.subgraphs.institutions.metricsUrl);
        const answers = await Promise.all(Array.from({ length: 8 }, () => postGraphQL<any>(url, CITY)));
        for (const answer of answers) expect(answer.body.errors).toBeUndefined();
        const gatewayAfter = await scrape(gateway.metricsUrl);
        const institutionsAfter = await scrape(federation.subgraphs.institutions.metricsUrl);
        expect(sent(gatewayAfter) - sent(gatewayBefore)).toBeGreaterThan(0);
        expect(sent(gatewayAfter) - sent(gatewayBefore)).toBe(received(institutionsAfter) - received(institutionsBefore));

        const failures = [];
        for (let i = 0; i < 4; i += 1) failures.push(await postGraphQL<any>(url, '{ agreement(id: "protocol-surgical-cooperation") { title } }'));
        expect(failures.map((f) => f.body.errors?.[0].extensions.code)).toEqual(Array(4).fill('SUBREQUEST_HTTP_ERROR'));
        const text = await scrape(gateway.metricsUrl);
        // A failed request counts once (its resend after a refused connection included); the breaker opens after two.
        expect(total(text, 'http_client_request_duration_seconds_count', { subgraph_name: 'agreements', outcome: 'network_error' })).toBe(2);
        expect(total(text, 'http_client_request_duration_seconds_count', { subgraph_name: 'agreements', outcome: 'circuit_open' })).toBe(2);
        expect(samples(text, 'subgraph_circuit_state')).toContainEqual({ labels: { subgraph_name: 'agreements' }, value: 2 });
        expect(samples(text, 'subgraph_circuit_state')).toContainEqual({ labels: { subgraph_name: 'institutions' }, value: 0 });
        expect(total(text, 'graphql_errors_total', { code: 'SUBREQUEST_HTTP_ERROR' })).toBe(4);
      } finally {
        await gateway.stop();
      }
    });

    test("the gateway's /metrics serves the same registry to admins only", async () => {
      const metricsRoute = federation.gatewayUrl.replace(/\/graphql$/, '/metrics');
      expect((await fetch(metricsRoute)).status).toBe(401);
      const viewer = await federation.token({ subject: 'vic', partner: 'UZ', roles: ['viewer'] });
      expect((await fetch(metricsRoute, { headers: { authorization: `Bearer ${viewer}` } })).status).toBe(403);
      const admin = await federation.token({ subject: 'ada', partner: 'FR', roles: ['admin'] });
      const response = await fetch(metricsRoute, { headers: { authorization: `Bearer ${admin}` } });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toContain('gateway_supergraph_rollout_waiting 0\n');
      expect(total(text, 'http_client_request_duration_seconds_count', { subgraph_name: 'institutions', outcome: 'ok' })).toBeGreaterThan(0);
    });
  });
}

describe('without METRICS_PORT', () => {
  test('no service opens a metrics listener', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'metrics-off-'));
    try {
      const config = gatewayConfigFromEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
      expect(config.metrics).toEqual({ port: undefined, host: '127.0.0.1' });
      expect(subgraphConfigFromEnv('institutions', 4001, { DATA_DIR: dataDir }).metrics?.port).toBeUndefined();
      expect(gatewayConfigFromEnv({ DATA_DIR: dataDir, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' }).metrics).toEqual({ port: 9464, host: '0.0.0.0' });
      const gateway = await createGateway({ ...config, port: 0 });
      try {
        await gateway.listen(0);
        expect(gateway.metricsUrl).toBeUndefined();
      } finally {
        await gateway.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
