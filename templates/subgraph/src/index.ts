import { runService } from '@partnership/service-runtime';

// The service's modules are loaded inside, after runService has started tracing: its instrumentations patch express,
// graphql, dataloader, mysql2 and pino as they load.
void runService('__name__', async () => {
  const { subgraphConfigFromEnv } = await import('@partnership/subgraph-kit');
  const { create__Name__Server } = await import('./server.js');
  const server = await create__Name__Server(subgraphConfigFromEnv('__name__'));
  await server.listen();
  return server;
});
