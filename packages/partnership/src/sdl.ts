import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '@partnership/service-runtime';

/** The file holding the partnership's shared enums (Country, Specialty). */
export function partnershipSdlPath(): string {
  return join(packageRoot(__dirname), 'src', 'partnership.graphql');
}

/**
 * The SDL every partnership subgraph shares after the kit's common types: Country and Specialty. A subgraph's
 * typeDefs are `subgraphTypeDefs(__dirname, [partnershipSdl()])`; composition reads the same.
 */
export function partnershipSdl(): string {
  return readFileSync(partnershipSdlPath(), 'utf8');
}
