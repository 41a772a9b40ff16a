import { runService } from '@partnership/service-runtime';

// The service's modules are loaded inside, after runService has started tracing: its instrumentations patch express,
// graphql, dataloader, mysql2 and pino as they load.
void runService('institutions', async () => {
  const { subgraphConfigFromEnv } = await import('@partnership/subgraph-kit');
  const { createInstitutionsServer } = await import('./server.js');
  const server = await createInstitutionsServer(subgraphConfigFromEnv('institutions'));
  await server.listen();
  return server;
});
