import { buildSubgraph, type SubgraphConfig, type SubgraphServer } from '@partnership/subgraph-kit';
import { __nameCamel__Subgraph } from './definition';

export { __nameCamel__Subgraph } from './definition';

/** Builds the __name__ subgraph (database migrated, reference data loaded) without listening. */
export function create__Name__Server(config: SubgraphConfig): Promise<SubgraphServer> {
  return buildSubgraph(__nameCamel__Subgraph, config);
}
