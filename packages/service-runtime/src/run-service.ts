import { integerFromEnv } from './environment';
import { startTracing, stopTracing } from './tracing';

/** What a running service offers its process shell. */
export interface Stoppable {
  logger: { info(fields: object, message: string): void; error(fields: object, message: string): void };
  /** Stops serving; `signal` is the one that asked (a process that supervises others passes it on). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** How long stopping may take when that is longer than SHUTDOWN_DEADLINE_MS: waiting for processes that each have it. */
  shutdownDeadlineMs?: number;
}

/** How long stopping may take: requests in flight get `graceMs`, and the process exits after `deadlineMs` whatever hangs. */
export interface ShutdownTimings {
  graceMs: number;
  deadlineMs: number;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

/** `SHUTDOWN_GRACE_MS` (default 5000) and `SHUTDOWN_DEADLINE_MS` (default the grace + 5000, time to close connections and the database). */
export function shutdownTimingsFromEnv(env: NodeJS.ProcessEnv = process.env): ShutdownTimings {
  const graceMs = integerFromEnv(env, 'SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS, 0, 600_000);
  return { graceMs, deadlineMs: integerFromEnv(env, 'SHUTDOWN_DEADLINE_MS', graceMs + 5_000, 1, 3_600_000) };
}

/**
 * The process shell around a service: starts it, stops it on SIGINT/SIGTERM (requests in flight get the service's
 * grace), exits after SHUTDOWN_DEADLINE_MS even when stopping hangs (logged), and exits non-zero with a readable
 * message when it cannot start. The service must not stop on signals by itself (Apollo's own handler: off).
 * Tracing, when the environment asks for it, starts before `start` (which must load the service's modules: the
 * instrumentations patch them as they load) and sends its last spans after the service has stopped.
 */
export async function runService(name: string, start: () => Promise<Stoppable>): Promise<void> {
  let service: Stoppable;
  let deadlineMs: number;
  try {
    deadlineMs = shutdownTimingsFromEnv().deadlineMs;
    await startTracing(name);
    service = await start();
    deadlineMs = service.shutdownDeadlineMs ?? deadlineMs;
  } catch (err) {
    process.stderr.write(`[${name}] could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    service.logger.info({ signal, deadlineMs }, 'stopping');
    // Whatever is still open (a hung connection, a statement that never returns) must not keep the process alive.
    setTimeout(() => {
      service.logger.error({ deadlineMs }, 'did not stop within the shutdown deadline: exiting anyway');
      process.exit(1);
    }, deadlineMs);
    service.stop(signal).then(
      async () => {
        service.logger.info({ ms: Date.now() - started }, 'stopped');
        await stopTracing();
        process.exit(0);
      },
      async (err: unknown) => {
        service.logger.error({ err }, 'error while stopping');
        await stopTracing();
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
