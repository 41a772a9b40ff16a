import { AsyncLocalStorage } from 'node:async_hooks';
import { GraphQLError } from 'graphql';
import { ERROR_CODES } from '@partnership/service-runtime';

/** What the kit knows about the signed request being served, wherever its work runs (resolvers, loaders, SQL). */
export interface RequestScope {
  requestId: string;
  /** The verified signature's nonce, and when the signature goes stale (see claimNonce). */
  nonce: string;
  expiresAt: number;
  /**
   * Aborted once nobody waits for the answer: the client closed the connection, or the request's deadline passed.
   * Its reason is a sentence saying which.
   */
  signal: AbortSignal;
  /**
   * Set once the operation is known to be a mutation (server.ts). From then on the request reads from the primary
   * database, never a read replica, so that its answer shows its own writes (data-source.ts, `readsFromReplica`).
   */
  mutation?: boolean;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** Runs `work` (and everything it starts) as part of the request `scope`. */
export function runInRequestScope<T>(scope: RequestScope, work: () => T): T {
  return scopes.run(scope, work);
}

/** The request whose work is running, if any (none during start-up, migrations and health checks). */
export function currentRequest(): RequestScope | undefined {
  return scopes.getStore();
}

/** Error code of work refused because its request was abandoned. */
export const REQUEST_ABANDONED = ERROR_CODES.REQUEST_ABANDONED;

/** Throws when the current request was abandoned: its remaining work would be for nobody. */
export function refuseIfAbandoned(): void {
  const scope = scopes.getStore();
  if (scope?.signal.aborted) {
    throw new GraphQLError(`The request was stopped: ${String(scope.signal.reason)}`, { extensions: { code: REQUEST_ABANDONED } });
  }
}
