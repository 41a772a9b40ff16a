/**
 * What `npm start` (start-federation.ts) and `npm run restart` (restart.ts) share: the state file the supervisor keeps
 * in the data folder while it runs, and the restart request files it answers on SIGUSR2.
 */
import { readFileSync } from 'node:fs';

/** `<DATA_DIR>/federation.json`: written by the supervisor while it runs, removed when it exits. */
export const STATE_FILE = 'federation.json';
/** A restart request: `<DATA_DIR>/federation-restart-<requester pid>.request`, holding the name of one service. */
export const RESTART_REQUEST_PREFIX = 'federation-restart-';
export const RESTART_REQUEST_SUFFIX = '.request';

/** starting/restarting: launched, not yet ready; stopped: exited, a restart pending; ready: answered its readiness check. */
export type ServiceState = 'starting' | 'restarting' | 'ready' | 'stopped';

export interface FederationState {
  /** The supervisor's pid: the one to send SIGUSR2. */
  pid: number;
  /** True once every service was ready at the first start (restarts are accepted from then on). */
  ready: boolean;
  services: Array<{ name: string; role: 'subgraph' | 'gateway'; port: number; pid: number | null; state: ServiceState }>;
}

/** The state in `file`, or undefined when there is none (no supervisor has it open). */
export function readState(file: string): FederationState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(text) as FederationState;
}

/**
 * True while the supervisor that wrote the state file runs. A state file left by a supervisor that was killed may name
 * a pid the system has since given to another process: only one of ours that runs start-federation counts (where
 * /proc tells), never someone else's (EPERM), so `restart` never signals a stranger and `npm start` is never blocked.
 */
export function isSupervisorAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start-federation');
  } catch {
    return true;
  }
}
