import { PARTNERSHIP_CALLERS, partnershipSdl } from '@partnership/domain';
import { subgraphTypeDefs, type SubgraphDefinition } from '@partnership/subgraph-kit';
import { createContext, type __Name__Context } from './context';
import { entities } from './entities';
import { migrations } from './migrations';
import { referenceTables } from './reference-data';
import { resolvers } from './resolvers';

/** Everything the subgraph-kit needs to run the __name__ subgraph. */
export const __nameCamel__Subgraph: SubgraphDefinition<__Name__Context> = {
  name: '__name__',
  typeDefs: subgraphTypeDefs(__dirname, [partnershipSdl()]),
  callers: PARTNERSHIP_CALLERS,
  resolvers,
  entities,
  migrations,
  referenceTables,
  // Its share of a synthetic data plan (`npm run synthetic`, benchmarks): none yet. See the training subgraph's synthetic.ts.
  loadSyntheticData: async () => undefined,
  createContext,
};
