import cluster, { type Worker } from 'node:cluster';
import { shutdownTimingsFromEnv, type Stoppable } from '@partnership/service-runtime';
import pino from 'pino';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';

/** Worker starts that fail in a row (the worker exits before it listens) before the primary gives up. */
const MAX_FAILED_STARTS = 5;
/** A worker that exits is started again after this long, doubled for each failed start in a row, up to 5 s. */
const RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 5_000;
/** The primary waits this much longer than a worker's own shutdown deadline before it gives up on one. */
const STOP_MARGIN_MS = 2_000;

interface WorkerExit {
  worker: number;
  code: number | null;
  signal: string | null;
}

/**
 * The node:cluster primary (GATEWAY_WORKERS > 1): forks `count` workers, each running the entry point again as a
 * worker that serves the gateway on the port they share, and keeps them running: a worker that exits is started again
 * after a short delay. When a worker cannot start (it exits before listening: a port taken, a supergraph that cannot
 * load) during the first start, or MAX_FAILED_STARTS times in a row later, the primary stops the others and fails
 * (exit code 1): restarting would not help, and whoever runs the gateway hears of it. Rate limits counted on this host
 * live here for all the workers (rate-limiter-flexible's cluster limiter). `stop(signal)` passes the signal on and
 * waits for every worker to drain; it fails if one did not stop cleanly. Resolves once every worker listens.
 */
export async function startWorkers(count: number, logLevel: string): Promise<Stoppable> {
  const logger = pino({ level: logLevel, base: { service: 'gateway', primary: process.pid } });
  const workerDeadlineMs = shutdownTimingsFromEnv().deadlineMs;
  // The workers' RateLimiterCluster (rate-limit.ts) asks this one; it must exist before the first worker does.
  new RateLimiterClusterMaster();
  const exits = new Map<Worker, Promise<WorkerExit>>();
  const listening = new Set<Worker>();
  const restarts = new Set<NodeJS.Timeout>();
  let failedStarts = 0;
  let stopped: Promise<WorkerExit[]> | undefined;
  let started = false;
  let onStarted!: () => void;
  let onStartFailed!: (error: Error) => void;
  const allListening = new Promise<void>((resolve, reject) => {
    onStarted = resolve;
    onStartFailed = reject;
  });

  const fork = () => {
    const worker = cluster.fork();
    const pid = worker.process.pid ?? 0;
    exits.set(worker, new Promise((resolve) => worker.once('exit', (code, signal) => resolve({ worker: pid, code, signal }))));
    logger.info({ worker: pid }, 'worker started');
  };
  const stopWorkers = (signal: NodeJS.Signals): Promise<WorkerExit[]> => {
    stopped ??= (() => {
      for (const timer of restarts) clearTimeout(timer);
      for (const worker of exits.keys()) worker.process.kill(signal);
      return Promise.all(exits.values());
    })();
    return stopped;
  };
  // However the primary ends (a deadline, a crash), no worker outlives it.
  process.on('exit', () => {
    for (const worker of exits.keys()) worker.process.kill('SIGKILL');
  });

  cluster.on('listening', (worker) => {
    listening.add(worker);
    failedStarts = 0;
    if (!started && listening.size === count) {
      started = true;
      logger.info({ workers: count }, 'every worker listens');
      onStarted();
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    const pid = worker.process.pid;
    exits.delete(worker);
    const listened = listening.delete(worker);
    if (stopped) {
      logger.info({ worker: pid, code, signal }, 'worker stopped');
      return;
    }
    if (!listened) failedStarts += 1;
    // The first start fails the same way in every worker (same settings, same port): no point in trying again.
    if (!started || failedStarts >= MAX_FAILED_STARTS) {
      const reason = started
        ? `${failedStarts} worker starts in a row failed (the last one: ${howItEnded(code, signal)}); the workers' messages above say why`
        : `a worker could not start (${howItEnded(code, signal)}); its messages above say why`;
      logger.error({ worker: pid, code, signal }, `giving up: ${reason}`);
      void stopWorkers('SIGTERM').then(() => (started ? process.exit(1) : onStartFailed(new Error(reason))));
      return;
    }
    const delayMs = Math.min(RESTART_DELAY_MS * 2 ** failedStarts, MAX_RESTART_DELAY_MS);
    logger.error(
      { worker: pid, code, signal, restartInMs: delayMs },
      listened ? 'worker exited: starting another' : 'worker exited before it listened: starting another',
    );
    const timer = setTimeout(() => {
      restarts.delete(timer);
      fork();
    }, delayMs);
    restarts.add(timer);
  });

  for (let i = 0; i < count; i += 1) fork();
  await allListening;
  return {
    logger,
    shutdownDeadlineMs: workerDeadlineMs + STOP_MARGIN_MS,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      // A worker still starting has no signal handler yet: the signal ends it, and it was serving no one.
      const unclean = (await stopWorkers(signal)).filter((exit) => exit.code !== 0 && exit.signal !== signal);
      if (unclean.length > 0) {
        throw new Error(`workers did not stop cleanly: ${unclean.map((exit) => `${exit.worker} (${howItEnded(exit.code, exit.signal)})`).join(', ')}`);
      }
    },
  };
}

/**
 * A worker's logger: workers share one output, so each line says which process wrote it. Made here, not in the entry
 * point: pino must come from `require` (this module's import), which tracing's instrumentation patches; a dynamic
 * `import('pino')` would give the unpatched module, whose lines carry no trace id.
 */
export function workerLogger(logLevel: string): pino.Logger {
  return pino({ level: logLevel, base: { service: 'gateway', worker: process.pid } });
}

function howItEnded(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}
