/**
 * `npm run restart -- <name>`: restarts one service of a running `npm start` (for example `npm run restart -- agreements`)
 * while the others keep running. Reads the supervisor's state (`<DATA_DIR>/federation.json`), leaves a request file
 * naming the service, sends the supervisor SIGUSR2, and waits until the service runs again under a new pid and
 * answers its readiness check. Exit code 0 once it is ready; 1 when it failed or npm start is not running; 2 for a
 * missing or unknown name.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir } from '@partnership/service-runtime';
import { isSupervisorAlive, readState, RESTART_REQUEST_PREFIX, RESTART_REQUEST_SUFFIX, STATE_FILE, type FederationState } from './federation-state';

/** The supervisor stops a service within 15 s and waits up to 120 s for it to be ready again. */
const TIMEOUT_MS = 150_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fail(message: string, code = 1): never {
  process.stderr.write(`[restart] ${message}\n`);
  process.exit(code);
}

/** The state of the running supervisor, or a failure saying that npm start is not running. */
function runningSupervisor(file: string): FederationState {
  let state: FederationState | undefined;
  try {
    state = readState(file);
  } catch (err) {
    fail(`could not read ${file}: ${(err as Error).message}`);
  }
  if (!state || !isSupervisorAlive(state.pid)) fail(`npm start is not running (no live supervisor in ${file}${state ? `: pid ${state.pid} has exited` : ''})`);
  return state;
}

async function main(): Promise<void> {
  const dataDir = defaultDataDir(process.env);
  const file = join(dataDir, STATE_FILE);
  const names = process.argv.slice(2);
  if (names.length !== 1) fail('name one service to restart: npm run restart -- <name> (a subgraph of subgraphs.json, or gateway)', 2);
  let state = runningSupervisor(file);
  const valid = state.services.map((s) => s.name).join(', ');
  const [name] = names;
  const before = state.services.find((s) => s.name === name);
  if (!before) fail(`unknown service "${name}": the services are ${valid}`, 2);
  if (!state.ready) fail('npm start is still starting: try again once the federation is ready');

  const request = join(dataDir, `${RESTART_REQUEST_PREFIX}${process.pid}${RESTART_REQUEST_SUFFIX}`);
  writeFileSync(request, `${name}\n`);
  process.on('exit', () => rmSync(request, { force: true }));
  process.kill(state.pid, 'SIGUSR2');
  process.stdout.write(`[restart] restarting ${name} (pid ${before.pid ?? 'none'}, port ${before.port})...\n`);

  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(200);
    state = runningSupervisor(file);
    const now = state.services.find((s) => s.name === name)!;
    if (now.pid !== null && now.pid !== before.pid && now.state === 'ready') {
      process.stdout.write(`[restart] ${name} is ready again (pid ${now.pid}, port ${now.port})\n`);
      return;
    }
  }
  fail(`${name} was not ready again within ${TIMEOUT_MS / 1000} s; see the output of npm start`);
}

main().catch((err: unknown) => fail((err as Error).message));
