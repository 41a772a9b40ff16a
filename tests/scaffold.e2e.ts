/**
 * `npm run new-subgraph` end to end, in a temporary copy of the repository (never in this one): bad input is refused
 * and leaves nothing behind; a failed `npm install` is rolled back; `--name research --owner FR` makes a subgraph
 * that touches only the registry and package-lock.json outside its folder; `npm run compose` composes it and writes
 * its docker-compose service and Kubernetes objects; the built federation (scripts/dist/start-federation.js on free
 * ports, a scratch DATA_DIR) serves its field on Institution through the gateway; its own tests, the registry test and
 * the Kubernetes manifests' test pass. Every process and folder is removed, also on failure.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { readSubgraphRegistry } from '@partnership/service-runtime';
import { repoRoot as repo, startSupervisor, type StartedSupervisor } from './processes';

const NAME = 'research';
/** What a copy leaves out: history, local data, build output (rebuilt in the copy); node_modules is copied apart. */
const SKIPPED = new Set(['.git', 'data', '.local', 'node_modules']);
const FIRST_START_MS = 90_000;

/** The repository without history, data and build output; node_modules copied as is (its workspace links are relative). */
function copyRepository(to: string): void {
  cpSync(repo, to, {
    recursive: true,
    filter: (source) => {
      const path = relative(repo, source);
      const parts = path.split(/[\\/]/);
      if (SKIPPED.has(path)) return false;
      const inDependencies = parts.includes('node_modules');
      return inDependencies || !(parts.includes('dist') || path.endsWith('.tsbuildinfo'));
    },
  });
  const copied = spawnSync('cp', ['-a', join(repo, 'node_modules'), join(to, 'node_modules')], { encoding: 'utf8' });
  if (copied.status !== 0) throw new Error(`copying node_modules failed: ${copied.stderr}`);
}

/** Every file of the copy outside node_modules, dist and data, with a hash of its content. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist', 'data', '.git'].includes(entry.name)) walk(path);
      } else if (entry.isFile() && !entry.name.endsWith('.tsbuildinfo')) {
        files.set(relative(root, path), createHash('sha1').update(readFileSync(path)).digest('hex'));
      }
    }
  };
  walk(root);
  return files;
}

/** Files added, changed or removed between two snapshots, sorted. */
function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}

describe('npm run new-subgraph, in a copy of the repository', () => {
  let copy: string;
  let federation: StartedSupervisor | undefined;
  /** The subgraphs registered before the new one. */
  const registered = readSubgraphRegistry(join(repo, 'subgraphs.json'));
  /** Where new-subgraph registers the new one: the next port after the highest, skipping the gateway's 4000. */
  const newPort = ((port) => (port === 4000 ? port + 1 : port))(Math.max(...registered.map((s) => s.port)) + 1);
  /** The copy's environment: no variables of this run that point at this repository or its registry. */
  let env: NodeJS.ProcessEnv;

  const run = (command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> =>
    spawnSync(command, args, { cwd: copy, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 180_000 });
  const scaffold = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => run(process.execPath, ['scripts/new-subgraph.js', ...args], extraEnv);
  const registry = () => readFileSync(join(copy, 'subgraphs.json'), 'utf8');

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'scaffold-repo-'));
    env = { ...process.env };
    delete env.SUBGRAPH_REGISTRY;
    copyRepository(copy);
  }, 120_000);

  afterAll(() => {
    federation?.cleanup();
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  test.each([
    [['--name', 'training', '--owner', 'FR'], /"training" is already registered/],
    [['--name', 'domain', '--owner', 'FR'], /--name "domain" is reserved/],
    [['--name', 'Research-Lab', '--owner', 'FR'], /--name "Research-Lab" is not valid: use 2 to 31 lower-case letters and digits/],
    [['--name', NAME, '--owner', 'XX'], /--owner "XX" is not a partner code: use one of UZ, FR, MC/],
    [['--name', NAME], /usage: npm run new-subgraph -- --name <name> --owner <UZ\|FR\|MC>/],
  ])('refuses %j and writes nothing', (args, message) => {
    const before = snapshot(copy);
    const result = scaffold(args);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(changed(before, snapshot(copy))).toEqual([]);
  });

  test('rolls back everything when npm install fails', () => {
    const before = snapshot(copy);
    const fakeBin = join(copy, '.fake-bin');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'npm'), '#!/bin/sh\necho "npm: no network" >&2\nexit 1\n');
    chmodSync(join(fakeBin, 'npm'), 0o755);
    try {
      const result = scaffold(['--name', NAME, '--owner', 'FR'], { PATH: `${fakeBin}:${env.PATH ?? ''}` });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/nothing was kept: subgraphs\/research is removed/);
    } finally {
      rmSync(fakeBin, { recursive: true, force: true });
    }
    expect(existsSync(join(copy, 'subgraphs', NAME))).toBe(false);
    expect(changed(before, snapshot(copy))).toEqual([]);
  });

  test('makes, registers, composes and serves the new subgraph, whose tests pass', async () => {
    const before = snapshot(copy);
    const made = scaffold(['--name', NAME, '--owner', 'FR']);
    expect([made.status, made.stderr]).toEqual([0, expect.any(String)]);
    const afterScaffold = snapshot(copy);
    expect(changed(before, afterScaffold).filter((p) => !p.startsWith(`subgraphs/${NAME}/`))).toEqual(['package-lock.json', 'subgraphs.json']);
    expect(JSON.parse(registry()).subgraphs.at(-1)).toEqual({ name: NAME, folder: `subgraphs/${NAME}`, port: newPort, owner: 'FR' });
    // Outside the template's tokens, nothing is left unreplaced.
    for (const file of changed(before, afterScaffold).filter((p) => p.startsWith(`subgraphs/${NAME}/`))) {
      expect([file, /__[A-Za-z_]+__/.test(readFileSync(join(copy, file), 'utf8').replace(/__(typename|resolveReference)/g, ''))]).toEqual([file, false]);
    }

    const composed = run('npm', ['run', 'compose']);
    expect([composed.status, composed.stderr]).toEqual([0, expect.any(String)]);
    expect(changed(afterScaffold, snapshot(copy))).toEqual([
      'deploy/kubernetes/base/gateway-subgraph-urls.yaml',
      'deploy/kubernetes/base/subgraphs.yaml',
      'deploy/kubernetes/base/supergraph.graphql',
      'deploy/kubernetes/overlays/local/database-secrets.yaml',
      'deploy/kubernetes/overlays/production/read-replicas.yaml',
      'deploy/observability/prometheus.yml',
      'docker-compose.yml',
      'supergraph/supergraph.graphql',
    ]);
    expect(readFileSync(join(copy, 'supergraph', 'supergraph.graphql'), 'utf8')).toContain(
      `@join__graph(name: "${NAME}", url: "http://localhost:${newPort}/graphql")`,
    );
    const dockerCompose = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: copy, encoding: 'utf8' });
    if (!dockerCompose.error) expect([dockerCompose.status, dockerCompose.stderr]).toEqual([0, '']);

    const built = run(process.execPath, ['scripts/build.js']);
    expect([built.status, built.stdout + built.stderr]).toEqual([0, '']);

    // The new subgraph's tests, the registry test (workspaces, jest projects, Dockerfile, docker-compose.yml) and the
    // Kubernetes manifests' (a Deployment, Service, budget and policy for it, with nothing written by hand).
    const tested = run(join(copy, 'node_modules', '.bin', 'jest'), [
      `subgraphs/${NAME}/`,
      'supergraph/test/registry.test.ts',
      'tests/kubernetes-manifests.test.ts',
    ]);
    expect([tested.status, tested.stderr]).toEqual([0, expect.stringContaining(`PASS subgraphs/${NAME} `)]);
    expect(tested.stderr).toContain('PASS supergraph supergraph/test/registry.test.ts');
    expect(tested.stderr).toContain('PASS tests tests/kubernetes-manifests.test.ts');

    const names = JSON.parse(registry()).subgraphs.map((s: { name: string }) => s.name) as string[];
    expect(names).toEqual([...registered.map((s) => s.name), NAME]);
    federation = await startSupervisor({}, { root: copy, baseEnv: env, registryFile: join(copy, 'subgraphs.json'), dataDirPrefix: 'scaffold-data-' });
    await federation.supervisor.waitFor(/\[start\] the federation is ready/, FIRST_START_MS);
    expect(federation.supervisor.output).toMatch(new RegExp(`starting ${NAME} \\(pid \\d+\\) on port ${federation.ports[NAME]}`));

    const response = await fetch(`http://127.0.0.1:${federation.ports.gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ institution(id: "gustave-roussy") { name researchProjects(first: 5) { id partner leadInstitution { name } } } }' }),
    });
    expect(await response.json()).toEqual({
      data: {
        institution: { name: 'Gustave Roussy', researchProjects: [{ id: 'research-example', partner: 'FR', leadInstitution: { name: 'Gustave Roussy' } }] },
      },
    });

    federation.supervisor.child.kill('SIGTERM');
    await federation.supervisor.exit(20_000);
    expect(federation.supervisor.output).toContain('[start] all services stopped');
  }, 240_000);
});
