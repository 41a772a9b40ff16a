import { runService, subgraphConfigFromEnv } from '@partnership/subgraph-kit';
import { agreementsSubgraph, createAgreementsServer } from './server';

void runService(agreementsSubgraph.name, async () => {
  const server = await createAgreementsServer(subgraphConfigFromEnv(agreementsSubgraph.name));
  await server.listen();
  return server;
});
