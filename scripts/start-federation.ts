/**
 * `npm start`: runs the registered subgraphs (`subgraphs.json`) and the gateway as separate processes (as in production), each on the
 * embedded SQLite default unless `<NAME>_DATABASE_URL` says otherwise; waits until every one is ready; prints
 * the endpoint. Then it supervises: a service that exits is restarted with exponential backoff while the others
 * keep running (the gateway serves partial data meanwhile). A service that exits before the federation was first
 * ready is not restarted: that is a setup problem (port taken, bad database URL, missing build) which a retry
 * does not fix, so everything stops with the reason. Ctrl-C (SIGINT) or SIGTERM stops them all, also while a
 * restart is pending. Every output line names its service.
 *
 * One service can be restarted on request (`npm run restart -- <name>`, scripts/restart.ts): while it runs, the
 * supervisor keeps its state (its pid; each service's pid, port and state) in `<DATA_DIR>/federation.json`, removed
 * when it exits. A restart request is a file `<DATA_DIR>/federation-restart-<requester pid>.request` holding the
 * service name, followed by SIGUSR2 to the supervisor: it stops that service (SIGTERM) and starts it again at once,
 * without backoff, while the others keep running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { defaultDataDir, findSubgraphRegistry, integerFromEnv, readSubgraphRegistry, subgraphUrlVariableName } from '@partnership/service-runtime';
import {
  isSupervisorAlive,
  readState,
  RESTART_REQUEST_PREFIX,
  RESTART_REQUEST_SUFFIX,
  STATE_FILE,
  type FederationState,
  type ServiceState,
} from './federation-state';

const root = resolve(__dirname, '..', '..');
/** How long a service may take to answer its readiness check (the first start applies migrations and loads data). */
const READY_TIMEOUT_MS = 120_000;
/**
 * After SIGTERM, how long a service may take before it is killed: later than a service's own shutdown deadline
 * (10 s by default), so that a service that hangs while stopping gets to log what hung.
 */
const STOP_DEADLINE_MS = 15_000;
/** The restart delay doubles from RESTART_BACKOFF_MS up to this. */
const BACKOFF_CAP_MS = 30_000;
/** A service that ran this long before it exited was healthy: its next restart waits the initial delay again. */
const STABLE_AFTER_MS = 60_000;

/**
 * Every service `npm start` runs, in start order: the subgraphs of the registry (`subgraphs.json`), then the gateway,
 * as its readiness needs the subgraphs.
 */
function servicesToRun(env: NodeJS.ProcessEnv): Array<{ name: string; role: 'subgraph' | 'gateway'; entry: string; defaultPort: number }> {
  return [
    ...readSubgraphRegistry(findSubgraphRegistry(env, root)).map((s) => ({
      name: s.name,
      role: 'subgraph' as const,
      entry: `${s.folder}/dist/src/index.js`,
      defaultPort: s.port,
    })),
    { name: 'gateway', role: 'gateway', entry: 'gateway/dist/src/index.js', defaultPort: 4000 },
  ];
}

interface Supervised {
  name: string;
  role: 'subgraph' | 'gateway';
  entry: string;
  port: number;
  /** The variable that sets `port`, named in messages. */
  portVariable: string;
  /** The running process; undefined while a restart is pending. */
  child?: ChildProcess;
  startedAt: number;
  /** Restarts in a row, counted since the service last ran STABLE_AFTER_MS; sets the backoff. */
  restarts: number;
  restartTimer?: NodeJS.Timeout;
  /** What federation.json says about it. */
  state: ServiceState;
  /** Set while a requested restart stops it: its exit is then no crash, and no backoff restart follows. */
  restartRequested?: boolean;
}

interface Settings {
  services: Supervised[];
  backoffMs: number;
  /** The environment of every service: ours plus where the subgraphs listen. */
  childEnv: NodeJS.ProcessEnv;
}

// Set once from the environment when main() begins.
let services: Supervised[] = [];
let backoffMs = 0;
let childEnv: NodeJS.ProcessEnv = {};
let stopping = false;
let federationReady = false;
let stateFile = '';

/** Writes federation.json (whole, by rename, so a reader never sees half of it). */
function writeState(): void {
  if (!stateFile || stopping) return;
  const state: FederationState = {
    pid: process.pid,
    ready: federationReady,
    services: services.map((s) => ({ name: s.name, role: s.role, port: s.port, pid: s.child?.pid ?? null, state: s.state })),
  };
  try {
    writeFileSync(`${stateFile}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(`${stateFile}.tmp`, stateFile);
  } catch (err) {
    say(`could not write ${stateFile}: ${(err as Error).message}`);
  }
}

/** The pid of another live supervisor that keeps its state in `file`, if there is one. */
function readExistingState(file: string): number | undefined {
  try {
    const state = readState(file);
    return state && state.pid !== process.pid && isSupervisorAlive(state.pid) ? state.pid : undefined;
  } catch {
    return undefined; // unreadable: left by a supervisor that died while writing; ours replaces it
  }
}

function removeState(): void {
  if (stateFile) rmSync(stateFile, { force: true });
}

function say(message: string): void {
  process.stdout.write(`[start] ${message}\n`);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Ports and backoff from the environment; throws a message naming the variable when a value is unusable. */
function readSettings(env: NodeJS.ProcessEnv): Settings {
  const services = servicesToRun(env).map((s) => {
    const portVariable = `${s.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PORT`;
    return {
      ...s,
      portVariable,
      port: integerFromEnv(env, portVariable, s.defaultPort, 1, 65535),
      startedAt: 0,
      restarts: 0,
      state: 'starting' as ServiceState,
    };
  });
  const named = (s: Supervised) => `${s.portVariable}${env[s.portVariable] ? '' : ' (default)'}`;
  for (const [i, a] of services.entries()) {
    const b = services.slice(i + 1).find((other) => other.port === a.port);
    if (b) throw new Error(`${named(a)} and ${named(b)} are both ${a.port}; each service needs its own port`);
  }
  // Every service learns where the subgraphs are: the gateway routes to them, each subgraph checks references with the others.
  const subgraphUrls = services.filter((s) => s.role === 'subgraph').map((s) => [subgraphUrlVariableName(s.name), `http://127.0.0.1:${s.port}/graphql`]);
  return {
    services,
    backoffMs: integerFromEnv(env, 'RESTART_BACKOFF_MS', 1_000, 100, BACKOFF_CAP_MS),
    childEnv: { ...env, ...Object.fromEntries(subgraphUrls) },
  };
}

function launch(service: Supervised, verb: 'starting' | 'restarting', detail = ''): ChildProcess {
  const child = spawn(process.execPath, [join(root, service.entry)], {
    cwd: root,
    env: { ...childEnv, PORT: String(service.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service.child = child;
  service.startedAt = Date.now();
  service.state = verb;
  say(`${verb} ${service.name} (pid ${child.pid}) on port ${service.port}${detail}`);
  writeState();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${service.name}] ${line}\n`));
  }
  // Without a listener, a failed kill would throw here; 'close' still follows when the process ends.
  child.on('error', (err) => say(`${service.name}: ${err.message}`));
  // 'close' rather than 'exit': by then its last output lines are printed, and what we say about its exit follows them.
  child.once('close', (code, signal) => onExit(service, signal ? `signal ${signal}` : `exit code ${code}`));
  return child;
}

function onExit(service: Supervised, reason: string): void {
  service.child = undefined;
  if (stopping) return;
  service.state = 'stopped';
  if (service.restartRequested) {
    say(`${service.name} stopped (${reason}) for the requested restart`);
    return;
  }
  if (!federationReady) {
    say(`${service.name} stopped during the first start (${reason}); stopping the others`);
    say(`its last lines above say why; if port ${service.port} is taken (is another npm start running?), free it or set ${service.portVariable}`);
    void stopAll(1);
    return;
  }
  if (Date.now() - service.startedAt >= STABLE_AFTER_MS) service.restarts = 0;
  service.restarts += 1;
  const delay = Math.min(backoffMs * 2 ** (service.restarts - 1), BACKOFF_CAP_MS);
  say(`${service.name} exited (${reason}); restarting in ${seconds(delay)} (restart ${service.restarts})`);
  writeState();
  service.restartTimer = setTimeout(() => void restart(service), delay);
}

async function restart(service: Supervised, why = `restart ${service.restarts}`): Promise<void> {
  service.restartTimer = undefined;
  const child = launch(service, 'restarting', why === 'requested' ? ' (requested)' : '');
  try {
    if (await waitUntilReady(service, child)) {
      service.state = 'ready';
      writeState();
      say(`${service.name} is ready again (${why}, ${seconds(Date.now() - service.startedAt)} after its start)`);
    }
  } catch (err) {
    say(`${(err as Error).message}; it keeps running and is restarted only if it exits`);
  }
}

/** A requested restart: stop the service if it runs, then start it at once (no backoff; its crash count is kept). */
async function restartOnRequest(service: Supervised): Promise<void> {
  if (stopping || service.restartRequested) return;
  say(`restart of ${service.name} requested`);
  clearTimeout(service.restartTimer);
  service.restartTimer = undefined;
  service.restartRequested = true;
  try {
    if (service.child) await stopChild(service, service.child);
  } finally {
    service.restartRequested = false;
  }
  if (stopping) return;
  await restart(service, 'requested');
}

/** SIGUSR2: handles every restart request file in the data folder (each names one service), then removes it. */
function onRestartRequests(dataDir: string): void {
  let files: string[];
  try {
    files = readdirSync(dataDir).filter((f) => f.startsWith(RESTART_REQUEST_PREFIX) && f.endsWith(RESTART_REQUEST_SUFFIX));
  } catch (err) {
    say(`SIGUSR2: could not read ${dataDir}: ${(err as Error).message}`);
    return;
  }
  for (const file of files) {
    const path = join(dataDir, file);
    let name: string;
    try {
      name = readFileSync(path, 'utf8').trim();
      rmSync(path, { force: true });
    } catch {
      continue; // another signal's handler took it
    }
    const service = services.find((s) => s.name === name);
    if (!service) say(`restart requested of "${name}", which is none of ${services.map((s) => s.name).join(', ')}`);
    else if (!federationReady) say(`restart of ${name} requested before the federation was first ready; ignored`);
    else void restartOnRequest(service);
  }
}

/** True once the service answers its readiness check; false if this child exits or stopping begins first. */
async function waitUntilReady(service: Supervised, child: ChildProcess): Promise<boolean> {
  const url = `http://127.0.0.1:${service.port}/health/ready`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (stopping || service.child !== child) return false;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return true;
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${service.name} was not ready at ${url} after ${seconds(READY_TIMEOUT_MS)} (last: ${last})`);
}

function stopChild(service: Supervised, child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    const kill = setTimeout(() => {
      say(`${service.name} did not stop within ${seconds(STOP_DEADLINE_MS)}; killing it`);
      child.kill('SIGKILL');
    }, STOP_DEADLINE_MS);
    child.once('close', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  removeState();
  for (const service of services) clearTimeout(service.restartTimer);
  await Promise.all(services.flatMap((s) => (s.child ? [stopChild(s, s.child)] : [])));
  say('all services stopped');
  process.exit(exitCode);
}

async function main(): Promise<void> {
  try {
    ({ services, backoffMs, childEnv } = readSettings(process.env));
  } catch (err) {
    say(`could not start: ${(err as Error).message}`);
    process.exit(1);
  }
  if (process.env.PORT) say(`PORT is ignored: npm start gives each service its own port (${services.map((s) => s.portVariable).join(', ')})`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!stopping) say(`${signal}: stopping all services`);
      void stopAll(0);
    });
  }

  const dataDir = defaultDataDir(process.env);
  const owner = readExistingState(join(dataDir, STATE_FILE));
  if (owner !== undefined) {
    say(`could not start: npm start is already running (pid ${owner}) with the data folder ${dataDir}; stop it first, or set DATA_DIR`);
    process.exit(1);
  }
  mkdirSync(dataDir, { recursive: true });
  stateFile = join(dataDir, STATE_FILE);
  process.on('exit', removeState);
  process.on('SIGUSR2', () => onRestartRequests(dataDir));
  writeState();

  const subgraphs = services.filter((s) => s.role === 'subgraph');
  for (const service of subgraphs) {
    const variable = [`${service.name.toUpperCase()}_DATABASE_URL`, 'DATABASE_URL'].find((v) => process.env[v]);
    const database = variable ? `database from ${variable}` : join(process.env.DATA_DIR || 'data', `${service.name}.sqlite`);
    launch(service, 'starting', `, ${database}`);
  }
  // false: a service exited, and its exit handler is already stopping the others.
  if ((await Promise.all(subgraphs.map((s) => waitUntilReady(s, s.child!)))).includes(false)) return;
  for (const s of subgraphs) s.state = 'ready';
  const gateway = services.find((s) => s.role === 'gateway')!;
  if (!(await waitUntilReady(gateway, launch(gateway, 'starting')))) return;
  gateway.state = 'ready';
  federationReady = true;
  writeState();
  say('the federation is ready:');
  say(`  GraphQL endpoint  http://localhost:${gateway.port}/graphql`);
  say(`  explorer          http://localhost:${gateway.port}/  (open in a browser)`);
  say('a service that exits is restarted (`npm run restart -- <name>` restarts one now); press Ctrl-C to stop them all');
}

main().catch((err: unknown) => {
  if (stopping) return;
  say(`could not start: ${(err as Error).message}`);
  void stopAll(1);
});
