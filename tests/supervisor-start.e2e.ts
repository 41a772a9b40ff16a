/**
 * `npm start` as an operator runs it: the real supervisor (scripts/dist/start-federation.js, built by `tsc -b`)
 * starting the four services as processes on free ports over a scratch DATA_DIR. A killed subgraph is restarted
 * while the gateway serves the rest; Ctrl-C stops everything, also with a restart pending; a port taken at the
 * first start stops everything with the reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const script = resolve(__dirname, '..', 'scripts', 'dist', 'start-federation.js');
/** Long enough that the queries made while training is down all fall before its restart. */
const BACKOFF_MS = 5_000;
/** The first start applies migrations and loads reference data. */
const FIRST_START_MS = 60_000;
/** The supervisor kills a service that has not stopped 15 s after SIGTERM; this leaves it time to do so and exit. */
const STOP_DEADLINE_MS = 20_000;
const institutionQuery = '{ institution(id: "paul-strauss-center") { name } }';
const trainingQuery = '{ trainingProgram(id: "surgeons-100-by-2030") { title } }';

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

interface Answer {
  data?: any;
  errors?: { message: string; extensions?: { serviceName?: string } }[];
}

async function query(gatewayPort: number, source: string): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: source }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Answer;
}

/** A running `node scripts/dist/start-federation.js` and all it printed. */
class Supervisor {
  readonly child: ChildProcess;
  output = '';
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: NodeJS.ProcessEnv) {
    // detached: its own process group, so cleanup can kill it and every service it started even if it misbehaves.
    this.child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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

  /** Waits until the supervisor has exited, or fails after `timeoutMs`. */
  async exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the supervisor did not exit within ${timeoutMs} ms; it printed:\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
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

async function startSupervisor(env: NodeJS.ProcessEnv): Promise<{ supervisor: Supervisor; dataDir: string; ports: Record<string, number> }> {
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npx tsc -b\` first (npm test does)`);
  const [gateway, institutions, agreements, training] = await freePorts(4);
  const dataDir = mkdtempSync(join(tmpdir(), 'supervisor-'));
  const ports = { gateway, institutions, agreements, training };
  const supervisor = new Supervisor({
    DATA_DIR: dataDir,
    GATEWAY_PORT: String(gateway),
    INSTITUTIONS_PORT: String(institutions),
    AGREEMENTS_PORT: String(agreements),
    TRAINING_PORT: String(training),
    RESTART_BACKOFF_MS: String(BACKOFF_MS),
    ...env,
  });
  return { supervisor, dataDir, ports };
}

describe('npm start supervises the services', () => {
  let supervisor: Supervisor;
  let dataDir: string;
  let gatewayPort: number;

  beforeAll(async () => {
    const started = await startSupervisor({});
    ({ supervisor, dataDir } = started);
    gatewayPort = started.ports.gateway;
    await supervisor.waitFor(/\[start\] the federation is ready/, FIRST_START_MS);
  }, FIRST_START_MS + 10_000);

  afterAll(() => {
    supervisor?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('a killed subgraph is restarted after the backoff while the gateway serves the others', async () => {
    expect(supervisor.pids()).toHaveLength(4);
    const before = await query(gatewayPort, trainingQuery);
    expect(before.errors).toBeUndefined();
    expect(before.data.trainingProgram.title).toMatch(/100 Uzbek surgeons/);

    const [training] = supervisor.pids('training');
    process.kill(training, 'SIGKILL');
    const killedAt = Date.now();
    await supervisor.waitFor(/\[start\] training exited \(signal SIGKILL\); restarting in 5 s \(restart 1\)/, 10_000);

    const partial = await query(gatewayPort, institutionQuery);
    expect(partial).toEqual({ data: { institution: { name: 'Paul Strauss Center' } } });
    const down = await query(gatewayPort, trainingQuery);
    expect(down.data).toEqual({ trainingProgram: null });
    expect(down.errors?.[0].extensions?.serviceName).toBe('training');
    // Both answers came while the restart was still pending, so they show the gateway without training.
    expect(Date.now() - killedAt).toBeLessThan(BACKOFF_MS);

    await supervisor.waitFor(/\[start\] training is ready again \(restart 1,/, BACKOFF_MS + 30_000);
    expect(supervisor.pids('training')).toHaveLength(2);
    const healed = await query(gatewayPort, trainingQuery);
    expect(healed.errors).toBeUndefined();
    expect(healed.data.trainingProgram.title).toMatch(/100 Uzbek surgeons/);
    // Only training was restarted; the others kept running throughout.
    expect(supervisor.output).not.toMatch(/\[start\] restarting (?!training)/);
    for (const name of ['institutions', 'agreements', 'gateway']) expect(isAlive(supervisor.pids(name)[0])).toBe(true);
  }, 60_000);

  test('SIGINT stops the supervisor and every service, also while a restart is pending', async () => {
    const pids = supervisor.pids();
    process.kill(supervisor.pids('training').at(-1)!, 'SIGKILL');
    // Not a stable run: the delay doubles.
    await supervisor.waitFor(/\[start\] training exited \(signal SIGKILL\); restarting in 10 s \(restart 2\)/, 10_000);

    supervisor.child.kill('SIGINT');
    const { code } = await supervisor.exit(STOP_DEADLINE_MS);
    expect(code).toBe(0);
    expect(supervisor.output).toMatch(/\[start\] all services stopped/);
    expect(supervisor.pids()).toEqual(pids);
    expect(pids.filter(isAlive)).toEqual([]);
  }, STOP_DEADLINE_MS + 15_000);
});

describe('npm start when a service cannot start', () => {
  let supervisor: Supervisor | undefined;
  let dataDir: string | undefined;
  let blocker: Server | undefined;

  afterEach(async () => {
    supervisor?.kill();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (blocker) await new Promise((done) => blocker!.close(done));
    [supervisor, dataDir, blocker] = [undefined, undefined, undefined];
  }, 10_000);

  test('a port taken at the first start stops everything and names the variable to change', async () => {
    const [taken] = await freePorts(1);
    // Drops every connection, so the supervisor's readiness checks on that port do not keep it open.
    blocker = createServer((socket) => socket.destroy());
    await new Promise<void>((done) => blocker!.listen(taken, '127.0.0.1', done));
    ({ supervisor, dataDir } = await startSupervisor({ TRAINING_PORT: String(taken) }));

    const { code } = await supervisor.exit(FIRST_START_MS);
    expect(code).toBe(1);
    expect(supervisor.output).toMatch(/EADDRINUSE/);
    expect(supervisor.output).toMatch(/\[start\] training stopped during the first start \(exit code 1\)/);
    expect(supervisor.output).toMatch(new RegExp(`if port ${taken} is taken .*set TRAINING_PORT`));
    expect(supervisor.output).not.toMatch(/restarting/);
    expect(supervisor.pids().filter(isAlive)).toEqual([]);
  }, FIRST_START_MS + 10_000);

  test('an unusable port variable is refused before anything starts', async () => {
    ({ supervisor, dataDir } = await startSupervisor({ AGREEMENTS_PORT: 'forty-two' }));
    const { code } = await supervisor.exit(10_000);
    expect(code).toBe(1);
    expect(supervisor.output).toBe('[start] could not start: AGREEMENTS_PORT must be a whole number from 1 to 65535 (got "forty-two")\n');
  });
});
