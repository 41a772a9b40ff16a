import { runService, subgraphConfigFromEnv } from '@partnership/subgraph-kit';
import { createInstitutionsServer, institutionsSubgraph } from './server';

void runService(institutionsSubgraph.name, async () => {
  const server = await createInstitutionsServer(subgraphConfigFromEnv(institutionsSubgraph.name));
  await server.listen();
  return server;
});
