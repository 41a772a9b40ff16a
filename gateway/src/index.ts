import { runService } from '@partnership/service-runtime';
import { createGateway, gatewayConfigFromEnv } from './create-gateway';

void runService('gateway', async () => {
  const gateway = await createGateway(gatewayConfigFromEnv());
  await gateway.listen();
  return gateway;
});
