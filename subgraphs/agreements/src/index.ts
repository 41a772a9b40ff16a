import { runService, subgraphConfigFromEnv } from '@partnership/subgraph-kit';
import { agreementsSubgraph, createAgreementsServer, DEFAULT_PORT } from './server';

void runService(agreementsSubgraph.name, async () => {
  const server = await createAgreementsServer(subgraphConfigFromEnv(agreementsSubgraph.name, DEFAULT_PORT));
  await server.listen();
  return server;
});
