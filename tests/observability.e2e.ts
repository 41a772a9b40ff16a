/**
 * The local observability stack (deploy/observability/) against the real services: every metric the Grafana dashboard
 * and the alert rules query is one the gateway or a subgraph exports, and Prometheus scrapes every service. A renamed
 * metric or a new subgraph left out of prometheus.yml fails here rather than as an empty panel or a silent alert.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSubgraphRegistry } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { parse } from 'yaml';
import { bootFederation, type Federation } from './federation';
import { repoRoot } from './processes';

const deployFolder = join(repoRoot, 'deploy', 'observability');
const readYaml = <T>(file: string): T => parse(readFileSync(file, 'utf8')) as T;

interface Dashboard {
  panels?: Array<{ title?: string; targets?: Array<{ expr?: string }>; panels?: Dashboard['panels'] }>;
}
interface RuleFile {
  groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }>;
}
interface PrometheusConfig {
  scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }> }>;
}
interface ComposeFile {
  services: Record<string, { environment?: Record<string, string> }>;
}

/** Every PromQL expression of the dashboard (rows may nest panels) and of the alert rules, with where it is. */
function queries(): Array<{ where: string; expr: string }> {
  const dashboard = JSON.parse(readFileSync(join(deployFolder, 'grafana', 'dashboards', 'federation.json'), 'utf8')) as Dashboard;
  const fromPanels = (panels: Dashboard['panels']): Array<{ where: string; expr: string }> =>
    (panels ?? []).flatMap((panel) => [
      ...(panel.targets ?? []).filter((t) => t.expr).map((t) => ({ where: `dashboard panel "${panel.title}"`, expr: t.expr as string })),
      ...fromPanels(panel.panels),
    ]);
  const rules = readYaml<RuleFile>(join(deployFolder, 'alerts.yml')).groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `rule ${rule.alert ?? rule.record}`, expr: rule.expr })),
  );
  return [...fromPanels(dashboard.panels), ...rules];
}

// Words of PromQL that stand where a metric name could and are not followed by "(" (functions and aggregations
// are: any name before "(" is skipped).
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'atan2', 'inf', 'nan']);

/** The metric names a PromQL expression selects. */
function metricNames(expr: string): string[] {
  const bare = expr
    // strings first: they may hold braces, brackets or names (`code=~"A|B"`, `count_values("x", ...)`)
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    // label matchers, and the label lists of grouping and vector matching
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
    // range and subquery selectors, with any Grafana variable in them ([$__rate_interval])
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ');
  const names = new Set<string>();
  // A token starting with a digit is a number or a duration (5m, 1e9): skipped whole.
  for (const match of bare.matchAll(/[0-9][\w.]*|([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (name && !call && !KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

/** The metric families of a Prometheus text scrape: name, type, and how many samples each has. */
function families(text: string): Map<string, { type: string; samples: number }> {
  const found = new Map<string, { type: string; samples: number }>();
  for (const line of text.split('\n')) {
    const declared = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (declared) found.set(declared[1], { type: declared[2], samples: 0 });
    else if (line && !line.startsWith('#')) {
      const family = familyOf(/^[^{ ]+/.exec(line)?.[0] ?? '', found);
      if (family) found.get(family)!.samples += 1;
    }
  }
  return found;
}

/** The family a sample or query name belongs to: itself, or for `_bucket`, `_count` and `_sum`, its histogram (or summary). */
function familyOf(name: string, known: Map<string, { type: string }>): string | undefined {
  if (known.has(name)) return name;
  const base = /^(.+)_(bucket|count|sum)$/.exec(name)?.[1];
  const type = base === undefined ? undefined : known.get(base)?.type;
  return type === 'histogram' || (type === 'summary' && !name.endsWith('_bucket')) ? base : undefined;
}

// Present only on MySQL: SQLite has one connection and no pool (docs/operations.md, Metrics).
const MYSQL_ONLY = new Set(['db_client_connection_count', 'db_client_connection_pending_requests']);
// Declared by the gateway, with samples only while a new supergraph waits for its subgraphs (none of this test's doing).
const SAMPLES_ONLY_DURING_ROLLOUT = new Set(['gateway_supergraph_rollout_lagging_subgraph']);
// Prometheus's own series for each scrape target: checked below as the targets of prometheus.yml.
const PROMETHEUS_OWN = new Set(['up']);

describe('PromQL metric names', () => {
  test('are what is left once strings, label matchers, grouping, ranges, numbers, functions and keywords are gone', () => {
    expect(
      metricNames(
        'sum by (job, code) (rate(graphql_errors_total{code=~"A|B}", le!="x"}[$__rate_interval])) / on (job) group_left (instance) max without (le) (b_seconds_bucket offset 5m) > bool 1e3',
      ).sort(),
    ).toEqual(['b_seconds_bucket', 'graphql_errors_total']);
    expect(metricNames('histogram_quantile(0.99, sum(rate(x_bucket[5m])) by (le)) and up == 0 unless count_values("by", y)')).toEqual(['x_bucket', 'up', 'y']);
    expect(metricNames('topk (5, process_resident_memory_bytes)')).toEqual(['process_resident_memory_bytes']);
  });

  test('every query of the dashboard and of the alert rules selects at least one metric', () => {
    const all = queries();
    expect(all.length).toBeGreaterThan(20);
    for (const { where, expr } of all) expect([where, metricNames(expr).length > 0]).toEqual([where, true]);
  });
});

describe('deploy/observability/prometheus.yml', () => {
  test('scrapes the gateway and every registered subgraph on the metrics port their compose service listens on', () => {
    const config = readYaml<PrometheusConfig>(join(deployFolder, 'prometheus.yml'));
    const compose = readYaml<ComposeFile>(join(repoRoot, 'docker-compose.yml'));
    const targets = config.scrape_configs.flatMap((job) =>
      (job.static_configs ?? []).flatMap((s) => s.targets.map((target) => ({ job: job.job_name, target }))),
    );
    const services = ['gateway', ...readSubgraphRegistry(join(repoRoot, 'subgraphs.json')).map((s) => s.name)];
    for (const service of services) {
      const environment = compose.services[service]?.environment ?? {};
      expect([service, environment.METRICS_HOST]).toEqual([service, '0.0.0.0']);
      expect(targets.filter((t) => t.target === `${service}:${environment.METRICS_PORT}`)).toEqual([{ job: service, target: `${service}:9464` }]);
    }
    expect(targets.map((t) => t.job).sort()).toEqual([...services].sort());
  });
});

const CITY = 'query City { institution(id: "uz-ministry-of-health") { name city hostedPrograms { title } } }';
// email is for signed-in callers: an anonymous caller gets an UNAUTHENTICATED error for it.
const CONTACTS = 'query Contacts { person(id: "celine-poulet") { fullName email } }';
const AGREEMENTS = 'query Agreements { agreements(first: 3) { totalCount nodes { title parties { institution { name } } } } }';

for (const target of scratchTargets) {
  const poolNote = target.label === 'MySQL' ? 'pool series included' : 'pool series are MySQL-only: checked in the MySQL run';
  target.describe(`every metric of the dashboard and the alert rules, scraped from the services (${poolNote})`, () => {
    let federation: Federation;
    const metricsOn = { port: 0, host: '127.0.0.1' };

    beforeAll(async () => {
      federation = await bootFederation(target, { gateway: { metrics: metricsOn }, subgraph: { metrics: metricsOn } });
    });
    afterAll(async () => {
      await federation?.stop();
    });

    test('is exported, with samples, by the gateway or a subgraph after a few requests', async () => {
      const ask = (query: string) => postGraphQL<any>(federation.gatewayUrl, query);
      expect((await ask(CITY)).body.errors).toBeUndefined();
      // The same public query again: a response cache hit.
      expect((await ask(CITY)).body.errors).toBeUndefined();
      expect((await ask(AGREEMENTS)).body.errors).toBeUndefined();
      expect((await ask(CONTACTS)).body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');

      const urls = [federation.gateway.metricsUrl, ...Object.values(federation.subgraphs).map((s) => s.metricsUrl)];
      const scraped = new Map<string, { type: string; samples: number }>();
      for (const url of urls) {
        if (!url) throw new Error('a service opened no metrics listener');
        const response = await fetch(url);
        expect(response.status).toBe(200);
        for (const [name, family] of families(await response.text())) {
          const seen = scraped.get(name);
          scraped.set(name, { type: family.type, samples: (seen?.samples ?? 0) + family.samples });
        }
      }

      const missing: Array<{ name: string; where: string }> = [];
      const withoutSamples: string[] = [];
      for (const { where, expr } of queries()) {
        for (const name of metricNames(expr)) {
          if (PROMETHEUS_OWN.has(name)) continue;
          const family = familyOf(name, scraped);
          if (family === undefined) missing.push({ name, where });
          else if (scraped.get(family)!.samples === 0 && !SAMPLES_ONLY_DURING_ROLLOUT.has(family)) withoutSamples.push(`${name} (${where})`);
        }
      }
      expect(withoutSamples).toEqual([]);
      if (target.label === 'MySQL') {
        expect(missing).toEqual([]);
      } else {
        // Only the pool series are missing, and the dashboard and rules do use both of them.
        expect(missing.filter((m) => !MYSQL_ONLY.has(m.name))).toEqual([]);
        expect([...new Set(missing.map((m) => m.name))].sort()).toEqual([...MYSQL_ONLY].sort());
      }
    });
  });
}
