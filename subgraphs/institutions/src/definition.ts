import { PARTNERSHIP_CALLERS, partnershipSdl } from '@partnership/domain';
import { subgraphTypeDefs, type SubgraphDefinition } from '@partnership/subgraph-kit';
import { createContext, type InstitutionsContext } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { referenceTables } from './reference-data';
import { resolvers } from './resolvers';
import { loadSyntheticData } from './synthetic';

/** Everything the subgraph-kit needs to run the institutions subgraph. */
export const institutionsSubgraph: SubgraphDefinition<InstitutionsContext> = {
  name: 'institutions',
  typeDefs: subgraphTypeDefs(__dirname, [partnershipSdl()]),
  callers: PARTNERSHIP_CALLERS,
  resolvers,
  entities,
  migrations,
  referenceTables,
  loadSyntheticData,
  createContext,
};
