import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, type DocumentNode } from 'graphql';

/** The folder holding the nearest package.json above `dir` (works from `src/` and from compiled `dist/src/`). */
export function packageRoot(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'package.json'))) return current;
    if (dirname(current) === current) throw new Error(`no package.json above ${dir}`);
  }
}

/** The SDL every subgraph shares (scalars, PartialDate, PageInfo, Country, Specialty). */
export function commonSdl(): string {
  return readFileSync(join(packageRoot(__dirname), 'src', 'common.graphql'), 'utf8');
}

/**
 * A subgraph's full SDL text: its own `src/schema.graphql` (which carries the `@link` to Federation 2)
 * followed by the shared types.
 */
export function subgraphSdl(subgraphDir: string): string {
  return `${readFileSync(join(packageRoot(subgraphDir), 'src', 'schema.graphql'), 'utf8')}\n${commonSdl()}`;
}

export function subgraphTypeDefs(subgraphDir: string): DocumentNode {
  return parse(subgraphSdl(subgraphDir));
}
