import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { SupergraphSdlHook } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import type { Logger } from 'pino';
import { listSizesOf, type ListSizes } from './list-sizes';

/** A subgraph as the gateway routes to it. */
export interface RoutedSubgraph {
  name: string;
  /** The URL requests go to: the override when one is set, else the supergraph's. */
  url: string;
  /** The routing URL written in the supergraph. */
  supergraphUrl: string;
}

/** A supergraph that passed every check and can be served. */
export interface CheckedSupergraph {
  sdl: string;
  /** sha256 of the SDL, as @apollo/gateway computes its composition id. */
  id: string;
  subgraphs: RoutedSubgraph[];
  /** The `@listSize` bounds its subgraphs declare, for the cost model. */
  listSizes: ListSizes;
}

/**
 * Checks a supergraph SDL the way @apollo/gateway will use it (parse, validate, derive the API schema) and
 * resolves each subgraph's URL. Throws with the reason when it cannot be served.
 */
export function checkSupergraph(sdl: string, urlOverride: (name: string) => string | undefined): CheckedSupergraph {
  if (sdl.trim() === '') throw new Error('the file is empty');
  const supergraph = Supergraph.build(sdl, { validateSupergraph: true });
  supergraph.apiSchema();
  const subgraphs = supergraph.subgraphsMetadata().map(({ name, url }) => ({ name, supergraphUrl: url, url: urlOverride(name) ?? url }));
  return { sdl, id: createHash('sha256').update(sdl).digest('hex'), subgraphs, listSizes: listSizesOf(supergraph) };
}

export interface SupergraphFileOptions {
  path: string;
  pollIntervalMs: number;
  urlOverride: (name: string) => string | undefined;
  logger: Logger;
  /** Called with each supergraph the gateway starts serving (the first one and every accepted replacement). */
  onServing(supergraph: CheckedSupergraph): void;
}

/**
 * The `supergraphSdl` hook of @apollo/gateway over a file: serves the file's supergraph, then polls the file.
 * A changed file that passes `checkSupergraph` replaces the running supergraph through `update` (requests in
 * flight finish on the plan they started with); one that does not is refused with a log line, and the
 * running supergraph keeps serving. `healthCheck` then probes the new subgraphs, as advice in the log only:
 * a supergraph may name a subgraph that starts later.
 */
export function supergraphFromFile(options: SupergraphFileOptions): SupergraphSdlHook {
  const { path, logger } = options;
  return async ({ update, healthCheck }) => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`cannot read the supergraph at ${path} (SUPERGRAPH_PATH): ${(error as Error).message}`);
    }
    let serving: CheckedSupergraph;
    try {
      serving = checkSupergraph(text, options.urlOverride);
    } catch (error) {
      throw new Error(`the supergraph at ${path} cannot be served: ${(error as Error).message}`);
    }
    logger.info({ path, id: serving.id, subgraphs: serving.subgraphs }, 'supergraph loaded');
    options.onServing(serving);

    let stopped = false;
    let pending: NodeJS.Timeout | undefined;
    let reloading = Promise.resolve();
    const reload = async () => {
      let next: string;
      try {
        next = await readFile(path, 'utf8');
      } catch (error) {
        logger.error({ path, err: error, serving: serving.id }, 'supergraph file unreadable; the running supergraph keeps serving');
        return;
      }
      if (stopped || next === serving.sdl) return;
      let candidate: CheckedSupergraph;
      try {
        candidate = checkSupergraph(next, options.urlOverride);
      } catch (error) {
        logger.error({ path, reason: (error as Error).message, serving: serving.id }, 'new supergraph refused; the running supergraph keeps serving');
        return;
      }
      try {
        update(candidate.sdl);
      } catch (error) {
        if (!stopped) logger.error({ path, reason: (error as Error).message, serving: serving.id }, 'new supergraph refused by the gateway; the running supergraph keeps serving');
        return;
      }
      const previous = serving.id;
      serving = candidate;
      options.onServing(candidate);
      logger.info({ path, id: candidate.id, previous, subgraphs: candidate.subgraphs }, 'supergraph replaced');
      healthCheck(candidate.sdl).catch((error: Error) => {
        if (!stopped) logger.warn({ reason: error.message }, 'the new supergraph is serving, but not every subgraph answers yet');
      });
    };
    // A writer may take several steps; wait for the file to settle, and run one reload at a time.
    const onChange = (current: Stats, previous: Stats) => {
      if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
      clearTimeout(pending);
      pending = setTimeout(() => {
        reloading = reloading.then(reload);
      }, Math.min(200, options.pollIntervalMs));
    };
    watchFile(path, { interval: options.pollIntervalMs, persistent: false }, onChange);

    return {
      supergraphSdl: serving.sdl,
      cleanup: async () => {
        stopped = true;
        clearTimeout(pending);
        unwatchFile(path, onChange);
        await reloading;
      },
    };
  };
}
