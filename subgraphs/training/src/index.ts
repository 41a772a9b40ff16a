import { runService, subgraphConfigFromEnv } from '@partnership/subgraph-kit';
import { createTrainingServer, trainingSubgraph } from './server';

void runService(trainingSubgraph.name, async () => {
  const server = await createTrainingServer(subgraphConfigFromEnv(trainingSubgraph.name));
  await server.listen();
  return server;
});
