import { PARTNERSHIP_CALLERS, partnershipSdl } from '@partnership/domain';
import { subgraphTypeDefs, type SubgraphDefinition } from '@partnership/subgraph-kit';
import { createContext, type TrainingContext } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { referenceTables } from './reference-data';
import { resolvers } from './resolvers';
import { loadSyntheticData } from './synthetic';

export interface TrainingOptions {
  /** The clock progress is measured against (default: the real one). Tests pass a fixed date. */
  now?: () => Date;
}

/** Everything the subgraph-kit needs to run the training subgraph, with an optional clock. */
export function trainingDefinition(options: TrainingOptions = {}): SubgraphDefinition<TrainingContext> {
  return {
    name: 'training',
    typeDefs: subgraphTypeDefs(__dirname, [partnershipSdl()]),
    callers: PARTNERSHIP_CALLERS,
    resolvers,
    entities,
    migrations,
    referenceTables,
    loadSyntheticData,
    createContext: (database) => createContext(database, options.now),
  };
}

/** The training subgraph on the real clock. */
export const trainingSubgraph: SubgraphDefinition<TrainingContext> = trainingDefinition();
