import { AsyncLocalStorage } from 'node:async_hooks';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { signRequest, type Caller } from '@partnership/request-signing';
import { GraphQLError } from 'graphql';
import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import { Agent, Headers, request } from 'undici';
import { ERROR_CODES } from '@partnership/service-runtime';
import type { BreakerSettings } from './config';
import type { EntityCache } from './entity-cache';
import type { SubgraphRequestObserver } from './metrics';
import { currentRequestScope, requestIdHeader } from './request-id';

export type Fetcher = NonNullable<RemoteGraphQLDataSource['fetcher']>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherInit = Parameters<Fetcher>[1];

/** One connection pool for every subgraph: connections stay open between requests (keep-alive). */
export function createSubgraphAgent(): Agent {
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256 });
}

/** What the gateway's request context gives the subgraph data sources. */
export interface SubgraphCallContext {
  /** Whom the request acts for, from a verified token; null: anonymous. */
  caller: Caller | null;
  requestId: string;
}

// The caller of the subgraph call in progress, set by the data source from the gateway's own context. A client
// has no way to reach it: client headers are never forwarded, and any x-gateway-* header is dropped before signing.
// `query`: whether the operation sent is a query (only those may share a request or be sent again).
const subgraphCallScope = new AsyncLocalStorage<{ caller: Caller | null; query: boolean }>();

/**
 * A subgraph's data source: forwards the request id, and hands the caller of the incoming request to the fetcher,
 * which signs what it sends. Calls with no incoming request (@apollo/gateway's health checks) are anonymous. With an
 * entity cache, the entities a query fetches are asked of the subgraph only when they are not kept.
 * HTTP errors and answers that are not GraphQL JSON become SUBREQUEST_HTTP_ERROR errors that say only the status:
 * @apollo/gateway's own errors would carry the subgraph's URL and quote its answer.
 */
export class SignedSubgraphDataSource extends RemoteGraphQLDataSource<Partial<SubgraphCallContext>> {
  constructor(
    private readonly subgraphName: string,
    private readonly logger: Logger,
    config: { url?: string; fetcher: Fetcher },
    private readonly entityCache?: EntityCache,
  ) {
    super(config);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Partial<SubgraphCallContext>>): void {
    if (context.requestId) request.http?.headers.set(requestIdHeader, context.requestId);
  }

  override process(options: GraphQLDataSourceProcessOptions<Partial<SubgraphCallContext>>) {
    const query = /^\s*(query\b|\{)/.test(options.request.query ?? '');
    const send = (sent: typeof options) => subgraphCallScope.run({ caller: sent.context.caller ?? null, query }, () => super.process(sent));
    return query && this.entityCache ? this.entityCache.fetch(this.subgraphName, options, send) : send(options);
  }

  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const body = await response.text();
    return this.failed(`HTTP ${response.status}`, { url: response.url, status: response.status, body: body.slice(0, 500) });
  }

  override async parseBody(response: FetcherResponse): Promise<object | string> {
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw this.failed('the answer is not GraphQL JSON', { url: response.url, status: response.status, body: text.slice(0, 500) });
    }
    return body;
  }

  private failed(reason: string, detail: Record<string, unknown>): GraphQLError {
    (currentRequestScope()?.logger ?? this.logger).warn({ subgraph: this.subgraphName, reason, ...detail }, 'subgraph request failed');
    return subgraphRequestError(this.subgraphName, reason);
  }
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** The transport to one subgraph: its fetcher, and the state of the circuit breaker in front of it. */
export interface SubgraphTransport {
  fetcher: Fetcher;
  breakerState(): BreakerState;
  /** Stops the breaker's timers. */
  shutdown(): void;
}

export interface SubgraphTransportOptions {
  agent: Agent;
  /** The whole exchange, a retry included, is aborted after this many milliseconds. */
  timeoutMs: number;
  signingSecret: string;
  breaker: BreakerSettings;
  /** Identical queries in flight for the same caller share one request. */
  deduplicate: boolean;
  /** For lines outside a request (breaker state changes); request lines use the request's logger. */
  logger: Logger;
  /** Told how each request sent ended, and how long it took (metrics). */
  observe?: SubgraphRequestObserver;
}

/**
 * The fetcher of one subgraph's data source:
 * - signs each request (the caller, a timestamp, a nonce and the exact body bytes sent, see @partnership/request-signing),
 *   keeps connections alive through `agent`, and aborts the whole exchange (connect, send, read the body) after `timeoutMs`;
 * - sends a query once more, signed anew, when the connection was refused or reset before any answer (a keep-alive
 *   connection the subgraph had just closed, a restart) and time is left; a mutation is never sent twice, since the
 *   subgraph may have run it;
 * - behind a circuit breaker: when network errors, timeouts and HTTP 5xx pile up, requests fail at once
 *   ("circuit open") until, after `resetMs`, one trial request succeeds.
 * - with `deduplicate`: a query identical to one in flight (same URL, same caller, same body: the key is built before
 *   signing) waits for that request's answer instead of sending its own. Many clients asking the same thing at once
 *   then cost the subgraph one request. Mutations are always sent.
 * Failures become SUBREQUEST_HTTP_ERROR errors naming the subgraph with a reason in plain words (no host, port or path);
 * the detail goes to the log with the request id. HTTP answers pass on to the data source.
 */
export function createSubgraphTransport(subgraphName: string, options: SubgraphTransportOptions): SubgraphTransport {
  const { agent, timeoutMs, signingSecret, logger } = options;

  const exchange = async (url: string, init: FetcherInit): Promise<FetcherResponse> => {
    // The exact bytes that are signed are the bytes sent.
    const body = typeof init?.body === 'string' ? Buffer.from(init.body, 'utf8') : (init?.body ?? Buffer.alloc(0));
    const call = subgraphCallScope.getStore();
    const caller = call?.caller ?? null;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([deadline, init.signal]) : deadline;
    // Signed at each attempt: a subgraph refuses a nonce it has seen.
    const attempt = () =>
      sendAndRead(
        url,
        {
          method: init?.method,
          headers: { ...withoutGatewayHeaders(init?.headers), ...signRequest(signingSecret, caller, body, Date.now(), subgraphName) },
          body,
        },
        agent,
        signal,
      );
    let result = await attempt();
    if ('failure' in result && isRetryable(result.failure) && !deadline.aborted && call?.query) {
      (currentRequestScope()?.logger ?? logger).info(
        { subgraph: subgraphName, url, reason: result.failure.detail },
        'subgraph connection failed before any answer; query sent again',
      );
      result = await attempt();
    }
    if ('failure' in result) throw new SubgraphFailure(clientReason(result.failure, deadline.aborted, timeoutMs), result.failure.detail, deadline.aborted);
    if (result.response.status >= 500) throw new SubgraphServerError(result.response);
    return result.response;
  };

  const breaker = new CircuitBreaker(exchange, {
    name: subgraphName,
    // The exchange has its own deadline, which also aborts the request; opossum's timeout would not.
    timeout: false,
    errorThresholdPercentage: options.breaker.errorThresholdPercent,
    volumeThreshold: options.breaker.volumeThreshold,
    rollingCountTimeout: options.breaker.windowMs,
    resetTimeout: options.breaker.resetMs,
  });
  breaker.on('open', () => logger.warn({ subgraph: subgraphName, resetMs: options.breaker.resetMs }, 'circuit open: requests to the subgraph fail at once'));
  breaker.on('halfOpen', () => logger.info({ subgraph: subgraphName }, 'circuit half-open: the next request to the subgraph is a trial'));
  breaker.on('close', () => logger.info({ subgraph: subgraphName }, 'circuit closed: the subgraph answers again'));

  const observe = options.observe ?? (() => {});
  const send = async (url: string, init: FetcherInit): Promise<FetcherResponse> => {
    const start = performance.now();
    const took = () => (performance.now() - start) / 1000;
    try {
      const response = await breaker.fire(url, init);
      observe(response.status >= 400 ? 'http_error' : 'ok', took());
      return response;
    } catch (error) {
      // A 5xx counts as a failure for the breaker; the data source reports it.
      if (error instanceof SubgraphServerError) {
        observe('http_error', took());
        return error.response;
      }
      const requestLogger = currentRequestScope()?.logger ?? logger;
      if (error instanceof SubgraphFailure) {
        observe(error.timedOut ? 'timeout' : 'network_error', took());
        requestLogger.warn({ subgraph: subgraphName, url, reason: error.detail }, 'subgraph request failed');
        throw subgraphRequestError(subgraphName, error.reason);
      }
      if (CircuitBreaker.isOurError(error as Error)) {
        observe('circuit_open', took());
        // Logged once when the circuit opened; each request it turns away is worth a debug line only.
        requestLogger.debug({ subgraph: subgraphName }, 'subgraph request not sent: circuit open');
        throw subgraphRequestError(subgraphName, `the ${subgraphName} subgraph is unavailable (circuit open)`);
      }
      throw error;
    }
  };

  // Requests in flight by URL, caller and body; each waiter gets its own copy of the answer (or the same error).
  const inFlight = new Map<string, Promise<FetcherResponse>>();
  return {
    async fetcher(url, init) {
      const call = subgraphCallScope.getStore();
      const body = init?.body;
      // Only calls made for a client's query: @apollo/gateway's own calls carry no scope.
      if (!options.deduplicate || !call?.query || typeof body !== 'string' || init?.signal) return send(url, init);
      const key = JSON.stringify([url, call.caller, body]);
      let shared = inFlight.get(key);
      if (!shared) {
        shared = send(url, init).finally(() => inFlight.delete(key));
        inFlight.set(key, shared);
      }
      return (await shared).clone();
    },
    breakerState: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'),
    shutdown: () => breaker.shutdown(),
  };
}

/** A failed exchange: `reason` for the client, `detail` for the log; `timedOut`: the deadline ended it. */
class SubgraphFailure extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string,
    readonly timedOut: boolean,
  ) {
    super(reason);
  }
}

/** An HTTP 5xx answer: a failure for the breaker, passed on to the data source. */
class SubgraphServerError extends Error {
  constructor(readonly response: FetcherResponse) {
    super(`HTTP ${response.status}`);
  }
}

/** Headers without any `x-gateway-*`: only the signer writes those. */
function withoutGatewayHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !name.toLowerCase().startsWith('x-gateway-')));
}

// Same shape as Apollo Router's errors for a failed subgraph request, so clients can tell "that part is missing".
function subgraphRequestError(subgraphName: string, reason: string): GraphQLError {
  return new GraphQLError(`HTTP fetch failed from '${subgraphName}': ${reason}`, {
    extensions: { code: ERROR_CODES.SUBREQUEST_HTTP_ERROR, serviceName: subgraphName, reason },
  });
}

interface ExchangeInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

interface NetworkFailure {
  /** The system or undici error code (ECONNREFUSED, UND_ERR_SOCKET...), when there is one. */
  code?: string;
  /** The error's own words, with addresses: for the log only. */
  detail: string;
  /** Whether it failed before the answer's status line arrived. */
  beforeAnswer: boolean;
}

/**
 * Sends a request and reads its whole body, until `signal` aborts it; never throws. undici's `request`, not `fetch`:
 * the gateway reads each answer whole, and fetch's web streams cost a fifth of the gateway's CPU under load.
 */
async function sendAndRead(
  url: string,
  init: ExchangeInit,
  agent: Agent,
  signal: AbortSignal,
): Promise<{ response: FetcherResponse } | { failure: NetworkFailure }> {
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await request(url, { method: (init.method ?? 'GET') as 'GET' | 'POST', headers: init.headers, body: init.body, signal, dispatcher: agent });
  } catch (error) {
    return { failure: networkFailure(error, true) };
  }
  try {
    const body = Buffer.from(await answer.body.arrayBuffer());
    return { response: bufferedResponse(url, answer.statusCode, answer.headers, body) };
  } catch (error) {
    return { failure: networkFailure(error, false) };
  }
}

interface ErrorWords {
  code?: string;
  message?: string;
  errors?: Array<{ code?: string; message?: string }>;
}

function networkFailure(error: unknown, beforeAnswer: boolean): NetworkFailure {
  // The socket error itself, or as the cause of undici's own; "localhost" may try several addresses.
  const cause = ((error as { cause?: ErrorWords }).cause ?? error) as ErrorWords;
  const code = cause?.code ?? cause?.errors?.find((e) => e.code)?.code;
  const detail = cause?.message || cause?.errors?.map((e) => e.message).join('; ') || (error instanceof Error ? error.message : String(error));
  return { code, detail, beforeAnswer };
}

const connectionLost = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** Refused or reset before any answer: the subgraph did not answer this request, so a query may be sent again. */
function isRetryable(failure: NetworkFailure): boolean {
  return failure.beforeAnswer && failure.code !== undefined && connectionLost.has(failure.code);
}

const reasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection closed',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name not found',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'host unreachable',
};

/** What a client is told: the kind of failure, never the host, port or path in the error's own words. */
function clientReason(failure: NetworkFailure, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${timeoutMs} ms`;
  const reason = (failure.code && reasons[failure.code]) || 'network error';
  return failure.beforeAnswer ? reason : `${reason} during the answer`;
}

// The body was read inside the timeout; the gateway then reads it from memory.
function bufferedResponse(url: string, status: number, rawHeaders: Record<string, string | string[] | undefined>, body: Buffer): FetcherResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(rawHeaders)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  const text = () => body.toString('utf8');
  const copy = (): FetcherResponse => ({
    bodyUsed: false,
    url,
    redirected: false,
    status,
    ok: status >= 200 && status < 300,
    statusText: '',
    headers,
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    text: async () => text(),
    json: async () => JSON.parse(text()),
    clone: copy,
  });
  return copy();
}

export interface SubgraphHealth {
  name: string;
  status: 'ready' | 'unavailable';
  /** How it was checked: its `/health/ready` endpoint, or a `{ __typename }` query to its GraphQL URL. */
  checkedWith: 'health endpoint' | 'typename query';
  /** Why it is unavailable, in plain words (no host, port or path). */
  reason?: string;
  /** The URL and the error's own words: for the log, never for a response. */
  detail?: { url: string; error: string };
}

/** The `/health/ready` endpoint next to a `.../graphql` URL; undefined when the URL does not end in /graphql. */
export function healthUrlOf(graphqlUrl: string): string | undefined {
  const url = new URL(graphqlUrl);
  if (!/\/graphql\/?$/.test(url.pathname)) return undefined;
  url.pathname = url.pathname.replace(/\/graphql\/?$/, '/health/ready');
  url.search = '';
  return url.toString();
}

/**
 * Whether a subgraph is ready: its own `/health/ready` when it has one (2xx ready; 503 not ready; an open endpoint,
 * probed unsigned), otherwise whether it answers `{ __typename }` at its GraphQL URL (signed, as an anonymous caller).
 * Probes do not go through the circuit breaker: they say how the subgraph is now.
 */
export async function checkSubgraphHealth(name: string, graphqlUrl: string, agent: Agent, timeoutMs: number, signingSecret: string): Promise<SubgraphHealth> {
  const unavailable = (checkedWith: SubgraphHealth['checkedWith'], reason: string, url: string, error: string): SubgraphHealth => ({
    name,
    status: 'unavailable',
    checkedWith,
    reason,
    detail: { url, error },
  });
  const healthUrl = healthUrlOf(graphqlUrl);
  if (healthUrl) {
    const deadline = AbortSignal.timeout(timeoutMs);
    const exchange = await sendAndRead(healthUrl, { method: 'GET', headers: { accept: 'application/json' } }, agent, deadline);
    if ('failure' in exchange)
      return unavailable('health endpoint', clientReason(exchange.failure, deadline.aborted, timeoutMs), healthUrl, exchange.failure.detail);
    const { status } = exchange.response;
    if (status >= 200 && status < 300) return { name, status: 'ready', checkedWith: 'health endpoint' };
    if (status === 503) return unavailable('health endpoint', 'not ready (HTTP 503)', healthUrl, (await exchange.response.text()).slice(0, 200));
    // Anything else (404 and the like): it has no such endpoint; ask the GraphQL endpoint instead.
  }
  const answer = await anonymousQuery(name, graphqlUrl, 'query __ApolloServiceHealthCheck__ { __typename }', agent, timeoutMs, signingSecret);
  if ('reason' in answer) return unavailable('typename query', answer.reason, graphqlUrl, answer.detail);
  if (answer.ok && typeof answer.data?.__typename === 'string') return { name, status: 'ready', checkedWith: 'typename query' };
  return unavailable('typename query', `HTTP ${answer.status}`, graphqlUrl, answer.text.slice(0, 200));
}

/**
 * The SDL a subgraph serves (`_service { sdl }`), asked like @apollo/gateway's own calls: signed, with no caller.
 * Throws with the reason when it does not answer one.
 */
export async function fetchServiceSdl(name: string, graphqlUrl: string, agent: Agent, timeoutMs: number, signingSecret: string): Promise<string> {
  const answer = await anonymousQuery(name, graphqlUrl, 'query __ApolloGetServiceDefinition__ { _service { sdl } }', agent, timeoutMs, signingSecret);
  if ('reason' in answer) throw new Error(answer.reason);
  const sdl = (answer.data?._service as { sdl?: unknown } | undefined)?.sdl;
  if (answer.ok && typeof sdl === 'string') return sdl;
  throw new Error(`HTTP ${answer.status}: ${answer.text.slice(0, 200)}`);
}

/**
 * Sends `query` to a subgraph signed for no caller (as @apollo/gateway's own health and schema calls are) and reads
 * the answer within `timeoutMs`: its status, text and `data` (undefined when the body is not GraphQL JSON), or why
 * no answer came (`reason` for clients, `detail` for the log).
 */
async function anonymousQuery(
  name: string,
  graphqlUrl: string,
  query: string,
  agent: Agent,
  timeoutMs: number,
  signingSecret: string,
): Promise<{ ok: boolean; status: number; text: string; data: Record<string, unknown> | undefined } | { reason: string; detail: string }> {
  const body = JSON.stringify({ query });
  const deadline = AbortSignal.timeout(timeoutMs);
  const exchange = await sendAndRead(
    graphqlUrl,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...signRequest(signingSecret, null, body, Date.now(), name) },
      body,
    },
    agent,
    deadline,
  );
  if ('failure' in exchange) return { reason: clientReason(exchange.failure, deadline.aborted, timeoutMs), detail: exchange.failure.detail };
  const text = await exchange.response.text();
  let data: Record<string, unknown> | undefined;
  try {
    data = (JSON.parse(text) as { data?: Record<string, unknown> }).data;
  } catch {
    data = undefined;
  }
  return { ok: exchange.response.ok, status: exchange.response.status, text, data };
}
