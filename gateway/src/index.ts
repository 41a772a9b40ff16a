import cluster from 'node:cluster';
import { setFlagsFromString } from 'node:v8';
import { runService } from '@partnership/service-runtime';
import pino from 'pino';
import { gatewayConfigFromEnv, gatewayWorkersFromEnv } from './config';
import { startWorkers } from './workers';

// The gateway keeps about 50 MB alive, but under load V8 lets the old generation grow to 4 times that between full
// collections: 300 MB of RSS. Growing it by 30% at most keeps RSS near 170 MB at the same throughput (docs/benchmarks.md).
// A --heap-growing-percent given to node wins.
if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) setFlagsFromString('--heap-growing-percent=30');

// With GATEWAY_WORKERS > 1 this process is the cluster primary, and each worker it forks runs this file again.
// The whole configuration is checked first, so that a mistake fails here instead of in every worker.
void runService('gateway', async () => {
  const config = gatewayConfigFromEnv();
  const workers = gatewayWorkersFromEnv();
  if (cluster.isPrimary && workers > 1) return startWorkers(workers, config.logLevel);
  // Loaded only where it serves: the primary stays small (about 65 MB instead of 130).
  const { createGateway } = await import('./create-gateway.js');
  // Workers share one output: each line says which process wrote it.
  const logger = cluster.isWorker ? pino({ level: config.logLevel, base: { service: 'gateway', worker: process.pid } }) : undefined;
  const gateway = await createGateway(config, { logger });
  await gateway.listen();
  return gateway;
});
