import { createGateway, gatewayConfigFromEnv, type Gateway } from './create-gateway';

// The process shell: configuration from the environment, listen, and a clean stop on SIGINT/SIGTERM
// (requests in flight finish). Exits non-zero with a readable message when it cannot start.
async function main(): Promise<void> {
  let gateway: Gateway;
  try {
    gateway = await createGateway(gatewayConfigFromEnv());
    await gateway.listen();
  } catch (error) {
    process.stderr.write(`[gateway] could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    gateway.logger.info({ signal }, 'stopping');
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        gateway.logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
