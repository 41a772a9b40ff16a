import { buildSubgraph, type SubgraphConfig, type SubgraphServer } from '@partnership/subgraph-kit';
import { trainingDefinition, type TrainingOptions } from './definition';

export { trainingDefinition, trainingSubgraph, type TrainingOptions } from './definition';

/** Builds the training subgraph (database migrated, reference data loaded) without listening. */
export function createTrainingServer(config: SubgraphConfig, options: TrainingOptions = {}): Promise<SubgraphServer> {
  return buildSubgraph(trainingDefinition(options), config);
}
