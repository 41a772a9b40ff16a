import { createHash } from 'node:crypto';
import { buildSubgraph, FEDERATION_UNNAMED_SUBGRAPH_NAME, printSchema } from '@apollo/federation-internals';

/**
 * Safe rollout: `npm run compose` writes, in comment lines at the top of the supergraph, a fingerprint of each
 * subgraph's SDL it composed:
 *
 *   # subgraph-sdl: agreements sha256:<64 hex>
 *
 * The fingerprint is the sha256 of the SDL as @apollo/subgraph prints it for `_service { sdl }` (the SDL built
 * with `buildSubgraph` and printed by federation-internals' `printSchema`), so composition (from the SDL files)
 * and the gateway (from what the running subgraph answers) compute the same value for the same schema. The lines
 * are GraphQL comments: the file stays a valid supergraph for any gateway. A supergraph without them (any other
 * composition) is switched to without the check.
 *
 * Composition (supergraph/src/compose.ts) writes the header with this same function.
 */
export function subgraphSdlFingerprint(sdl: string): string {
  const normalised = printSchema(buildSubgraph(FEDERATION_UNNAMED_SUBGRAPH_NAME, '', sdl, false).schema);
  return `sha256:${createHash('sha256').update(normalised).digest('hex')}`;
}

const fingerprintLine = /^# subgraph-sdl: (\S+) (sha256:[0-9a-f]{64})[ \t]*$/gm;

/** The fingerprint per subgraph name that a supergraph's header records; empty when it records none. */
export function recordedFingerprints(supergraphSdl: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of supergraphSdl.matchAll(fingerprintLine)) found.set(match[1], match[2]);
  return found;
}

/** A subgraph that does not (yet) serve the schema a waiting supergraph was composed from. */
export interface LaggingSubgraph {
  name: string;
  /** `serves another schema`, or why its schema could not be read. */
  reason: string;
  /** The fingerprint the supergraph was composed from. */
  expected: string;
  /** The fingerprint of what it serves, when it answered. */
  serving?: string;
}

/** A supergraph that passed every check but waits until its subgraphs serve the schemas it was composed from. */
export interface PendingRollout {
  /** Composition id (sha256 of the SDL) of the waiting supergraph. */
  id: string;
  /** When it started waiting (ISO 8601). */
  since: string;
  /** When its subgraphs were last checked (ISO 8601). */
  checkedAt: string;
  lagging: LaggingSubgraph[];
}

/**
 * Compares what each subgraph serves with the fingerprints recorded in a supergraph. Subgraphs without a recorded
 * fingerprint are not checked. Resolves with the subgraphs that lag (empty: the supergraph can be served).
 */
export async function laggingSubgraphs<S extends { name: string }>(
  subgraphs: ReadonlyArray<S>,
  expected: Map<string, string>,
  servedSdl: (subgraph: S) => Promise<string>,
): Promise<LaggingSubgraph[]> {
  const checked = await Promise.all(
    subgraphs
      .filter((s) => expected.has(s.name))
      .map(async (subgraph): Promise<LaggingSubgraph | undefined> => {
        const want = expected.get(subgraph.name)!;
        let sdl: string;
        try {
          sdl = await servedSdl(subgraph);
        } catch (error) {
          return { name: subgraph.name, reason: `cannot read its schema: ${(error as Error).message}`, expected: want };
        }
        let serving: string;
        try {
          serving = subgraphSdlFingerprint(sdl);
        } catch (error) {
          return { name: subgraph.name, reason: `its schema does not build: ${(error as Error).message}`, expected: want };
        }
        return serving === want ? undefined : { name: subgraph.name, reason: 'serves another schema', expected: want, serving };
      }),
  );
  return checked.filter((s): s is LaggingSubgraph => s !== undefined);
}
