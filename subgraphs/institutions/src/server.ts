import { buildSubgraph, type SubgraphConfig, type SubgraphServer } from '@partnership/subgraph-kit';
import { institutionsSubgraph } from './definition';

export { institutionsSubgraph } from './definition';

/** Builds the institutions subgraph (database migrated, reference data loaded) without listening. */
export function createInstitutionsServer(config: SubgraphConfig): Promise<SubgraphServer> {
  return buildSubgraph(institutionsSubgraph, config);
}
