import { runService } from '@partnership/service-runtime';

// The service's modules are loaded inside, after runService has started tracing: its instrumentations patch express,
// graphql, dataloader, mysql2 and pino as they load.
void runService('training', async () => {
  const { subgraphConfigFromEnv } = await import('@partnership/subgraph-kit');
  const { createTrainingServer } = await import('./server.js');
  const server = await createTrainingServer(subgraphConfigFromEnv('training'));
  await server.listen();
  return server;
});
