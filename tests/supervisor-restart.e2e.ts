/**
 * `npm run restart -- <name>` against the real supervisor (scripts/dist/start-federation.js and scripts/dist/restart.js,
 * built by `tsc -b`), on free ports over a scratch DATA_DIR: one service is restarted on request, at once and alone;
 * an unknown name is refused with the list of names; without a running supervisor the script says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const scripts = resolve(__dirname, '..', 'scripts', 'dist');
const supervisorScript = join(scripts, 'start-federation.js');
const restartScript = join(scripts, 'restart.js');
/** The first start applies migrations and loads reference data. */
const FIRST_START_MS = 60_000;
/** The supervisor kills a service that has not stopped 15 s after SIGTERM; this leaves it time to do so and exit. */
const STOP_DEADLINE_MS = 20_000;
/** Far longer than a requested restart takes: a restart that waited for the backoff would fail the test. */
const BACKOFF_MS = 30_000;
const agreementQuery = '{ agreement(id: "protocol-surgical-cooperation") { title parties { institution { name } } } }';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Distinct free ports: all listeners stay open until every port is known. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<Server>((done) => { const s = createServer(); s.listen(0, '127.0.0.1', () => done(s)); })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function query(gatewayPort: number, source: string): Promise<{ data?: any; errors?: unknown[] }> {
  const response = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: source }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

/** Runs `node scripts/dist/restart.js ...args` to its end. */
function runRestart(dataDir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [restartScript, ...args], { env: { ...process.env, DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', failed);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

/** A running `node scripts/dist/start-federation.js` and all it printed. */
class Supervisor {
  readonly child: ChildProcess;
  output = '';
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: NodeJS.ProcessEnv) {
    // detached: its own process group, so cleanup can kill it and every service it started even if it misbehaves.
    this.child = spawn(process.execPath, [supervisorScript], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    for (const stream of [this.child.stdout!, this.child.stderr!]) stream.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.closed = new Promise((done) => this.child.once('close', (code, signal) => done({ code, signal })));
  }

  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    let exited = false;
    void this.closed.then(() => (exited = true));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (exited || Date.now() > deadline) {
        throw new Error(`no output matching ${pattern} ${exited ? 'before the supervisor exited' : `within ${timeoutMs} ms`}; it printed:\n${this.output}`);
      }
      await sleep(50);
    }
  }

  /** Every pid the supervisor logged for a service it started, oldest first. */
  pids(name?: string): number[] {
    return [...this.output.matchAll(/\[start\] (?:starting|restarting) (\w+) \(pid (\d+)\)/g)].filter((m) => !name || m[1] === name).map((m) => Number(m[2]));
  }

  /** Cleanup whatever happened: SIGKILL to the supervisor's process group (it and the services it started). */
  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // ESRCH: everything in the group has already exited.
    }
  }
}

describe('npm run restart -- <name>', () => {
  let supervisor: Supervisor | undefined;
  let dataDir: string;
  let gatewayPort: number;

  beforeAll(async () => {
    if (!existsSync(supervisorScript) || !existsSync(restartScript)) throw new Error(`${scripts} is incomplete: run \`npx tsc -b\` first (npm test does)`);
    const [gateway, institutions, agreements, training] = await freePorts(4);
    gatewayPort = gateway;
    dataDir = mkdtempSync(join(tmpdir(), 'supervisor-restart-'));
    supervisor = new Supervisor({
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(gateway),
      INSTITUTIONS_PORT: String(institutions),
      AGREEMENTS_PORT: String(agreements),
      TRAINING_PORT: String(training),
      RESTART_BACKOFF_MS: String(BACKOFF_MS),
    });
    await supervisor.waitFor(/\[start\] the federation is ready/, FIRST_START_MS);
  }, FIRST_START_MS + 10_000);

  afterAll(() => {
    supervisor?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the supervisor keeps its state in DATA_DIR/federation.json', () => {
    const state = JSON.parse(readFileSync(join(dataDir, 'federation.json'), 'utf8'));
    expect(state.pid).toBe(supervisor!.child.pid);
    expect(state.ready).toBe(true);
    expect(state.services.map((s: { name: string }) => s.name)).toEqual(['institutions', 'agreements', 'training', 'gateway']);
    for (const s of state.services) {
      expect(s.state).toBe('ready');
      expect(s.pid).toBe(supervisor!.pids(s.name)[0]);
    }
    expect(state.services.find((s: { name: string }) => s.name === 'gateway').port).toBe(gatewayPort);
  });

  test('restarts agreements alone, at once, and the gateway answers agreement queries again', async () => {
    const before = await query(gatewayPort, agreementQuery);
    expect(before.errors).toBeUndefined();
    expect(before.data.agreement.title).toEqual(expect.any(String));
    const pids = Object.fromEntries(['institutions', 'agreements', 'training', 'gateway'].map((name) => [name, supervisor!.pids(name)]));
    for (const list of Object.values(pids)) expect(list).toHaveLength(1);

    const started = Date.now();
    const result = await runRestart(dataDir, ['agreements']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // No backoff: far sooner than RESTART_BACKOFF_MS.
    expect(Date.now() - started).toBeLessThan(BACKOFF_MS);

    const [oldPid, newPid, ...more] = supervisor!.pids('agreements');
    expect(oldPid).toBe(pids.agreements[0]);
    expect(more).toEqual([]);
    expect(newPid).toBeGreaterThan(0);
    expect(newPid).not.toBe(oldPid);
    expect(result.stdout).toContain(`[restart] agreements is ready again (pid ${newPid},`);
    expect(isAlive(oldPid)).toBe(false);
    expect(isAlive(newPid)).toBe(true);
    expect(supervisor!.output).toMatch(/\[start\] agreements is ready again \(requested,/);
    // The others kept their processes.
    expect(supervisor!.output).not.toMatch(/\[start\] restarting (?!agreements)/);
    for (const name of ['institutions', 'training', 'gateway']) {
      expect(supervisor!.pids(name)).toEqual(pids[name]);
      expect(isAlive(pids[name][0])).toBe(true);
    }
    const state = JSON.parse(readFileSync(join(dataDir, 'federation.json'), 'utf8'));
    expect(state.services.find((s: { name: string }) => s.name === 'agreements')).toMatchObject({ pid: newPid, state: 'ready' });

    const after = await query(gatewayPort, agreementQuery);
    expect(after).toEqual(before);
  }, 60_000);

  test('an unknown name is refused with the list of names, and nothing is restarted', async () => {
    const printed = supervisor!.output.length;
    const result = await runRestart(dataDir, ['agreement']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('[restart] unknown service "agreement": the services are institutions, agreements, training, gateway\n');
    await sleep(500);
    expect(supervisor!.output.slice(printed)).toBe('');
  });

  test('without a name, the script says how to name one', async () => {
    const result = await runRestart(dataDir, []);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/npm run restart -- <name>, where <name> is one of institutions, agreements, training, gateway/);
  });

  test('once npm start has stopped, the state file is gone and the script says npm start is not running', async () => {
    supervisor!.child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the supervisor did not exit; it printed:\n${supervisor!.output}`)), STOP_DEADLINE_MS);
    });
    const { code } = await Promise.race([supervisor!.closed, timeout]).finally(() => clearTimeout(timer));
    expect(code).toBe(0);
    expect(existsSync(join(dataDir, 'federation.json'))).toBe(false);
    const result = await runRestart(dataDir, ['agreements']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^\[restart\] npm start is not running \(no live supervisor in .*federation\.json\)\n$/);
  }, STOP_DEADLINE_MS + 10_000);
});
