import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { SupergraphSdlHook } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import type { Logger } from 'pino';
import { listSizesOf, type ListSizes } from './list-sizes';
import { laggingSubgraphs, recordedFingerprints, type PendingRollout } from './rollout';

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
  /**
   * Safe rollout: the SDL a subgraph serves (`_service { sdl }`); throws when it cannot be read. Without it, a new
   * supergraph is switched to as soon as it passes `checkSupergraph`.
   */
  servedSdl?: (subgraph: RoutedSubgraph) => Promise<string>;
  /** How long a new supergraph whose subgraphs lag waits before they are checked again, in milliseconds (default 3000). */
  rolloutRetryMs?: number;
  /** Called with the supergraph waiting for its subgraphs (and which lag), and with undefined when none waits. */
  onRollout?(pending: PendingRollout | undefined): void;
}

/**
 * The `supergraphSdl` hook of @apollo/gateway over a file: serves the file's supergraph, then polls the file.
 * A changed file that passes `checkSupergraph` replaces the running supergraph through `update` (requests in
 * flight finish on the plan they started with); one that does not is refused with a log line, and the
 * running supergraph keeps serving. `healthCheck` then probes the new subgraphs, as advice in the log only:
 * a supergraph may name a subgraph that starts later.
 *
 * Safe rollout: when the new file records the fingerprint of each subgraph's SDL it was composed from (see
 * rollout.ts) and `servedSdl` is given, the switch waits until every such subgraph serves that schema; until then the
 * running supergraph keeps serving, the lagging subgraphs are logged and reported through `onRollout`, and they are
 * checked again every `rolloutRetryMs` (and whenever the file changes). This holds for a rollback as well: a file
 * composed from older SDL waits for the subgraphs to serve the older schema. The first supergraph (at start) is
 * served without waiting, and a file that records no fingerprints is switched to at once (logged).
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
    let retry: NodeJS.Timeout | undefined;
    let waiting: PendingRollout | undefined;
    let reloading = Promise.resolve();
    const stopWaiting = () => {
      if (!waiting) return;
      waiting = undefined;
      options.onRollout?.(undefined);
    };
    const reload = async () => {
      clearTimeout(retry);
      let next: string;
      try {
        next = await readFile(path, 'utf8');
      } catch (error) {
        logger.error({ path, err: error, serving: serving.id }, 'supergraph file unreadable; the running supergraph keeps serving');
        return;
      }
      if (stopped) return;
      if (next === serving.sdl) {
        if (waiting)
          logger.info({ path, serving: serving.id, waited: waiting.id }, 'the file is back to the running supergraph; no longer waiting for a new one');
        stopWaiting();
        return;
      }
      let candidate: CheckedSupergraph;
      try {
        candidate = checkSupergraph(next, options.urlOverride);
      } catch (error) {
        logger.error({ path, reason: (error as Error).message, serving: serving.id }, 'new supergraph refused; the running supergraph keeps serving');
        return;
      }
      const expected = recordedFingerprints(candidate.sdl);
      if (options.servedSdl && expected.size > 0) {
        const lagging = await laggingSubgraphs(candidate.subgraphs, expected, options.servedSdl);
        if (stopped) return;
        if (lagging.length > 0) {
          const now = new Date().toISOString();
          const since = waiting?.id === candidate.id ? waiting.since : now;
          // Said again only when who lags or why changes: a wait of hours must not write a warning every few seconds.
          const unchanged = waiting?.id === candidate.id && JSON.stringify(waiting.lagging) === JSON.stringify(lagging);
          waiting = { id: candidate.id, since, checkedAt: now, lagging };
          options.onRollout?.(waiting);
          const retryMs = options.rolloutRetryMs ?? 3000;
          if (!unchanged) {
            logger.warn(
              { path, serving: serving.id, waiting: candidate.id, since, lagging, retryInMs: retryMs },
              `new supergraph waits: ${lagging.map((s) => s.name).join(', ')} ${lagging.length > 1 ? 'do' : 'does'} not serve the schema it was composed from; the running supergraph keeps serving`,
            );
          }
          retry = setTimeout(() => {
            reloading = reloading.then(reload);
          }, retryMs);
          retry.unref();
          return;
        }
      } else if (options.servedSdl) {
        logger.info({ path, id: candidate.id }, 'the new supergraph records no subgraph SDL fingerprints; switching without waiting for the subgraphs');
      }
      try {
        update(candidate.sdl);
      } catch (error) {
        if (!stopped)
          logger.error(
            { path, reason: (error as Error).message, serving: serving.id },
            'new supergraph refused by the gateway; the running supergraph keeps serving',
          );
        return;
      }
      const previous = serving.id;
      serving = candidate;
      stopWaiting();
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
      clearTimeout(retry);
      pending = setTimeout(
        () => {
          reloading = reloading.then(reload);
        },
        Math.min(200, options.pollIntervalMs),
      );
    };
    watchFile(path, { interval: options.pollIntervalMs, persistent: false }, onChange);

    return {
      supergraphSdl: serving.sdl,
      cleanup: async () => {
        stopped = true;
        clearTimeout(pending);
        clearTimeout(retry);
        unwatchFile(path, onChange);
        await reloading;
      },
    };
  };
}
