/**
 * The tables: per traffic kind, the median over rounds of every figure per gateway, then ours against each peer.
 * Written as the "Gateways side by side" section of docs/benchmarks.md, which replaces only that section.
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeDocsSection } from '../../docs-section';
import { benchPackageDir } from './paths';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { GatewayKind } from './gateways';
import type { RoundResult } from './measure';
import type { TrafficKind } from './traffic';

export const SECTION_HEADING = '## Gateways side by side';

/** Every round's result (or why it failed), by traffic kind, then gateway id. */
export type Results = Map<TrafficKind, Map<string, Array<RoundResult | { failed: string }>>>;

export interface Medians extends Omit<RoundResult, 'firstError'> {
  rounds: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median of each figure over the rounds that succeeded; undefined when none did. */
export function medians(rounds: ReadonlyArray<RoundResult | { failed: string }>): Medians | undefined {
  const ok = rounds.filter((r): r is RoundResult => !('failed' in r));
  if (ok.length === 0) return undefined;
  const of = (key: keyof Omit<RoundResult, 'firstError'>) => median(ok.map((r) => r[key]));
  return {
    rounds: ok.length,
    rps: of('rps'),
    p50Ms: of('p50Ms'),
    p99Ms: of('p99Ms'),
    requests: of('requests'),
    // Failures are summed, not medians: one is one too many.
    failedRequests: ok.reduce((sum, r) => sum + r.failedRequests, 0),
    graphqlErrors: ok.reduce((sum, r) => sum + r.graphqlErrors, 0),
    gatewayCpuMsPerRequest: of('gatewayCpuMsPerRequest'),
    subgraphCpuMsPerRequest: of('subgraphCpuMsPerRequest'),
    mysqlCpuMsPerRequest: of('mysqlCpuMsPerRequest'),
    peakRssMb: Math.max(...ok.map((r) => r.peakRssMb)),
    distinctShare: of('distinctShare'),
    otherCores: of('otherCores'),
  };
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

/** The Markdown tables of one traffic kind. */
export function trafficTables(
  kind: TrafficKind,
  gateways: readonly GatewayKind[],
  byGateway: Map<string, Array<RoundResult | { failed: string }>>,
  peerIds: readonly string[],
): string {
  const lines = [
    '| gateway | RPS | p50 ms | p99 ms | gateway CPU ms/req | subgraph CPU ms/req | MySQL CPU ms/req | peak RSS MB | failed requests | GraphQL errors | other work, cores |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const figures = new Map<string, Medians>();
  for (const gateway of gateways) {
    const rounds = byGateway.get(gateway.id) ?? [];
    const m = medians(rounds);
    if (!m) {
      const reason = rounds.map((r) => ('failed' in r ? r.failed : '')).find(Boolean) ?? 'not run';
      lines.push(`| ${gateway.label} | failed: ${reason.split('\n')[0].replace(/\|/g, '/').slice(0, 160)} | | | | | | | | | |`);
      continue;
    }
    figures.set(gateway.id, m);
    lines.push(
      `| ${gateway.label} | ${fixed(m.rps, 0)} | ${fixed(m.p50Ms, 0)} | ${fixed(m.p99Ms, 0)} | ${fixed(m.gatewayCpuMsPerRequest, 2)} | ${fixed(m.subgraphCpuMsPerRequest, 2)} | ${fixed(m.mysqlCpuMsPerRequest, 2)} | ${fixed(m.peakRssMb, 0)} | ${m.failedRequests} | ${m.graphqlErrors} | ${fixed(m.otherCores, 2)} |`,
    );
  }
  const ours = figures.get('ours');
  const peers = peerIds.filter((id) => figures.has(id));
  if (ours && peers.length > 0) {
    lines.push(
      '',
      `Ours against each peer (${kind} traffic; RPS above 1 and p99, CPU below 1 favour ours):`,
      '',
      '| ours vs | RPS ratio | p99 ratio | gateway CPU/req ratio | subgraph CPU/req ratio | peak RSS ratio |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const id of peers) {
      const peer = figures.get(id)!;
      const label = gateways.find((g) => g.id === id)!.label;
      lines.push(
        `| ${label} | ${ratio(ours.rps, peer.rps)} | ${ratio(ours.p99Ms, peer.p99Ms)} | ${ratio(ours.gatewayCpuMsPerRequest, peer.gatewayCpuMsPerRequest)} | ${ratio(ours.subgraphCpuMsPerRequest, peer.subgraphCpuMsPerRequest)} | ${ratio(ours.peakRssMb, peer.peakRssMb)} |`,
      );
    }
  }
  const distinct = [...figures.values()].map((m) => m.distinctShare);
  if (kind === 'varied' && distinct.length > 0) {
    lines.push('', `Distinct requests: ${Math.round(median(distinct) * 100)}% of a round's requests had a body no earlier request of that round had.`);
  }
  return lines.join('\n');
}

export interface RunDescription {
  command: string;
  date: Date;
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  pinning: string;
}

/** The installed versions of the peers and of the load generator (bench/gateways/node_modules). */
export function peerVersions(): string {
  const packages = [
    '@apollo/gateway',
    '@apollo/server',
    '@graphql-hive/gateway',
    '@graphql-hive/gateway-runtime',
    '@graphql-hive/router-runtime',
    'autocannon',
  ];
  return packages
    .map((name) => {
      const file = join(benchPackageDir, 'node_modules', name, 'package.json');
      return `${name} ${existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : '(not installed)'}`;
    })
    .join(', ');
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

export function section(run: RunDescription, tables: Record<TrafficKind, string>, counts: Record<string, number>): string {
  return `${SECTION_HEADING}

Measured by \`${run.command}\` (bench/gateways) on ${run.date.toISOString().slice(0, 16).replace('T', ' ')} UTC; machine: ${machineDescription()}.
Peers: ${peerVersions()}.
Shared machines are noisy: compare the rows of one run with each other, not with another run.

The three subgraphs run as separate processes of the built product on MySQL/MariaDB with synthetic data
(${counts.institutions} institutions, ${counts.agreements} agreements, ${counts.programmes} programmes), with \`NODE_ENV=production\` as in the Docker image. Every gateway calls the same subgraphs and signs every
subgraph request (ours natively; each peer with a few lines of its documented hooks: a \`RemoteGraphQLDataSource\`
fetcher for @apollo/gateway, an \`onFetch\` plugin for Hive Gateway); the peers run on their defaults otherwise. Ours
runs with \`RATE_LIMIT_PER_MINUTE=0\` (its default of 600 a minute per client would refuse a load test). ${run.pinning}
Before the rounds of each kind of traffic, the subgraphs warm up on it for ${run.warmupSeconds * 3} s (unmeasured). Each gateway runs alone while it is measured: ${run.connections} connections (autocannon), a ${run.warmupSeconds} s warm-up, then ${run.rounds} interleaved
round(s) of ${run.durationSeconds} s (round 1 of every gateway, then round 2, ..., each round starting one gateway further down the list). Figures are medians over the rounds; peak RSS is
the highest sample (every 500 ms, the gateway with every process it started); CPU per request is user + system time
from /proc divided by the requests answered; subgraph CPU is the three subgraphs' together; MySQL CPU is
the database server's (any other client of it on the machine included). "Other work" is the CPU
the rest of the machine used during the rounds (median, in cores: all busy time from /proc/stat less the gateway's,
the subgraphs', the MySQL server's and the load generator's): well above 0, other work competed for the cores and
every figure of that row is skewed.

### Identical traffic

Every request is the saved \`InstitutionsWithAgreements\` operation (supergraph/operations) with \`{ "first": 10 }\`.

${tables.identical}

### Varied traffic

Every request draws one of five operations over the three subgraphs (the saved \`InstitutionsWithAgreements\` and
\`AgreementWithParties\`, the saved \`ProgrammeWithCohorts\` less its partners-only placements, an institution search with
nested people, agreements and programmes, a filtered page of agreements) with new ids, pages (\`first\`, \`after\`) and filters, so response caches mostly miss.

${tables.varied}
`;
}

/** Replaces this section of docs/benchmarks.md, or appends it. */
export function writeSection(path: string, text: string): void {
  writeDocsSection(path, SECTION_HEADING, text);
}
