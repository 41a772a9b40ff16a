/**
 * The shared whole-federation harness: the three real subgraphs, each on its own scratch database, and the real
 * gateway over the committed supergraph, all on ephemeral ports in this process and talking over real HTTP.
 */
import type { SubgraphServer } from '@partnership/subgraph-kit';
import type { ScratchTarget, scratchTargets } from '@partnership/subgraph-kit/testing';
import { createAgreementsServer } from '@partnership/agreements';
import { createGateway, gatewayConfigFromEnv, type Gateway, type GatewayConfig } from '@partnership/gateway';
import { createInstitutionsServer } from '@partnership/institutions';
import { createTrainingServer } from '@partnership/training';

export type SubgraphName = 'institutions' | 'agreements' | 'training';

export interface Federation {
  gatewayUrl: string;
  gateway: Gateway;
  subgraphs: Record<SubgraphName, SubgraphServer>;
  /** Routing URL of each subgraph as the gateway uses it; tests may point one elsewhere before boot. */
  urls: Record<SubgraphName, string>;
  stop(): Promise<void>;
}

const builders: Record<SubgraphName, (config: { port: number; databaseUrl: string }) => Promise<SubgraphServer>> = {
  institutions: createInstitutionsServer,
  agreements: createAgreementsServer,
  training: createTrainingServer,
};

export async function bootFederation(
  target: (typeof scratchTargets)[number],
  options: { gateway?: Partial<GatewayConfig>; routeTo?: Partial<Record<SubgraphName, (url: string) => Promise<string>>> } = {},
): Promise<Federation> {
  const scratches: ScratchTarget[] = [];
  const subgraphs = {} as Record<SubgraphName, SubgraphServer>;
  const urls = {} as Record<SubgraphName, string>;
  for (const name of Object.keys(builders) as SubgraphName[]) {
    const scratch = await target.open(name);
    scratches.push(scratch);
    subgraphs[name] = await builders[name]({ port: 0, databaseUrl: scratch.url });
    const url = await subgraphs[name].listen(0);
    urls[name] = (await options.routeTo?.[name]?.(url)) ?? url;
  }
  const gateway = await createGateway({
    ...gatewayConfigFromEnv({}),
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
    async stop() {
      await gateway.stop();
      for (const server of Object.values(subgraphs)) await server.stop();
      for (const scratch of scratches) await scratch.dispose();
    },
  };
}
