import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '@partnership/service-runtime';

export { packageRoot } from '@partnership/service-runtime';
import { parse, type DocumentNode } from 'graphql';

// Reads SDL only: no TypeORM, no server. Tools that need a subgraph's SDL without running it (composition, schema
// checks) import this file alone, as `@partnership/subgraph-kit/sdl`.

/** The SDL every subgraph shares whatever its domain (scalars, PartialDate, PageInfo, directives, AuditEntry). */
export function commonSdl(): string {
  return readFileSync(join(packageRoot(__dirname), 'src', 'common.graphql'), 'utf8');
}

/** The file `commonSdl()` reads, for tools that point at lines in it. */
export function commonSdlPath(): string {
  return join(packageRoot(__dirname), 'src', 'common.graphql');
}

/**
 * A subgraph's full SDL text: its own `src/schema.graphql` (which carries the `@link` to Federation 2), a newline,
 * the common types, then each of `shared` (SDL of the domain the subgraphs share) after a newline.
 */
export function subgraphSdl(subgraphDir: string, shared: readonly string[] = []): string {
  return [readFileSync(join(packageRoot(subgraphDir), 'src', 'schema.graphql'), 'utf8'), commonSdl(), ...shared].join('\n');
}

export function subgraphTypeDefs(subgraphDir: string, shared: readonly string[] = []): DocumentNode {
  return parse(subgraphSdl(subgraphDir, shared));
}
