import { AsyncLocalStorage } from 'node:async_hooks';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { signRequest, type Caller } from '@partnership/request-signing';
import { GraphQLError } from 'graphql';
import { Agent, fetch, type Response } from 'undici';
import { requestIdHeader } from './request-id';

export type Fetcher = NonNullable<RemoteGraphQLDataSource['fetcher']>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

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
const subgraphCallScope = new AsyncLocalStorage<{ caller: Caller | null }>();

/**
 * A subgraph's data source: forwards the request id, and hands the caller of the incoming request to the fetcher,
 * which signs what it sends. Calls with no incoming request (@apollo/gateway's health checks) are anonymous.
 */
export class SignedSubgraphDataSource extends RemoteGraphQLDataSource<Partial<SubgraphCallContext>> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Partial<SubgraphCallContext>>): void {
    if (context.requestId) request.http?.headers.set(requestIdHeader, context.requestId);
  }

  override process(options: GraphQLDataSourceProcessOptions<Partial<SubgraphCallContext>>) {
    return subgraphCallScope.run({ caller: options.context.caller ?? null }, () => super.process(options));
  }
}

/**
 * The fetcher of one subgraph's data source: signs each request (the caller, a timestamp, a nonce and the exact
 * body bytes sent, see @partnership/request-signing), keeps connections alive through `agent`, and aborts the whole
 * exchange (connect, send, read the body) after `timeoutMs`. A timeout or a network failure becomes an error
 * naming the subgraph; HTTP answers of any status pass through unchanged for @apollo/gateway to judge.
 */
export function createSubgraphFetcher(subgraphName: string, agent: Agent, timeoutMs: number, signingSecret: string): Fetcher {
  return async (url, init) => {
    // The exact bytes that are signed are the bytes sent.
    const body = typeof init?.body === 'string' ? Buffer.from(init.body, 'utf8') : (init?.body ?? Buffer.alloc(0));
    const caller = subgraphCallScope.getStore()?.caller ?? null;
    const headers = { ...withoutGatewayHeaders(init?.headers), ...signRequest(signingSecret, caller, body, Date.now(), subgraphName) };
    const exchange = await timedExchange(url, { method: init?.method, headers, body, signal: init?.signal }, agent, timeoutMs);
    if ('failure' in exchange) throw subgraphRequestError(subgraphName, exchange.failure);
    return exchange.response;
  };
}

/** Headers without any `x-gateway-*`: only the signer writes those. */
function withoutGatewayHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !name.toLowerCase().startsWith('x-gateway-')));
}

// Same shape as Apollo Router's errors for a failed subgraph request, so clients can tell "that part is missing".
function subgraphRequestError(subgraphName: string, reason: string): GraphQLError {
  return new GraphQLError(`HTTP fetch failed from '${subgraphName}': ${reason}`, {
    extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: subgraphName, reason },
  });
}

interface ExchangeInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/** Sends a request and reads its whole body within `timeoutMs`; never throws. */
async function timedExchange(
  url: string,
  init: ExchangeInit,
  agent: Agent,
  timeoutMs: number,
): Promise<{ response: FetcherResponse } | { failure: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const signal = init.signal ? AbortSignal.any([controller.signal, init.signal]) : controller.signal;
  try {
    const response = await fetch(url, { method: init.method, headers: init.headers, body: init.body, signal, dispatcher: agent });
    const body = Buffer.from(await response.arrayBuffer());
    return { response: bufferedResponse(response, body) };
  } catch (error) {
    if (controller.signal.aborted) return { failure: `no answer within ${timeoutMs} ms` };
    return { failure: describeNetworkError(error) };
  } finally {
    clearTimeout(timer);
  }
}

function describeNetworkError(error: unknown): string {
  // undici reports "fetch failed" with the socket error as its cause; "localhost" may try several addresses.
  const cause = (error as { cause?: { code?: string; message?: string; errors?: Array<{ message?: string }> } }).cause;
  if (cause?.message) return cause.message;
  const attempts = cause?.errors?.map((e) => e.message).filter(Boolean) ?? [];
  if (attempts.length > 0) return attempts.join('; ');
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}

// The body was read inside the timeout; the gateway then reads it from memory.
function bufferedResponse(response: Response, body: Buffer): FetcherResponse {
  const text = () => body.toString('utf8');
  const copy = (): FetcherResponse => ({
    bodyUsed: false,
    url: response.url,
    redirected: response.redirected,
    status: response.status,
    ok: response.ok,
    statusText: response.statusText,
    headers: response.headers,
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    text: async () => text(),
    json: async () => JSON.parse(text()),
    clone: copy,
  });
  return copy();
}

export interface SubgraphHealth {
  name: string;
  url: string;
  status: 'ready' | 'unavailable';
  /** How it was checked: its `/health/ready` endpoint, or a `{ __typename }` query to its GraphQL URL. */
  checkedWith: 'health endpoint' | 'typename query';
  reason?: string;
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
 */
export async function checkSubgraphHealth(name: string, graphqlUrl: string, agent: Agent, timeoutMs: number, signingSecret: string): Promise<SubgraphHealth> {
  const healthUrl = healthUrlOf(graphqlUrl);
  if (healthUrl) {
    const exchange = await timedExchange(healthUrl, { method: 'GET', headers: { accept: 'application/json' } }, agent, timeoutMs);
    if ('failure' in exchange) return { name, url: graphqlUrl, status: 'unavailable', checkedWith: 'health endpoint', reason: exchange.failure };
    const { status } = exchange.response;
    if (status >= 200 && status < 300) return { name, url: graphqlUrl, status: 'ready', checkedWith: 'health endpoint' };
    if (status === 503) {
      const body = await exchange.response.text();
      return { name, url: graphqlUrl, status: 'unavailable', checkedWith: 'health endpoint', reason: `503 from ${healthUrl}: ${body.slice(0, 200)}` };
    }
    // Anything else (404 and the like): it has no such endpoint; ask the GraphQL endpoint instead.
  }
  const body = JSON.stringify({ query: 'query __ApolloServiceHealthCheck__ { __typename }' });
  const exchange = await timedExchange(
    graphqlUrl,
    { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...signRequest(signingSecret, null, body, Date.now(), name) }, body },
    agent,
    timeoutMs,
  );
  if ('failure' in exchange) return { name, url: graphqlUrl, status: 'unavailable', checkedWith: 'typename query', reason: exchange.failure };
  const text = await exchange.response.text();
  let typename: unknown;
  try {
    typename = (JSON.parse(text) as { data?: { __typename?: unknown } }).data?.__typename;
  } catch {
    typename = undefined;
  }
  if (exchange.response.ok && typeof typename === 'string') return { name, url: graphqlUrl, status: 'ready', checkedWith: 'typename query' };
  return { name, url: graphqlUrl, status: 'unavailable', checkedWith: 'typename query', reason: `HTTP ${exchange.response.status}: ${text.slice(0, 200)}` };
}
