/**
 * runService exits the process after SHUTDOWN_DEADLINE_MS even when the service's stop() never finishes, and says so;
 * a service that stops in time exits 0. Runs the built service-runtime (`tsc -b`) in a child process.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { repoRoot, startProcess, timeExit } from './processes';

const dir = mkdtempSync(join(tmpdir(), 'runtime-deadline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A service whose stop() takes `stopMs` (Infinity: never finishes); prints "started" once running. `traced`: it ends
 * one span first, so that a traced run has spans to send when it stops.
 */
function serviceScript(stopMs: number, traced = false): string {
  const file = join(dir, `service-${stopMs}${traced ? '-traced' : ''}.js`);
  writeFileSync(
    file,
    `const { runService } = require(${JSON.stringify(join(repoRoot, 'packages/service-runtime/dist/src/index.js'))});
const line = (level) => (fields, message) => process.stdout.write(JSON.stringify({ level, ...fields, msg: message }) + '\\n');
void runService('sleepy', async () => {
  setInterval(() => undefined, 1_000); // keeps the process alive, as a listening server would
  ${traced ? `require(require.resolve('@opentelemetry/api', { paths: [${JSON.stringify(repoRoot)}] })).trace.getTracer('sleepy').startSpan('work').end();` : ''}
  process.stdout.write('started\\n');
  return { logger: { info: line('info'), error: line('error') }, stop: () => new Promise((resolve) => ${stopMs === Infinity ? 'void resolve' : `setTimeout(resolve, ${stopMs})`}) };
});
`,
  );
  return file;
}

async function started(service: ReturnType<typeof startProcess>): Promise<void> {
  while (!service.output().includes('started')) {
    if (service.child.exitCode !== null) throw new Error(`exited before it started:\n${service.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the shutdown deadline of runService', () => {
  test('a stop() that hangs is cut at SHUTDOWN_DEADLINE_MS: the process exits 1 and logs why', async () => {
    const service = startProcess('sleepy', serviceScript(Infinity), { SHUTDOWN_DEADLINE_MS: '1500' });
    await started(service);
    const exit = await timeExit(service, 'SIGTERM', 10_000);
    expect(exit).toMatchObject({ code: 1, killed: false });
    expect(exit.ms).toBeGreaterThanOrEqual(1_400);
    expect(exit.ms).toBeLessThan(3_000);
    expect(service.output()).toMatch(/"msg":"did not stop within the shutdown deadline: exiting anyway"/);
  });

  test('a stop() that finishes in time exits 0 and logs how long it took', async () => {
    const service = startProcess('sleepy', serviceScript(200), {});
    await started(service);
    const exit = await timeExit(service, 'SIGINT', 10_000);
    expect(exit).toMatchObject({ code: 0, killed: false });
    expect(service.output()).toMatch(/"deadlineMs":10000,"msg":"stopping"[\s\S]*"msg":"stopped"/);
  });

  test('traced, with a collector that never answers: the last spans get 2 s, and the process still exits 0', async () => {
    // Accepts connections and never answers, as a hung collector would.
    const sockets: Socket[] = [];
    const collector = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
      const service = startProcess('sleepy', serviceScript(0, true), { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, SHUTDOWN_DEADLINE_MS: '8000' });
      await started(service);
      const exit = await timeExit(service, 'SIGTERM', 15_000);
      // The span was sent (the collector got a connection), and its export was cut short, not the process.
      expect(sockets.length).toBeGreaterThan(0);
      expect(exit).toMatchObject({ code: 0, killed: false });
      expect(service.output()).toMatch(/"msg":"stopped"/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => collector.close(resolve));
    }
  });

  test('an unusable SHUTDOWN_DEADLINE_MS stops the start with a message naming it', async () => {
    const service = startProcess('sleepy', serviceScript(0), { SHUTDOWN_DEADLINE_MS: 'soon' });
    expect(await service.exited).toBe(1);
    expect(service.output()).toMatch(/\[sleepy\] could not start: SHUTDOWN_DEADLINE_MS must be a whole number/);
  });
});
