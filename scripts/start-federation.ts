/**
 * `npm start`: runs the three subgraphs and the gateway as separate processes (as in production), each on the
 * embedded SQLite default unless `<NAME>_DATABASE_URL` says otherwise; waits until every one is ready; prints
 * the endpoint. Ctrl-C (SIGINT) or SIGTERM stops them all cleanly. Every output line names its service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(__dirname, '..', '..');
const READY_TIMEOUT_MS = 120_000;

interface Service {
  name: string;
  entry: string;
  port: number;
}

const subgraphs: Service[] = [
  { name: 'institutions', entry: 'subgraphs/institutions/dist/src/index.js', port: 4001 },
  { name: 'agreements', entry: 'subgraphs/agreements/dist/src/index.js', port: 4002 },
  { name: 'training', entry: 'subgraphs/training/dist/src/index.js', port: 4003 },
];
const gateway: Service = { name: 'gateway', entry: 'gateway/dist/src/index.js', port: 4000 };

const running = new Map<string, ChildProcess>();
let stopping = false;
let ready = false;

function say(message: string): void {
  process.stdout.write(`[start] ${message}\n`);
}

function launch(service: Service, env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, [join(root, service.entry)], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(service.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.set(service.name, child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${service.name}] ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    running.delete(service.name);
    if (stopping) return;
    say(`${service.name} stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the others`);
    if (!ready) say(`its last lines above say why; ports ${gateway.port}–${subgraphs[subgraphs.length - 1].port} must be free (is another npm start running?)`);
    void stopAll(1);
  });
}

async function waitUntilReady(service: Service): Promise<void> {
  const url = `http://127.0.0.1:${service.port}/health/ready`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopping');
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${service.name} was not ready at ${url} after ${READY_TIMEOUT_MS / 1000} s (last: ${last})`);
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const children = [...running.values()];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  say('all services stopped');
  process.exit(exitCode);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  for (const service of subgraphs) {
    const variable = `${service.name.toUpperCase()}_DATABASE_URL`;
    say(`starting ${service.name} on port ${service.port} (${process.env[variable] ? `database from ${variable}` : `data/${service.name}.sqlite`})`);
    launch(service, {});
  }
  await Promise.all(subgraphs.map(waitUntilReady));
  const routing = Object.fromEntries(subgraphs.map((s) => [`${s.name.toUpperCase()}_URL`, `http://127.0.0.1:${s.port}/graphql`]));
  say(`starting gateway on port ${gateway.port}`);
  launch(gateway, routing);
  await waitUntilReady(gateway);
  ready = true;
  say('the federation is ready:');
  say(`  GraphQL endpoint  http://localhost:${gateway.port}/graphql`);
  say(`  explorer          http://localhost:${gateway.port}/  (open in a browser)`);
  say('press Ctrl-C to stop');
}

main().catch((err: unknown) => {
  if (stopping) return;
  say(`could not start: ${(err as Error).message}`);
  void stopAll(1);
});
