import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

export const requestIdHeader = 'x-request-id';

/** A request id a client (or a proxy in front) may choose: up to 64 letters, digits, `-` and `_`. */
const wellFormedRequestId = /^[A-Za-z0-9_-]{1,64}$/;

/** What the gateway knows of the request being served. */
export interface RequestScope {
  requestId: string;
  /** The gateway's logger with `requestId` on every line. */
  logger: Logger;
}

const scopes = new WeakMap<Response, RequestScope>();
const currentScope = new AsyncLocalStorage<RequestScope>();

/**
 * Gives every request an id: a well-formed incoming `x-request-id`, else a new UUID. It is returned as the
 * `x-request-id` response header, carried by the request's log lines and forwarded to subgraphs.
 */
export function assignRequestIds(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers[requestIdHeader];
    const requestId = typeof incoming === 'string' && wellFormedRequestId.test(incoming) ? incoming : randomUUID();
    res.setHeader(requestIdHeader, requestId);
    scopes.set(res, { requestId, logger: logger.child({ requestId }) });
    next();
  };
}

/** The scope `assignRequestIds` gave this response. */
export function requestScopeOf(res: Response): RequestScope {
  const scope = scopes.get(res);
  if (!scope) throw new Error('assignRequestIds must run before this middleware');
  return scope;
}

/**
 * Runs the rest of the request inside its scope, so code that is handed no request (Apollo's `formatError`) can
 * still find it. Mounted after body parsing: stream events would not carry the scope through the parser.
 */
export function enterRequestScope(): RequestHandler {
  return (_req, res, next) => currentScope.run(requestScopeOf(res), next);
}

/** The scope of the request being served, if any. */
export function currentRequestScope(): RequestScope | undefined {
  return currentScope.getStore();
}
