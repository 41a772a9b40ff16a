import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PARTNERS } from '../src/partners';

// The shared packages know no subgraph names, partners or domain records (DESIGN.md section 3): those live in this
// package or in the subgraphs. Names come from the registry and partner codes from this package, so a new subgraph
// or partner is covered without an edit here.
const root = join(__dirname, '..', '..', '..');
const LOWER_LAYERS = ['packages/subgraph-kit/src', 'packages/request-signing/src', 'packages/service-runtime/src'];

const subgraphNames = (JSON.parse(readFileSync(join(root, 'subgraphs.json'), 'utf8')) as { subgraphs: { name: string }[] }).subgraphs.map((s) => s.name);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const sources = LOWER_LAYERS.flatMap((dir) => filesUnder(join(root, dir))).map((path) => ({ file: relative(root, path), text: readFileSync(path, 'utf8') }));

function mentions(pattern: RegExp): string[] {
  return sources.flatMap(({ file, text }) => text.split('\n').flatMap((line, i) => (pattern.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])));
}

describe('the shared packages know nothing of the partnership', () => {
  test('the lists it checks against are not empty', () => {
    expect(sources.length).toBeGreaterThan(10);
    expect(subgraphNames.length).toBeGreaterThan(0);
    expect(PARTNERS.length).toBeGreaterThan(0);
  });

  test.each(subgraphNames)('no source names the %s subgraph', (name) => {
    expect(mentions(new RegExp(`\\b${name}\\b`, 'i'))).toEqual([]);
  });

  test.each([...PARTNERS])('no source names the partner %s', (partner) => {
    expect(mentions(new RegExp(`\\b${partner}\\b`))).toEqual([]);
  });

  test('no source imports the domain package or a subgraph', () => {
    const imports = new RegExp(`from '@partnership/(domain|${subgraphNames.join('|')})'`);
    expect(mentions(imports)).toEqual([]);
  });
});
