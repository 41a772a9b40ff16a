/**
 * The gateways measured, in one table: ours (the built product, with its variants) and the peers. Each runs as its
 * own process, alone while it is measured, pointing at the same subgraphs with the same request signing.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { subgraphUrlVariableName } from '@partnership/service-runtime';
import type { RunningSubgraph } from './federation';
import { repoRoot } from './paths';
import { freePort, Service, waitUntil } from './processes';

export interface GatewayKind {
  /** For --gateways and the tables. */
  id: string;
  label: string;
  /** Pinned to one core (taskset); a multi-process variant is not. */
  pinned: boolean;
  /** The script (from the repository root) and the environment on top of the common one. */
  script: string;
  env: Record<string, string>;
}

// Ours, deviating from its defaults only where a load test needs it: RATE_LIMIT_PER_MINUTE=0, as the default
// 600 requests a minute per client would refuse nearly all of the benchmark's requests. Every operation sent stays
// within the default MAX_COST (100,000), so the operation limits stay as they are. The variants switch one feature off
// (or run two worker processes); a switch the gateway does not know yet leaves it on its default.
const ourScript = 'gateway/dist/src/index.js';
/** A peer's server, compiled next to this file; repo-relative like ours. */
const peerScript = (file: string) => relative(repoRoot, join(__dirname, file));
const ourEnv = { RATE_LIMIT_PER_MINUTE: '0' };

export const GATEWAYS: readonly GatewayKind[] = [
  { id: 'ours', label: 'ours', pinned: true, script: ourScript, env: ourEnv },
  { id: 'ours-no-response-cache', label: 'ours, RESPONSE_CACHE=off', pinned: true, script: ourScript, env: { ...ourEnv, RESPONSE_CACHE: 'off' } },
  { id: 'ours-no-entity-cache', label: 'ours, ENTITY_CACHE=off', pinned: true, script: ourScript, env: { ...ourEnv, ENTITY_CACHE: 'off' } },
  {
    id: 'ours-no-deduplication',
    label: 'ours, SUBGRAPH_DEDUPLICATION=off',

    pinned: true,
    script: ourScript,
    env: { ...ourEnv, SUBGRAPH_DEDUPLICATION: 'off' },
  },
  {
    // Deduplication alone: without the cache in front, identical concurrent fetches are what it merges.
    id: 'ours-no-cache-no-deduplication',
    label: 'ours, RESPONSE_CACHE=off and SUBGRAPH_DEDUPLICATION=off',
    pinned: true,
    script: ourScript,
    env: { ...ourEnv, RESPONSE_CACHE: 'off', SUBGRAPH_DEDUPLICATION: 'off' },
  },
  {
    id: 'ours-2-workers',
    label: 'ours, GATEWAY_WORKERS=2 (not pinned: both cores)',

    pinned: false,
    script: ourScript,
    env: { ...ourEnv, GATEWAY_WORKERS: '2' },
  },
  { id: 'apollo', label: 'plain @apollo/gateway', pinned: true, script: peerScript('apollo-gateway-server.js'), env: {} },
  { id: 'hive', label: 'Hive Gateway', pinned: true, script: peerScript('hive-gateway-server.js'), env: {} },
  {
    id: 'hive-rust',
    label: 'Hive Gateway + Rust planner',

    pinned: true,
    script: peerScript('hive-gateway-server.js'),
    env: { HIVE_ROUTER_RUNTIME: 'true' },
  },
];

/** The peers ours is compared with in the ratio rows. */
export const PEER_IDS = ['apollo', 'hive', 'hive-rust'];

/** The supergraph with its routing URLs replaced by the benchmark's subgraphs, for the peers (ours takes `<NAME>_URL`). */
export function writePeerSupergraph(supergraphSdl: string, subgraphs: readonly RunningSubgraph[], dir: string): string {
  const rewritten = supergraphSdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]+"\)/g, (whole, name: string) => {
    const subgraph = subgraphs.find((s) => s.name === name);
    return subgraph ? `@join__graph(name: "${name}", url: "${subgraph.url}")` : whole;
  });
  const path = join(dir, 'supergraph-for-peers.graphql');
  writeFileSync(path, rewritten);
  return path;
}

export interface GatewaySettings {
  repoRoot: string;
  supergraphPath: string;
  peerSupergraphPath: string;
  subgraphs: readonly RunningSubgraph[];
  baseEnv: NodeJS.ProcessEnv;
  /** The core(s) a pinned gateway runs on (taskset -c). */
  gatewayCores: string | undefined;
}

export interface RunningGateway {
  kind: GatewayKind;
  url: string;
  service: Service;
}

/** Starts one gateway on a free port; resolves once it answers a GraphQL query. */
export async function startGateway(kind: GatewayKind, settings: GatewaySettings): Promise<RunningGateway> {
  const port = await freePort();
  const isOurs = kind.script === ourScript;
  const env = {
    ...settings.baseEnv,
    ...(isOurs
      ? { SUPERGRAPH_PATH: settings.supergraphPath, ...Object.fromEntries(settings.subgraphs.map((s) => [subgraphUrlVariableName(s.name), s.url])) }
      : { SUPERGRAPH_PATH: settings.peerSupergraphPath }),
    ...kind.env,
    PORT: String(port),
  };
  const script = join(settings.repoRoot, kind.script);
  const pinned = kind.pinned && settings.gatewayCores !== undefined;
  const service = pinned
    ? new Service(kind.label, 'taskset', ['-c', settings.gatewayCores!, process.execPath, script], env)
    : new Service(kind.label, process.execPath, [script], env);
  const url = `http://127.0.0.1:${port}/graphql`;
  await waitUntil(service, () => answers(url), 'answering GraphQL', 60_000);
  return { kind, url, service };
}

async function answers(url: string): Promise<boolean> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"query":"{ __typename }"}',
    signal: AbortSignal.timeout(2_000),
  });
  return response.ok && ((await response.json()) as { data?: unknown }).data !== undefined;
}
