/**
 * Helpers for the process-level runtime tests: start a built service (`tsc -b` output) as a child process, wait until
 * it is ready, and time how long it takes to exit after a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const repoRoot = join(__dirname, '..');

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote (its JSON log lines and any stderr). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** A port that was free a moment ago (the child listens on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node <script>` (absolute, or relative to the repository root) with exactly `env` on top of PATH. */
export function startProcess(name: string, script: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [resolve(repoRoot, script)], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${service.name} was not ready at ${url} within ${timeoutMs} ms:\n${service.output()}`);
}

/** Sends `signal` and measures how long the process takes to exit; gives up (SIGKILL) after `giveUpMs`. */
export async function timeExit(service: ServiceProcess, signal: NodeJS.Signals, giveUpMs: number): Promise<{ ms: number; code: number | null; killed: boolean }> {
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
