import { buildSubgraph, type SubgraphConfig, type SubgraphServer } from '@partnership/subgraph-kit';
import { agreementsSubgraph } from './definition';

export { agreementsSubgraph } from './definition';

/** Builds the agreements subgraph (database migrated, reference data loaded) without listening. */
export function createAgreementsServer(config: SubgraphConfig): Promise<SubgraphServer> {
  return buildSubgraph(agreementsSubgraph, config);
}
