/**
 * The processes the benchmark starts: each is remembered until it has exited, so that an error or Ctrl-C stops every
 * one of them (by pid, with whatever it started), and a service that fails to start is reported with its last lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { processTree } from './process-stats';

const running = new Set<Service>();
const OUTPUT_KEPT = 8_000;
const STOP_DEADLINE_MS = 10_000;

export class Service {
  readonly child: ChildProcess;
  private output = '';
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.child.on('error', (err) => keep(Buffer.from(`\n${err.message}\n`)));
    running.add(this);
    this.exited = new Promise((done) =>
      this.child.once('close', () => {
        running.delete(this);
        done();
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The last lines it printed, for error messages. */
  tail(lines = 25): string {
    return this.output.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM to it and every process it started; SIGKILL to whatever still runs after the deadline. */
  async stop(): Promise<void> {
    if (this.hasExited) return;
    const tree = processTree(this.pid);
    signal(tree, 'SIGTERM');
    const timer = setTimeout(() => signal(processTree(this.pid).concat(tree), 'SIGKILL'), STOP_DEADLINE_MS);
    await this.exited;
    clearTimeout(timer);
    // Workers that outlived their primary (cluster) are ended too.
    signal(tree.slice(1), 'SIGKILL');
  }
}

function signal(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already exited
    }
  }
}

/** Stops every process still running (on exit, error or Ctrl-C). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((service) => service.stop()));
}

/** Kills every process still running at once: for the `exit` event, when nothing asynchronous runs any more. */
export function killAllNow(): void {
  for (const service of running) if (!service.hasExited) signal(processTree(service.pid), 'SIGKILL');
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((done, failed) => {
    const server = createServer();
    server.once('error', failed);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Waits until `ready()` is true; fails with the service's last lines if it exits first or `timeoutMs` passes.
 * `ready` may throw while the service is not listening yet.
 */
export async function waitUntil(service: Service, ready: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (service.hasExited) throw new Error(`${service.name} exited before ${what}; its last lines:\n${service.tail()}`);
    try {
      if (await ready()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${service.name}: not ${what} after ${timeoutMs / 1000} s (last: ${last}); its last lines:\n${service.tail()}`);
}
