/**
 * GATEWAY_WORKERS (issue 10): the built gateway (`tsc -b` output) as a cluster primary with two worker processes, run
 * by `npm start` (the real supervisor) with the real subgraphs over a scratch DATA_DIR. Both workers serve the port,
 * one client's rate limit holds across them, a killed worker is replaced while the other keeps answering, and SIGTERM
 * to the primary drains the workers and exits 0. Alone, as a process: a bad GATEWAY_WORKERS value and a port already
 * taken fail with exit code 1 and the reason.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken, localSigningKey } from '@partnership/gateway';
import { freePort, isAlive, sleep, startProcess, startSupervisor, type ServiceProcess, type StartedSupervisor } from './processes';

/** The first start applies migrations and loads reference data. */
const FIRST_START_MS = 60_000;
/** Requests per caller and minute in these tests. */
const LIMIT = 6;
const institutionQuery = '{ institution(id: "paul-strauss-center") { name } }';

/** A gateway log line (JSON); `worker` is the pid of the process that wrote it, or the one the primary speaks of. */
interface LogLine {
  msg: string;
  primary?: number;
  worker?: number;
  requestId?: string;
  code?: number | null;
  signal?: string | null;
  url?: string;
}

/** The JSON lines in `output`, each after `prefix` (the supervisor's `[gateway] `, or nothing). */
function logLines(output: string, prefix = ''): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith(`${prefix}{`))
    .map((line) => JSON.parse(line.slice(prefix.length)) as LogLine);
}

async function waitForLine(lines: () => LogLine[], wanted: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = lines().find(wanted);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such gateway log line within ${timeoutMs} ms:\n${JSON.stringify(lines(), null, 1)}`);
    await sleep(50);
  }
}

interface Answer {
  status: number;
  retryAfter?: string;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

/**
 * POSTs a query on a new connection (no keep-alive), so that the cluster hands each request to the next worker: a
 * kept-alive connection stays with one worker.
 */
function post(port: number, query: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: JSON.parse(text) as Answer['body'] }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query }));
  });
}

describe('GATEWAY_WORKERS=2 under npm start', () => {
  let started: StartedSupervisor | undefined;
  let port: number;
  const lines = () => logLines(started!.supervisor.output, '[gateway] ');
  const primaryPid = () => started!.supervisor.pids('gateway').at(-1)!;
  /** The workers of the running primary that are alive, oldest first. */
  const liveWorkers = () =>
    lines()
      .filter((l) => l.msg === 'worker started' && l.primary === primaryPid())
      .map((l) => l.worker!)
      .filter(isAlive);
  const bearer = async (subject: string) => {
    const token = await issueToken(
      { subject, partner: 'FR', roles: ['viewer'] },
      {
        key: localSigningKey(started!.dataDir),
        issuer: 'uz-fr-health-graph-local',
        audience: 'uz-fr-health-graph',
        ttlSeconds: 600,
      },
    );
    return `Bearer ${token}`;
  };

  beforeAll(async () => {
    started = await startSupervisor({ GATEWAY_WORKERS: '2', RATE_LIMIT_PER_MINUTE: String(LIMIT), LOG_LEVEL: 'info', RESTART_BACKOFF_MS: '1000' });
    port = started.ports.gateway;
    await started.supervisor.waitFor(/\[start\] the federation is ready/, FIRST_START_MS);
    // Ready as soon as one worker answers; the other may still be loading the supergraph.
    for (const worker of liveWorkers()) await waitForLine(lines, (l) => l.msg === 'listening' && l.worker === worker, 30_000);
  }, FIRST_START_MS + 40_000);

  afterAll(() => started?.cleanup());

  test('the gateway is one primary and two workers on its port: ready, and in the state file as one service', async () => {
    const workers = liveWorkers();
    expect(workers).toHaveLength(2);
    expect(workers).not.toContain(primaryPid());
    for (const worker of workers) {
      expect(lines().find((l) => l.msg === 'listening' && l.worker === worker)?.url).toBe(`http://127.0.0.1:${port}/graphql`);
    }
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    const state = JSON.parse(readFileSync(join(started!.dataDir, 'federation.json'), 'utf8')) as {
      services: Array<{ name: string; pid: number; state: string }>;
    };
    expect(state.services.find((s) => s.name === 'gateway')).toMatchObject({ pid: primaryPid(), state: 'ready' });
  });

  test("both workers answer, and one client's budget is counted once for both", async () => {
    const authorization = await bearer('budget-test');
    for (let i = 1; i <= LIMIT; i += 1) {
      const answer = await post(port, institutionQuery, { authorization, 'x-request-id': `budget-${i}` });
      expect(answer).toMatchObject({ status: 200, body: { data: { institution: { name: 'Paul Strauss Center' } } } });
    }
    // Refused requests are logged by the worker that refused them. Counting alone, a worker refuses only after it has
    // itself accepted LIMIT requests: two workers refusing within 2 × LIMIT requests in all shows a shared count.
    const refusedBy = () =>
      new Set(
        lines()
          .filter((l) => l.msg === 'rate limited' && l.requestId?.startsWith('budget-'))
          .map((l) => l.worker),
      );
    for (let i = LIMIT + 1; i < 2 * LIMIT && refusedBy().size < 2; i += 1) {
      const refused = await post(port, institutionQuery, { authorization, 'x-request-id': `budget-${i}` });
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.body.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
      await waitForLine(lines, (l) => l.msg === 'rate limited' && l.requestId === `budget-${i}`, 5_000);
    }
    expect([...refusedBy()].sort()).toEqual([...liveWorkers()].sort());
  });

  test('a worker killed with SIGKILL is replaced, and the gateway answers throughout', async () => {
    const [killed, survivor] = liveWorkers();
    process.kill(killed, 'SIGKILL');
    await waitForLine(lines, (l) => l.msg === 'worker exited: starting another' && l.worker === killed && l.signal === 'SIGKILL', 10_000);
    const authorization = await bearer('kill-test');
    for (let i = 0; i < 3; i += 1) {
      expect(await post(port, institutionQuery, { authorization })).toMatchObject({
        status: 200,
        body: { data: { institution: { name: 'Paul Strauss Center' } } },
      });
    }

    const replacement = (await waitForLine(lines, (l) => l.msg === 'worker started' && ![killed, survivor].includes(l.worker!), 10_000)).worker!;
    await waitForLine(lines, (l) => l.msg === 'listening' && l.worker === replacement, 30_000);
    // The replacement serves too: a refused token is logged by the worker that answered.
    for (let i = 0; i < LIMIT - 1 && !lines().some((l) => l.msg === 'token refused' && l.worker === replacement); i += 1) {
      expect((await post(port, institutionQuery, { authorization: 'Bearer not-a-token', 'x-request-id': `replaced-${i}` })).status).toBe(401);
      await waitForLine(lines, (l) => l.msg === 'token refused' && l.requestId === `replaced-${i}`, 5_000);
    }
    expect(lines().some((l) => l.msg === 'token refused' && l.worker === replacement)).toBe(true);
    expect(liveWorkers()).toEqual([survivor, replacement]);
    expect(isAlive(killed)).toBe(false);
    // The primary lived on: npm start saw nothing to restart.
    expect(started!.supervisor.pids('gateway')).toHaveLength(1);
  }, 60_000);

  test('SIGTERM to the primary: the workers drain and exit, then the primary exits 0', async () => {
    const primary = primaryPid();
    const workers = liveWorkers();
    process.kill(primary, 'SIGTERM');
    await started!.supervisor.waitFor(/\[start\] gateway exited \(exit code 0\)/, 20_000);
    for (const worker of workers) {
      // Several processes write to one pipe, and a worker's lines may come out of order when it is full: a set.
      expect(
        lines()
          .filter((l) => l.worker === worker && ['stopping', 'stopped'].includes(l.msg))
          .map((l) => l.msg)
          .sort(),
      ).toEqual(['stopped', 'stopping']);
      expect(lines().find((l) => l.msg === 'worker stopped' && l.worker === worker)).toMatchObject({ primary, code: 0 });
      expect(isAlive(worker)).toBe(false);
    }
    expect(isAlive(primary)).toBe(false);
  }, 30_000);

  test('npm start restarts it with its workers, and stopping npm start stops them all', async () => {
    await started!.supervisor.waitFor(/\[start\] gateway is ready again/, 30_000);
    await waitForLine(lines, (l) => l.msg === 'every worker listens' && l.primary === primaryPid(), 30_000);
    const workers = liveWorkers();
    expect(workers).toHaveLength(2);
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);

    started!.supervisor.child.kill('SIGTERM');
    expect((await started!.supervisor.exit(20_000)).code).toBe(0);
    expect([primaryPid(), ...workers].filter(isAlive)).toEqual([]);
  }, 60_000);
});

describe('GATEWAY_WORKERS: the gateway alone, when it cannot start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-workers-'));
  const processes: ServiceProcess[] = [];
  const startGateway = (env: Record<string, string>) => {
    const gateway = startProcess('gateway', 'gateway/dist/src/index.js', { DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env });
    processes.push(gateway);
    return gateway;
  };
  let taken: Server | undefined;

  afterAll(async () => {
    for (const gateway of processes) if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    await new Promise((resolve) => (taken ? taken.close(resolve) : resolve(undefined)));
    rmSync(dataDir, { recursive: true, force: true });
  });

  test.each(['many', '0', '65', '2.5'])('GATEWAY_WORKERS=%s: exit code 1 naming the setting, and no worker started', async (value) => {
    const gateway = startGateway({ GATEWAY_WORKERS: value, PORT: String(await freePort()) });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toContain(
      `[gateway] could not start: GATEWAY_WORKERS must be a whole number from 1 to 64, or auto for one per core (got "${value}")`,
    );
    expect(gateway.output()).not.toContain('worker started');
  });

  test('a port already taken: the primary gives up at the first start with exit code 1, and no worker is left', async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken!.listen(0, '127.0.0.1', resolve));
    const gateway = startGateway({ GATEWAY_WORKERS: '2', PORT: String((taken.address() as { port: number }).port) });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toContain('EADDRINUSE');
    expect(gateway.output()).toMatch(/\[gateway\] could not start: a worker could not start \(exit code 1\); its messages above say why/);
    const workers = logLines(gateway.output())
      .filter((l) => l.msg === 'worker started')
      .map((l) => l.worker!);
    expect(workers).toHaveLength(2);
    expect(workers.filter(isAlive)).toEqual([]);
  }, 60_000);
});
