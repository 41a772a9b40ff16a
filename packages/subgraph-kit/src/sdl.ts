import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '@partnership/service-runtime';

export { packageRoot } from '@partnership/service-runtime';
import { parse, type DocumentNode } from 'graphql';

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
