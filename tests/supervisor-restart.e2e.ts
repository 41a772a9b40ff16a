/**
 * `npm run restart -- <name>` against the real supervisor (scripts/dist/start-federation.js and scripts/dist/restart.js,
 * built by `tsc -b`), on free ports over a scratch DATA_DIR: one service is restarted on request, at once and alone;
 * an unknown name is refused with the list of names; without a running supervisor the script says so.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, query, repoRoot, serviceNames, sleep, startSupervisor, type StartedSupervisor, type Supervisor } from './processes';

const restartScript = join(repoRoot, 'scripts', 'dist', 'restart.js');
/** The first start applies migrations and loads reference data. */
const FIRST_START_MS = 60_000;
/** The supervisor kills a service that has not stopped 15 s after SIGTERM; this leaves it time to do so and exit. */
const STOP_DEADLINE_MS = 20_000;
/** Far longer than a requested restart takes: a restart that waited for the backoff would fail the test. */
const BACKOFF_MS = 30_000;
const agreementQuery = '{ agreement(id: "protocol-surgical-cooperation") { title parties { institution { name } } } }';
/** The registered subgraphs and the gateway, in start order. */
const services = serviceNames();

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

describe('npm run restart -- <name>', () => {
  let started: StartedSupervisor | undefined;
  let supervisor: Supervisor | undefined;
  let dataDir: string;
  let gatewayPort: number;

  beforeAll(async () => {
    if (!existsSync(restartScript)) throw new Error(`${restartScript} is missing: run \`npx tsc -b\` first (npm test does)`);
    started = await startSupervisor({ RESTART_BACKOFF_MS: String(BACKOFF_MS) }, { dataDirPrefix: 'supervisor-restart-' });
    ({ supervisor, dataDir } = started);
    gatewayPort = started.ports.gateway;
    await supervisor.waitFor(/\[start\] the federation is ready/, FIRST_START_MS);
  }, FIRST_START_MS + 10_000);

  afterAll(() => started?.cleanup());

  test('the supervisor keeps its state in DATA_DIR/federation.json', () => {
    const state = JSON.parse(readFileSync(join(dataDir, 'federation.json'), 'utf8'));
    expect(state.pid).toBe(supervisor!.child.pid);
    expect(state.ready).toBe(true);
    expect(state.services.map((s: { name: string }) => s.name)).toEqual(services);
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
    const pids = Object.fromEntries(services.map((name) => [name, supervisor!.pids(name)]));
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
    for (const name of services.filter((n) => n !== 'agreements')) {
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
    expect(result.stderr).toBe(`[restart] unknown service "agreement": the services are ${services.join(', ')}\n`);
    await sleep(500);
    expect(supervisor!.output.slice(printed)).toBe('');
  });

  test('without a name, the script says how to name one', async () => {
    const result = await runRestart(dataDir, []);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('name one service to restart: npm run restart -- <name> (a subgraph of subgraphs.json, or gateway)');
  });

  test(
    'once npm start has stopped, the state file is gone and the script says npm start is not running',
    async () => {
      supervisor!.child.kill('SIGINT');
      const { code } = await supervisor!.exit(STOP_DEADLINE_MS);
      expect(code).toBe(0);
      expect(existsSync(join(dataDir, 'federation.json'))).toBe(false);
      const result = await runRestart(dataDir, ['agreements']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^\[restart\] npm start is not running \(no live supervisor in .*federation\.json\)\n$/);
    },
    STOP_DEADLINE_MS + 10_000,
  );
});
