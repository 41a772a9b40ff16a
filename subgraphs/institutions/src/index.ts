import { runService, subgraphConfigFromEnv } from '@partnership/subgraph-kit';
import { createInstitutionsServer, DEFAULT_PORT, institutionsSubgraph } from './server';

void runService(institutionsSubgraph.name, async () => {
  const server = await createInstitutionsServer(subgraphConfigFromEnv(institutionsSubgraph.name, DEFAULT_PORT));
  await server.listen();
  return server;
});
