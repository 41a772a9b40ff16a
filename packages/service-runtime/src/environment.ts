import { resolve } from 'node:path';

/** A whole number from the environment, or `fallback` when unset; throws a message naming the variable. */
export function integerFromEnv(env: NodeJS.ProcessEnv, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${variable} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return value;
}

/**
 * The local data folder (SQLite files, generated secrets): `DATA_DIR`, default `./data`, relative to the folder where
 * the user ran npm. npm runs workspace scripts inside the workspace folder; INIT_CWD is where the user typed the
 * command, so `npm start` and `npm start -w <workspace>` at the root share one ./data.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return resolve(env.INIT_CWD || process.cwd(), env.DATA_DIR || 'data');
}
