import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** A JSON logger whose every line names the service that wrote it. `LOG_LEVEL` sets the level (default info). */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service } });
}
