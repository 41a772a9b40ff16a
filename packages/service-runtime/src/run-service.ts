/** What a running service offers its process shell. */
export interface Stoppable {
  logger: { info(fields: object, message: string): void; error(fields: object, message: string): void };
  stop(): Promise<void>;
}

/**
 * The process shell around a service: starts it, stops it cleanly on SIGINT/SIGTERM (requests in flight
 * finish), and exits non-zero with a readable message when it cannot start.
 */
export async function runService(name: string, start: () => Promise<Stoppable>): Promise<void> {
  let service: Stoppable;
  try {
    service = await start();
  } catch (err) {
    process.stderr.write(`[${name}] could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    service.logger.info({ signal }, 'stopping');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        service.logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
