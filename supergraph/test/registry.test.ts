/**
 * The registry of subgraphs (`subgraphs.json`) is the one list: everything written by hand that also names the
 * subgraphs must agree with it. Fails with what to change when a subgraph is added, renamed or moved.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readSubgraphRegistry, subgraphUrlVariableName } from '@partnership/service-runtime';
import { parse } from 'yaml';
import { partnershipSubgraphs, repositoryRoot, supergraphFile } from '../src/compose';

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, unknown>;
  /** Opt-in services (the observability stack) carry a profile; the federation's own services never do. */
  profiles?: string[];
}

const registry = readSubgraphRegistry(join(repositoryRoot, 'subgraphs.json'));
const read = (file: string) => readFileSync(join(repositoryRoot, file), 'utf8');
const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };
const NOT_SUBGRAPHS = ['mysql', 'gateway'];

describe('the subgraph registry (subgraphs.json)', () => {
  test('lists each subgraph once, with a folder, a port and an owner team', () => {
    expect(registry.length).toBeGreaterThan(0);
    for (const subgraph of registry) {
      expect(JSON.parse(read(join(subgraph.folder, 'package.json'))).name).toEqual(expect.any(String));
      expect(subgraph.owner).not.toBe('');
    }
  });

  test('is what composition reads, and the committed supergraph routes to its local ports', () => {
    expect(partnershipSubgraphs.map((s) => s.name)).toEqual(registry.map((s) => s.name));
    const supergraph = readFileSync(supergraphFile, 'utf8');
    const routed = [...supergraph.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)].map(([, name, url]) => ({ name, url }));
    expect(routed.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      registry.map((s) => ({ name: s.name, url: `http://localhost:${s.port}/graphql` })).sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  test('matches the workspaces, the jest projects and the Dockerfile', () => {
    const workspaces = JSON.parse(read('package.json')).workspaces as string[];
    const jestProjects = (require(join(repositoryRoot, 'jest.config.js')) as { projects: string[] }).projects;
    const dockerfile = read('Dockerfile');
    // A folder is a workspace by name or through a glob of its parent (`subgraphs/*`); the Dockerfile copies it by
    // its package.json or its parent folder whole (`COPY subgraphs/ subgraphs/`), so new-subgraph edits neither.
    for (const { folder } of registry) {
      const parent = dirname(folder);
      expect([folder, `${parent}/*`].filter((w) => workspaces.includes(w))).not.toEqual([]);
      expect(jestProjects).toContain(`<rootDir>/${folder}`);
      expect([`COPY ${folder}/package.json ${folder}/`, `COPY ${parent}/ ${parent}/`].filter((line) => dockerfile.includes(line))).not.toEqual([]);
    }
  });

  describe('docker-compose.yml', () => {
    test('has one service per registered subgraph, besides mysql and the gateway', () => {
      const services = Object.keys(compose.services).filter((name) => !NOT_SUBGRAPHS.includes(name) && !compose.services[name].profiles);
      expect(services.sort()).toEqual(registry.map((s) => s.name).sort());
      expect(Object.keys(compose.services.gateway.depends_on ?? {}).sort()).toEqual(registry.map((s) => s.name).sort());
    });

    test.each(registry.map((s) => [s.name, s] as const))('runs %s from its folder on its port', (name, subgraph) => {
      const service = compose.services[name];
      expect(service.command).toEqual(['node', `${subgraph.folder}/dist/src/index.js`]);
      expect(service.environment?.PORT).toBe(String(subgraph.port));
      expect(service.healthcheck?.test?.join(' ')).toContain(`http://127.0.0.1:${subgraph.port}/health/ready`);
    });

    test('tells the gateway every subgraph URL, and every service only the right ones', () => {
      const gateway = compose.services.gateway.environment ?? {};
      for (const subgraph of registry) expect(gateway[subgraphUrlVariableName(subgraph.name)]).toBe(`http://${subgraph.name}:${subgraph.port}/graphql`);
      for (const [serviceName, service] of Object.entries(compose.services)) {
        for (const subgraph of registry) {
          const url = service.environment?.[subgraphUrlVariableName(subgraph.name)];
          if (url !== undefined) expect([serviceName, url]).toEqual([serviceName, `http://${subgraph.name}:${subgraph.port}/graphql`]);
        }
      }
    });
  });
});
