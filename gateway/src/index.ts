import cluster from 'node:cluster';
import { setFlagsFromString } from 'node:v8';
import { runService } from '@partnership/service-runtime';

// The gateway keeps about 50 MB alive, but under load V8 lets the old generation grow to 4 times that between full
// collections: 300 MB of RSS. Growing it by 30% at most keeps RSS near 170 MB at the same throughput (docs/benchmarks.md).
// A --heap-growing-percent given to node wins.
if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) setFlagsFromString('--heap-growing-percent=30');

// With GATEWAY_WORKERS > 1 this process is the cluster primary, and each worker it forks runs this file again.
// The whole configuration is checked first, so that a mistake fails here instead of in every worker.
// Everything else is loaded inside, after runService has started tracing: its instrumentations patch graphql, express
// and pino as our modules `require` them (a package taken here with `import()` would escape them: see workerLogger).
void runService('gateway', async () => {
  const { gatewayConfigFromEnv, gatewayWorkersFromEnv } = await import('./config.js');
  const config = gatewayConfigFromEnv();
  const workers = gatewayWorkersFromEnv();
  const { startWorkers, workerLogger } = await import('./workers.js');
  if (cluster.isPrimary && workers > 1) return startWorkers(workers, config.logLevel);
  // Loaded only where it serves: the primary stays small (about 65 MB instead of 130).
  const { createGateway } = await import('./create-gateway.js');
  const logger = cluster.isWorker ? workerLogger(config.logLevel) : undefined;
  const gateway = await createGateway(config, { logger });
  await gateway.listen();
  return gateway;
});
