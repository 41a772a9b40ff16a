/**
 * readSubgraphRegistry (packages/service-runtime) on registries written for the test: what it accepts, and the
 * message it gives for each mistake, `checksReferencesWith` above all (docker-compose.yml and the Kubernetes
 * manifests are generated from it).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSubgraphRegistry } from '@partnership/service-runtime';

const dir = mkdtempSync(join(tmpdir(), 'subgraph-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (name: string, port: number, extra: object = {}) => ({ name, folder: `subgraphs/${name}`, port, owner: 'a team', ...extra });
/** Writes a registry of these entries and reads it back. */
function read(subgraphs: unknown[]) {
  const file = join(dir, 'subgraphs.json');
  writeFileSync(file, JSON.stringify({ subgraphs }));
  return readSubgraphRegistry(file);
}

test('reads every field; checksReferencesWith is empty when left out', () => {
  expect(read([entry('institutions', 4001), entry('agreements', 4002, { checksReferencesWith: ['institutions'] })])).toEqual([
    { name: 'institutions', folder: 'subgraphs/institutions', port: 4001, owner: 'a team', checksReferencesWith: [] },
    { name: 'agreements', folder: 'subgraphs/agreements', port: 4002, owner: 'a team', checksReferencesWith: ['institutions'] },
  ]);
});

test('subgraphs may check references with each other (a cycle)', () => {
  const registry = read([entry('a', 4001, { checksReferencesWith: ['b'] }), entry('b', 4002, { checksReferencesWith: ['a'] })]);
  expect(registry.map((s) => s.checksReferencesWith)).toEqual([['b'], ['a']]);
});

test.each([
  [
    'an unknown subgraph',
    [entry('a', 4001, { checksReferencesWith: ['c'] }), entry('b', 4002)],
    /subgraphs\[0\]\.checksReferencesWith: "c" is not a registered subgraph \(registered: a, b\)/,
  ],
  ['itself', [entry('a', 4001, { checksReferencesWith: ['a'] })], /subgraphs\[0\]\.checksReferencesWith: a cannot list itself/],
  ['a subgraph twice', [entry('a', 4001), entry('b', 4002, { checksReferencesWith: ['a', 'a'] })], /subgraphs\[1\]\.checksReferencesWith: "a" is listed twice/],
  [
    'a name alone, not a list',
    [entry('a', 4001), entry('b', 4002, { checksReferencesWith: 'a' })],
    /subgraphs\[1\]\.checksReferencesWith must be a list of subgraph names/,
  ],
  ['something other than names', [entry('a', 4001, { checksReferencesWith: [4002] })], /subgraphs\[0\]\.checksReferencesWith must be a list of subgraph names/],
])('refuses checksReferencesWith naming %s', (_case, subgraphs, message) => {
  expect(() => read(subgraphs)).toThrow(message);
});

test('refuses two subgraphs on one port, naming both', () => {
  expect(() => read([entry('a', 4001), entry('b', 4001)])).toThrow(/a and b share a port \(4001\)/);
});
