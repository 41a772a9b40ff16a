/**
 * The built services (`tsc -b` output, as in production) stop within a few seconds of SIGTERM on MySQL, with a request
 * in flight (held by a table lock) and idle keep-alive connections open: the gateway first, then the three subgraphs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { createScratchMysqlDatabase, describeOnMysql, postGraphQL, type ScratchDatabase } from '@partnership/subgraph-kit/testing';
import { freePort, killAll, startProcess, timeExit, waitUntilReady, type ServiceProcess } from './processes';

const names = ['institutions', 'agreements', 'training'] as const;
type Name = (typeof names)[number];
// A table each subgraph reads in `slowQuery`; locking it holds that query in flight.
const lockedTable: Record<Name, string> = { institutions: 'institution', agreements: 'agreement', training: 'training_program' };
const slowQuery: Record<Name, string> = {
  institutions: '{ institutions(first: 1) { totalCount } }',
  agreements: '{ agreements(first: 1) { totalCount } }',
  training: '{ trainingPrograms(first: 1) { totalCount } }',
};
// "Within a few seconds": under the default 5 s grace plus closing, well before the 10 s hard deadline.
const EXIT_WITHIN_MS = 8_000;
const secret = 'runtime-stopping-secret-0123456789abcdef0123456789';

describeOnMysql('services stop within seconds of SIGTERM', () => {
  const databases = {} as Record<Name, ScratchDatabase>;
  const ports = {} as Record<Name | 'gateway', number>;
  const services = {} as Record<Name | 'gateway', ServiceProcess>;
  const dataDir = mkdtempSync(join(tmpdir(), 'runtime-stopping-'));
  const keepAlive = new Agent({ keepAlive: true });
  const locks: Connection[] = [];

  const graphqlUrl = (name: Name | 'gateway') => `http://127.0.0.1:${ports[name]}/graphql`;
  const common = () => ({
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    GATEWAY_SIGNING_SECRET: secret,
    ...Object.fromEntries(names.map((n) => [`${n.toUpperCase()}_URL`, graphqlUrl(n)])),
  });

  beforeAll(async () => {
    for (const name of [...names, 'gateway'] as const) ports[name] = await freePort();
    for (const name of names) databases[name] = await createScratchMysqlDatabase(`stop_${name}`);
    for (const name of names) {
      services[name] = startProcess(name, `subgraphs/${name}/dist/src/index.js`, {
        ...common(),
        PORT: String(ports[name]),
        [`${name.toUpperCase()}_DATABASE_URL`]: databases[name].url,
      });
    }
    await Promise.all(names.map((name) => waitUntilReady(services[name], `http://127.0.0.1:${ports[name]}/health/ready`)));
    services.gateway = startProcess('gateway', 'gateway/dist/src/index.js', { ...common(), PORT: String(ports.gateway) });
    await waitUntilReady(services.gateway, `http://127.0.0.1:${ports.gateway}/health/ready`);
  }, 120_000);

  afterAll(async () => {
    killAll(Object.values(services));
    keepAlive.destroy();
    for (const lock of locks) await lock.end().catch(() => undefined);
    for (const name of names) await databases[name]?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Leaves `count` idle keep-alive connections open to a service (each served one request first). */
  const idleConnections = (port: number, count: number) =>
    Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<void>((resolve, reject) => {
            const req = request({ host: '127.0.0.1', port, path: '/health/live', agent: keepAlive }, (res) => {
              res.resume();
              res.on('end', resolve);
            });
            req.on('error', reject);
            req.end();
          }),
      ),
    );

  /** Locks the table `slowQuery` reads, so that query waits; resolves once a statement is seen waiting on the lock. */
  const holdInFlight = async (name: Name, send: () => Promise<unknown>) => {
    const lock = await createConnection(databases[name].url);
    locks.push(lock);
    await lock.query(`LOCK TABLES \`${lockedTable[name]}\` WRITE`);
    const outcome = send().then(
      () => 'answered',
      () => 'cut',
    );
    const database = new URL(databases[name].url).pathname.slice(1);
    for (let waited = 0; ; waited += 50) {
      const [rows] = await lock.query("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE LIKE 'Waiting for table%'", [database]);
      if (Number((rows as Array<{ n: number }>)[0].n) > 0) break;
      if (waited > 10_000) throw new Error(`no statement of ${name} waits on the lock`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { outcome, release: () => lock.query('UNLOCK TABLES') };
  };

  test('the gateway exits within seconds, with a request in flight and idle keep-alive connections', async () => {
    for (let i = 0; i < 5; i += 1)
      expect((await postGraphQL<any>(graphqlUrl('gateway'), '{ institution(id: "gustave-roussy") { name hostedPrograms { title } } }')).status).toBe(200);
    await idleConnections(ports.gateway, 4);
    const inFlight = await holdInFlight('institutions', () => postGraphQL(graphqlUrl('gateway'), slowQuery.institutions));

    const exit = await timeExit(services.gateway, 'SIGTERM', 30_000);
    await inFlight.release();
    expect(exit).toEqual({ ms: expect.any(Number), code: 0, killed: false });
    expect(exit.ms).toBeLessThan(EXIT_WITHIN_MS);
    expect(await inFlight.outcome).toBeDefined();
  }, 60_000);

  test.each(names)(
    'the %s subgraph exits within seconds, with a request in flight and idle keep-alive connections',
    async (name) => {
      for (let i = 0; i < 5; i += 1) expect((await postGraphQL(graphqlUrl(name), slowQuery[name], undefined, { secret })).status).toBe(200);
      await idleConnections(ports[name], 4);
      const inFlight = await holdInFlight(name, () => postGraphQL(graphqlUrl(name), slowQuery[name], undefined, { secret }));

      const exit = await timeExit(services[name], 'SIGTERM', 30_000);
      await inFlight.release();
      expect(exit).toEqual({ ms: expect.any(Number), code: 0, killed: false });
      expect(exit.ms).toBeLessThan(EXIT_WITHIN_MS);
      expect(services[name].output()).toMatch(/"msg":"stopped"/);
    },
    60_000,
  );
});
