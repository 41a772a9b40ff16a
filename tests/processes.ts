/**
 * Helpers for the process-level tests: free ports, starting a built service (`tsc -b` output) as a child process and
 * timing its exit (the runtime tests), and the real supervisor (`node scripts/dist/start-federation.js`, the
 * supervisor, restart and scaffold tests) on free ports for every service of the subgraph registry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readSubgraphRegistry, subgraphUrlVariableName, type RegisteredSubgraph } from '@partnership/service-runtime';

export const repoRoot = join(__dirname, '..');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Distinct free ports: all listeners stay open until every port is known. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((done, failed) => {
          const s = createServer();
          s.once('error', failed);
          s.listen(0, '127.0.0.1', () => done(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}

/** A port that was free a moment ago (the child listens on it). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/** Whether a process with this pid is still running. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Answer {
  data?: any;
  errors?: { message: string; extensions?: { serviceName?: string } }[];
}

/** Posts `source` to the gateway on `gatewayPort`; expects HTTP 200. */
export async function query(gatewayPort: number, source: string): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: source }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Answer;
}

// ---------------------------------------------------------------------------------------------------------------
// Single services (the runtime tests)

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote (its JSON log lines and any stderr). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts `node <script>` (absolute, or relative to the repository root) with exactly `env` on top of PATH. */
export function startProcess(name: string, script: string, env: Record<string, string>): ServiceProcess {
  return startCommand(name, process.execPath, [resolve(repoRoot, script)], env);
}

/** Starts `command` with `args` in the repository root, with exactly `env` on top of PATH. */
export function startCommand(name: string, command: string, args: string[], env: Record<string, string>): ServiceProcess {
  const child = spawn(command, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, output: () => output, exited };
}

/** Polls `url` until it answers 200, the process exits, or `timeoutMs` passes. */
export async function waitUntilReady(service: ServiceProcess, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited before it was ready:\n${service.output()}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${service.name} was not ready at ${url} within ${timeoutMs} ms:\n${service.output()}`);
}

/** Sends `signal` and measures how long the process takes to exit; gives up (SIGKILL) after `giveUpMs`. */
export async function timeExit(
  service: ServiceProcess,
  signal: NodeJS.Signals,
  giveUpMs: number,
): Promise<{ ms: number; code: number | null; killed: boolean }> {
  const started = Date.now();
  service.child.kill(signal);
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    service.child.kill('SIGKILL');
  }, giveUpMs);
  const code = await service.exited;
  clearTimeout(timer);
  return { ms: Date.now() - started, code, killed };
}

/** Kills what is still running (test cleanup). */
export function killAll(services: ServiceProcess[]): void {
  for (const service of services) if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
}

// ---------------------------------------------------------------------------------------------------------------
// The supervisor (npm start)

/** The variable that sets a service's port in `npm start` (`GATEWAY_PORT`, `<NAME>_PORT`). */
export const portVariableName = (name: string) => subgraphUrlVariableName(name).replace(/_URL$/, '_PORT');

/** Every service `npm start` runs, in start order: the registered subgraphs, then the gateway. */
export function serviceNames(registryFile?: string): string[] {
  return [...readSubgraphRegistry(registryFile).map((s: RegisteredSubgraph) => s.name), 'gateway'];
}

export interface SupervisorOptions {
  /** The repository the supervisor runs in (its working folder, and where scripts/dist is); this one by default. */
  root?: string;
  /** The environment under `env` (process.env by default). */
  baseEnv?: NodeJS.ProcessEnv;
}

/** A running `node scripts/dist/start-federation.js` and all it printed. */
export class Supervisor {
  readonly child: ChildProcess;
  output = '';
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: NodeJS.ProcessEnv, { root = repoRoot, baseEnv = process.env }: SupervisorOptions = {}) {
    const script = join(root, 'scripts', 'dist', 'start-federation.js');
    if (!existsSync(script)) throw new Error(`${script} is missing: run \`npx tsc -b\` first (npm test does)`);
    // detached: its own process group, so cleanup can kill it and every service it started even if it misbehaves.
    this.child = spawn(process.execPath, [script], { cwd: root, env: { ...baseEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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

export interface StartedSupervisor {
  supervisor: Supervisor;
  dataDir: string;
  /** The port of every service (the registered subgraphs and the gateway), by name. */
  ports: Record<string, number>;
  /** Kills the supervisor's process group and removes the scratch DATA_DIR. */
  cleanup(): void;
}

/**
 * Starts the supervisor over a scratch DATA_DIR with every service of the registry (of `root`, or as
 * SUBGRAPH_REGISTRY says) on a free port; `env` comes last (to take a port, or set RESTART_BACKOFF_MS).
 */
export async function startSupervisor(
  env: NodeJS.ProcessEnv = {},
  options: SupervisorOptions & { registryFile?: string; dataDirPrefix?: string } = {},
): Promise<StartedSupervisor> {
  const names = serviceNames(options.registryFile);
  const free = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((name, i) => [name, free[i]]));
  const dataDir = mkdtempSync(join(tmpdir(), options.dataDirPrefix ?? 'supervisor-'));
  let supervisor: Supervisor;
  try {
    supervisor = new Supervisor(
      { DATA_DIR: dataDir, ...Object.fromEntries(names.map((name) => [portVariableName(name), String(ports[name])])), ...env },
      options,
    );
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    supervisor,
    dataDir,
    ports,
    cleanup() {
      supervisor.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
