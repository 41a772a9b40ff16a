import { runService, subgraphConfigFromEnv } from '@partnership/subgraph-kit';
import { createTrainingServer, DEFAULT_PORT, trainingSubgraph } from './server';

void runService(trainingSubgraph.name, async () => {
  const server = await createTrainingServer(subgraphConfigFromEnv(trainingSubgraph.name, DEFAULT_PORT));
  await server.listen();
  return server;
});
