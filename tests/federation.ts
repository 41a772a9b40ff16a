/**
 * The shared whole-federation harness: the three real subgraphs, each on its own scratch database, and the real
 * gateway over the committed supergraph, all on ephemeral ports in this process and talking over real HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Caller } from '@partnership/request-signing';
import { readSubgraphRegistry, type SubgraphConfig, type SubgraphServer } from '@partnership/subgraph-kit';
import type { ScratchTarget, scratchTargets } from '@partnership/subgraph-kit/testing';
import { createAgreementsServer } from '@partnership/agreements';
import { createGateway, gatewayConfigFromEnv, issueToken, localSigningKey, type Gateway, type GatewayConfig } from '@partnership/gateway';
import { createInstitutionsServer } from '@partnership/institutions';
import { createTrainingServer } from '@partnership/training';

export type SubgraphName = 'institutions' | 'agreements' | 'training';

export interface Federation {
  gatewayUrl: string;
  gateway: Gateway;
  subgraphs: Record<SubgraphName, SubgraphServer>;
  /** Routing URL of each subgraph as the gateway uses it; tests may point one elsewhere before boot. */
  urls: Record<SubgraphName, string>;
  /** A valid token for this caller, signed with the federation's local key (as `npm run token` does). */
  token(caller: Caller, ttlSeconds?: number): Promise<string>;
  /** The gateway's data folder (its local keys), a scratch folder of this federation. */
  dataDir: string;
  stop(): Promise<void>;
}

type Builder = (config: SubgraphConfig) => Promise<SubgraphServer>;

// How to build each subgraph in this process (the harness imports their packages); which ones run, and in what
// order, is the registry's (`subgraphs.json`). A registered subgraph not listed here (one made by
// `npm run new-subgraph`) is built by the one `create…Server` function its `src/server.ts` exports.
const builders: Record<string, Builder> = {
  institutions: createInstitutionsServer,
  agreements: createAgreementsServer,
  training: createTrainingServer,
};

function builderOf(name: string): Builder {
  if (builders[name]) return builders[name];
  const folder = readSubgraphRegistry().find((s) => s.name === name)?.folder;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const server = folder === undefined ? {} : (require(join(__dirname, '..', folder, 'src', 'server')) as Record<string, unknown>);
  const found = Object.entries(server).filter(([exported, value]) => /^create\w*Server$/.test(exported) && typeof value === 'function');
  if (found.length !== 1) throw new Error(`subgraph ${name} is in subgraphs.json but its src/server.ts exports no single create…Server function`);
  builders[name] = found[0][1] as Builder;
  return builders[name];
}

/** The registered subgraphs' names, in registry order; throws when one cannot be built by this harness. */
export function registeredSubgraphNames(): SubgraphName[] {
  return readSubgraphRegistry().map(({ name }) => {
    builderOf(name);
    return name as SubgraphName;
  });
}

export async function bootFederation(
  target: (typeof scratchTargets)[number],
  options: {
    gateway?: Partial<GatewayConfig>;
    /** Settings given to every subgraph besides its port, database and peers. */
    subgraph?: Partial<SubgraphConfig>;
    routeTo?: Partial<Record<SubgraphName, (url: string) => Promise<string>>>;
  } = {},
): Promise<Federation> {
  const scratches: ScratchTarget[] = [];
  const subgraphs = {} as Record<SubgraphName, SubgraphServer>;
  const urls = {} as Record<SubgraphName, string>;
  // Subgraphs check references with each other directly (signed _entities): each learns the others' URLs as they start.
  const peers: Record<string, string> = {};
  for (const name of registeredSubgraphNames()) {
    const scratch = await target.open(name);
    scratches.push(scratch);
    subgraphs[name] = await builderOf(name)({ ...options.subgraph, port: 0, databaseUrl: scratch.url, peers });
    const url = await subgraphs[name].listen(0);
    peers[name] = url;
    urls[name] = (await options.routeTo?.[name]?.(url)) ?? url;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'federation-'));
  // The harness's own settings, not the caller's environment: only the log level carries over (quiet tests).
  const defaults = gatewayConfigFromEnv({ DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL });
  const gateway = await createGateway({
    ...defaults,
    port: 0,
    subgraphUrlOverride: (name) => urls[name as SubgraphName],
    ...options.gateway,
  });
  const gatewayUrl = await gateway.listen(0);
  return {
    gatewayUrl,
    gateway,
    subgraphs,
    urls,
    dataDir,
    token: (caller, ttlSeconds = 600) =>
      issueToken(caller, { key: localSigningKey(dataDir), issuer: defaults.authentication.issuer, audience: defaults.authentication.audience, ttlSeconds }),
    async stop() {
      await gateway.stop();
      for (const server of Object.values(subgraphs)) await server.stop();
      for (const scratch of scratches) await scratch.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
