/**
 * `npm start` as an operator runs it: the real supervisor (scripts/dist/start-federation.js, built by `tsc -b`)
 * starting every service of the registry (subgraphs.json) and the gateway as processes on free ports over a scratch
 * DATA_DIR. A killed subgraph is restarted while the gateway serves the rest; Ctrl-C stops everything, also with a
 * restart pending; a port taken at the first start stops everything with the reason.
 */
import { createServer, type Server } from 'node:net';
import { freePorts, isAlive, query, serviceNames, startSupervisor, type StartedSupervisor, type Supervisor } from './processes';

/** Long enough that the queries made while training is down all fall before its restart. */
const BACKOFF_MS = 5_000;
/** The first start applies migrations and loads reference data. */
const FIRST_START_MS = 60_000;
/** The supervisor kills a service that has not stopped 15 s after SIGTERM; this leaves it time to do so and exit. */
const STOP_DEADLINE_MS = 20_000;
const institutionQuery = '{ institution(id: "paul-strauss-center") { name } }';
const trainingQuery = '{ trainingProgram(id: "surgeons-100-by-2030") { title } }';
/** Not asked before the kill, so the gateway's response cache cannot answer it. */
const unaskedTrainingQuery = '{ trainingProgram(id: "surgeons-100-by-2030") { title status } }';
/** The registered subgraphs and the gateway. */
const services = serviceNames();

const start = (env: NodeJS.ProcessEnv) => startSupervisor({ RESTART_BACKOFF_MS: String(BACKOFF_MS), ...env });

describe('npm start supervises the services', () => {
  let started: StartedSupervisor | undefined;
  let supervisor: Supervisor;
  let gatewayPort: number;

  beforeAll(async () => {
    started = await start({});
    supervisor = started.supervisor;
    gatewayPort = started.ports.gateway;
    await supervisor.waitFor(/\[start\] the federation is ready/, FIRST_START_MS);
  }, FIRST_START_MS + 10_000);

  afterAll(() => started?.cleanup());

  test('a killed subgraph is restarted after the backoff while the gateway serves the others', async () => {
    expect(supervisor.pids()).toHaveLength(services.length);
    const before = await query(gatewayPort, trainingQuery);
    expect(before.errors).toBeUndefined();
    expect(before.data.trainingProgram.title).toMatch(/100 Uzbek surgeons/);

    const [training] = supervisor.pids('training');
    process.kill(training, 'SIGKILL');
    const killedAt = Date.now();
    await supervisor.waitFor(/\[start\] training exited \(signal SIGKILL\); restarting in 5 s \(restart 1\)/, 10_000);

    const partial = await query(gatewayPort, institutionQuery);
    expect(partial).toEqual({ data: { institution: { name: 'Paul Strauss Center' } } });
    // What was asked before the kill is still answered from the response cache (within its max-age)...
    expect(await query(gatewayPort, trainingQuery)).toEqual(before);
    // ...anything else needs training.
    const down = await query(gatewayPort, unaskedTrainingQuery);
    expect(down.data).toEqual({ trainingProgram: null });
    expect(down.errors?.[0].extensions?.serviceName).toBe('training');
    // These answers came while the restart was still pending, so they show the gateway without training.
    expect(Date.now() - killedAt).toBeLessThan(BACKOFF_MS);

    await supervisor.waitFor(/\[start\] training is ready again \(restart 1,/, BACKOFF_MS + 30_000);
    expect(supervisor.pids('training')).toHaveLength(2);
    const healed = await query(gatewayPort, trainingQuery);
    expect(healed.errors).toBeUndefined();
    expect(healed.data.trainingProgram.title).toMatch(/100 Uzbek surgeons/);
    // Only training was restarted; the others kept running throughout.
    expect(supervisor.output).not.toMatch(/\[start\] restarting (?!training)/);
    for (const name of services.filter((n) => n !== 'training')) expect(isAlive(supervisor.pids(name)[0])).toBe(true);
  }, 60_000);

  test(
    'SIGINT stops the supervisor and every service, also while a restart is pending',
    async () => {
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
    },
    STOP_DEADLINE_MS + 15_000,
  );
});

describe('npm start when a service cannot start', () => {
  let started: StartedSupervisor | undefined;
  let blocker: Server | undefined;

  afterEach(async () => {
    started?.cleanup();
    if (blocker) await new Promise((done) => blocker!.close(done));
    [started, blocker] = [undefined, undefined];
  }, 10_000);

  test(
    'a port taken at the first start stops everything and names the variable to change',
    async () => {
      const [taken] = await freePorts(1);
      // Drops every connection, so the supervisor's readiness checks on that port do not keep it open.
      blocker = createServer((socket) => socket.destroy());
      await new Promise<void>((done) => blocker!.listen(taken, '127.0.0.1', done));
      started = await start({ TRAINING_PORT: String(taken) });
      const { supervisor } = started;

      const { code } = await supervisor.exit(FIRST_START_MS);
      expect(code).toBe(1);
      expect(supervisor.output).toMatch(/EADDRINUSE/);
      expect(supervisor.output).toMatch(/\[start\] training stopped during the first start \(exit code 1\)/);
      expect(supervisor.output).toMatch(new RegExp(`if port ${taken} is taken .*set TRAINING_PORT`));
      expect(supervisor.output).not.toMatch(/restarting/);
      expect(supervisor.pids().filter(isAlive)).toEqual([]);
    },
    FIRST_START_MS + 10_000,
  );

  test('an unusable port variable is refused before anything starts', async () => {
    started = await start({ AGREEMENTS_PORT: 'forty-two' });
    const { supervisor } = started;
    const { code } = await supervisor.exit(10_000);
    expect(code).toBe(1);
    expect(supervisor.output).toBe('[start] could not start: AGREEMENTS_PORT must be a whole number from 1 to 65535 (got "forty-two")\n');
  });
});
