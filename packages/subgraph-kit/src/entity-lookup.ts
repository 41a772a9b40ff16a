import { signRequest, type Caller } from '@partnership/request-signing';
import { subgraphUrlVariableName } from '@partnership/service-runtime';
import { serviceUnavailable } from './errors';
import type { Logger } from './logger';
import { currentRequest } from './request-scope';

/**
 * The other subgraphs' GraphQL URLs, by subgraph name, for checking references before a write. Configuration:
 * `subgraphConfigFromEnv` fills it from `<NAME>_URL` and the subgraph registry; the kit itself knows no subgraph.
 */
export type PeerUrls = Record<string, string>;

/**
 * Asks the subgraph that owns an entity which of some ids exist (and for a few of their fields), with the same
 * signed `_entities` request the gateway would send, acting for the same caller. A write checks its references
 * this way, so no subgraph ever stores a reference to a record that does not exist. The question is dropped when
 * the request it serves is abandoned, or after `timeoutMs`.
 */
export class EntityLookup {
  /** `peers` is read at each lookup, so it may be filled late. */
  constructor(
    private readonly peers: PeerUrls,
    private readonly secret: string,
    private readonly logger: Logger,
    private readonly timeoutMs = 5_000,
  ) {}

  /** The records found, by id; ids the owner does not know are absent. Throws SERVICE_UNAVAILABLE when it cannot ask. */
  async find<T extends { id: string }>(
    subgraph: string,
    typename: string,
    ids: readonly string[],
    fields: string,
    caller: Caller | null,
  ): Promise<Map<string, T>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const url = this.peers[subgraph];
    if (!url) throw serviceUnavailable(`no URL configured for the ${subgraph} subgraph (${subgraphUrlVariableName(subgraph)})`);
    const body = JSON.stringify({
      query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${typename} { id ${fields} } } }`,
      variables: { r: unique.map((id) => ({ __typename: typename, id })) },
    });
    let result: { data?: { _entities?: Array<T | null> }; errors?: Array<{ message: string }> };
    const request = currentRequest();
    try {
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signRequest(this.secret, caller, body, Date.now(), subgraph) },
        body,
        signal: request ? AbortSignal.any([timeout, request.signal]) : timeout,
      });
      result = (await response.json()) as typeof result;
      if (!response.ok || !result.data?._entities) throw new Error(result.errors?.[0]?.message ?? `HTTP ${response.status}`);
    } catch (err) {
      // The cause names the peer's address (ECONNREFUSED <host>:<port>): for the log, never for the client.
      this.logger.warn({ err, subgraph, url, requestId: request?.requestId }, 'reference check failed');
      throw serviceUnavailable(`could not check ${typename} ids with the ${subgraph} subgraph; nothing was written, try again later`);
    }
    return new Map(result.data._entities.filter((e): e is T => e !== null).map((e) => [e.id, e]));
  }
}
