import { runService, subgraphConfigFromEnv } from '@partnership/subgraph-kit';
import { create__Name__Server, __nameCamel__Subgraph } from './server';

void runService(__nameCamel__Subgraph.name, async () => {
  const server = await create__Name__Server(subgraphConfigFromEnv(__nameCamel__Subgraph.name));
  await server.listen();
  return server;
});
