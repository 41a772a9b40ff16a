/**
 * The gateway under hostile queries, outages and restarts (issue 8), against the real federation: a subgraph that
 * hangs, connections reset under a query and under a mutation, errors that must not name internal hosts, readiness,
 * production defaults, client mistakes, and rate limits.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, type Gateway, type GatewayConfig, gatewayConfigFromEnv, localSigningKey } from '@partnership/gateway';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import { SignJWT } from 'jose';
import { bootFederation, registeredSubgraphNames, type Federation } from './federation';

const sqlite = scratchTargets.find((t) => t.label === 'SQLite')!;
const redisUrl = process.env.REDIS_TEST_URL || undefined;
const testWithRedis = redisUrl ? test : test.skip;
// Anything that would tell a client where the subgraphs run.
const internals = /127\.0\.0\.1|localhost|:\d{4,5}\b|https?:\/\/|ECONN|\/tmp\/|\.graphql\b/;

interface Answer {
  status: number;
  headers: Headers;
  elapsedMs: number;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'], elapsedMs: Date.now() - started };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * An HTTP proxy in front of a subgraph. `pass` forwards; `hang` accepts requests and never answers; `drop` forwards the
 * next `drops` requests and then resets the connection instead of passing the answer on (the subgraph did the work, the
 * gateway never hears of it); `error-page` answers 502 with an HTML page naming internal hosts. Records what reached
 * the subgraph.
 */
async function subgraphProxy(targetUrl: string) {
  const target = new URL(targetUrl);
  const state = { mode: 'pass' as 'pass' | 'hang' | 'drop' | 'error-page', drops: 0, forwarded: [] as Array<{ query: string; nonce: string }> };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (state.mode === 'hang') return;
      if (state.mode === 'error-page') {
        res
          .writeHead(502, { 'content-type': 'text/html' })
          .end('<h1>502 Bad Gateway</h1> upstream 10.0.3.7:5003 refused (nginx, /etc/nginx/conf.d/training.conf)');
        return;
      }
      const body = Buffer.concat(chunks);
      if (req.method === 'POST')
        state.forwarded.push({ query: (JSON.parse(body.toString()) as { query: string }).query, nonce: String(req.headers['x-gateway-nonce']) });
      const drop = state.mode === 'drop' && state.drops > 0 && req.method === 'POST';
      if (drop) state.drops -= 1;
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        if (drop) {
          answer.resume();
          answer.on('end', () => req.socket.resetAndDestroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    state,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
type Proxy = Awaited<ReturnType<typeof subgraphProxy>>;

const trainingQuery = { query: '{ trainingProgram(id: "surgeons-100-by-2030") { title } }' };

/**
 * A federation on SQLite whose `subgraph` is reached through a proxy the test steers, booted before the enclosing
 * describe block's tests and stopped after them.
 */
function federationBehindProxy(subgraph: string, options: { gateway?: Partial<GatewayConfig> } = {}) {
  const env = {} as { federation: Federation; proxy: Proxy };
  beforeAll(async () => {
    env.federation = await bootFederation(sqlite, {
      gateway: options.gateway,
      routeTo: {
        [subgraph]: async (url: string) => {
          env.proxy = await subgraphProxy(url);
          return env.proxy.url;
        },
      },
    });
  });
  afterAll(async () => {
    env.proxy?.close();
    await env.federation?.stop();
  });
  return env;
}

describe('a subgraph that hangs: the circuit breaker', () => {
  const timeoutMs = 1000;
  const env = federationBehindProxy('training', {
    gateway: { subgraphTimeoutMs: timeoutMs, breaker: { errorThresholdPercent: 50, volumeThreshold: 3, windowMs: 60_000, resetMs: 1500 } },
  });

  test('the first requests cost the timeout, later ones fail at once (circuit open), and it heals when the subgraph answers', async () => {
    env.proxy.state.mode = 'hang';
    for (let i = 0; i < 3; i += 1) {
      const { status, body } = await post(env.federation.gatewayUrl, trainingQuery);
      expect([status, body.errors?.[0].extensions]).toEqual([
        200,
        { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'training', reason: `no answer within ${timeoutMs} ms` },
      ]);
    }
    const fast = await post(env.federation.gatewayUrl, trainingQuery);
    expect(fast.body).toEqual({
      data: { trainingProgram: null },
      errors: [
        {
          message: "HTTP fetch failed from 'training': the training subgraph is unavailable (circuit open)",
          extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'training', reason: 'the training subgraph is unavailable (circuit open)' },
        },
      ],
    });
    // Generous bound: the point is that it does not wait for the timeout.
    expect(fast.elapsedMs).toBeLessThan(timeoutMs / 2);
    // The other subgraphs are not affected.
    expect((await post(env.federation.gatewayUrl, { query: '{ institution(id: "paul-strauss-center") { name } }' })).body).toEqual({
      data: { institution: { name: 'Paul Strauss Center' } },
    });

    env.proxy.state.mode = 'pass';
    const deadline = Date.now() + 10_000;
    let healed: Answer;
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      healed = await post(env.federation.gatewayUrl, trainingQuery);
    } while (healed.body.errors && Date.now() < deadline);
    expect(healed.body).toEqual({ data: { trainingProgram: { title: expect.stringMatching(/100 Uzbek surgeons/) } } });
    expect((await post(env.federation.gatewayUrl, trainingQuery)).body.errors).toBeUndefined();
  }, 30_000);
});

describe('a connection reset before the answer', () => {
  const env = federationBehindProxy('institutions');

  test('a query is sent once more, signed anew, and succeeds', async () => {
    env.proxy.state.forwarded.length = 0;
    Object.assign(env.proxy.state, { mode: 'drop', drops: 1 });
    const { status, body } = await post(env.federation.gatewayUrl, { query: '{ institution(id: "paul-strauss-center") { name } }' });
    expect([status, body]).toEqual([200, { data: { institution: { name: 'Paul Strauss Center' } } }]);
    expect(env.proxy.state.forwarded).toHaveLength(2);
    expect(env.proxy.state.forwarded[0].query).toBe(env.proxy.state.forwarded[1].query);
    // A new signature: the subgraph refuses a nonce it has seen.
    expect(env.proxy.state.forwarded[0].nonce).not.toBe(env.proxy.state.forwarded[1].nonce);
  });

  test('a mutation is never sent twice: the client gets an error, the subgraph ran it once', async () => {
    const token = await env.federation.token({ subject: 'francoise', partner: 'FR', roles: ['editor'] });
    env.proxy.state.forwarded.length = 0;
    Object.assign(env.proxy.state, { mode: 'drop', drops: 1 });
    const mutation = `mutation { createInstitution(input: { id: "lyon-heart-institute", name: "Lyon Heart Institute", kind: HOSPITAL, country: FR,
      city: "Lyon", specialties: [CARDIOLOGY] }) { institution { id version } } }`;
    const { status, body } = await post(env.federation.gatewayUrl, { query: mutation }, bearer(token));
    expect(status).toBe(200);
    expect(body.errors?.[0].extensions).toEqual({ code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'institutions', reason: 'connection reset' });
    expect(env.proxy.state.forwarded.map((f) => f.query.trimStart().slice(0, 8))).toEqual(['mutation']);
    Object.assign(env.proxy.state, { mode: 'pass' });
    expect((await post(env.federation.gatewayUrl, { query: '{ institution(id: "lyon-heart-institute") { name version } }' })).body).toEqual({
      data: { institution: { name: 'Lyon Heart Institute', version: 1 } },
    });
  });
});

describe('errors and health say nothing of where the subgraphs run', () => {
  const env = federationBehindProxy('training');

  test('an error page from a proxy in front of a subgraph: the status only', async () => {
    env.proxy.state.mode = 'error-page';
    const { body } = await post(env.federation.gatewayUrl, trainingQuery);
    expect(body.errors).toEqual([
      { message: "HTTP fetch failed from 'training': HTTP 502", extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'training', reason: 'HTTP 502' } },
    ]);
    expect(JSON.stringify(body)).not.toMatch(/10\.0\.3\.7|nginx/);
    env.proxy.state.mode = 'pass';
  });

  test('readiness: the verdict for anyone, the detail (no URL or path) for an admin only', async () => {
    const base = env.federation.gatewayUrl.replace(/\/graphql$/, '');
    const ready = await fetch(`${base}/health/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    const viewer = await env.federation.token({ subject: 'vera', partner: 'UZ', roles: ['viewer'] });
    expect(await (await fetch(`${base}/health/ready`, { headers: bearer(viewer) })).json()).toEqual({ status: 'ready' });

    await env.federation.subgraphs.agreements.stop();
    const down = await fetch(`${base}/health/ready`);
    expect([down.status, await down.json()]).toEqual([503, { status: 'unavailable' }]);
    const admin = await env.federation.token({ subject: 'root', partner: 'FR', roles: ['admin'] });
    const detail = await (await fetch(`${base}/health/ready`, { headers: bearer(admin) })).text();
    expect(JSON.parse(detail)).toEqual({
      status: 'unavailable',
      service: 'gateway',
      supergraph: { id: expect.stringMatching(/^[0-9a-f]{64}$/) },
      rollout: null,
      // Every registered subgraph, by name (a scaffolded one too); only agreements is down.
      subgraphs: registeredSubgraphNames()
        .sort()
        .map((name) =>
          name === 'agreements'
            ? { name, status: 'unavailable', checkedWith: 'health endpoint', reason: 'connection refused', breaker: 'closed' }
            : { name, status: 'ready', checkedWith: 'health endpoint', breaker: 'closed' },
        ),
    });
    expect(detail).not.toMatch(internals);

    // The outage itself: "connection refused", no address.
    const { body } = await post(env.federation.gatewayUrl, { query: '{ agreement(id: "gustave-roussy-licensing") { title } }' });
    expect(body.errors).toEqual([
      {
        message: "HTTP fetch failed from 'agreements': connection refused",
        extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'agreements', reason: 'connection refused' },
      },
    ]);
    expect(JSON.stringify(body)).not.toMatch(internals);
  });
});

describe('production defaults, client mistakes and rate limits', () => {
  let federation: Federation;
  const perMinute = 40;
  beforeAll(async () => {
    federation = await bootFederation(sqlite, {
      gateway: {
        introspection: gatewayConfigFromEnv({ NODE_ENV: 'production' }).introspection,
        rateLimit: { perMinute, keyPrefix: `e2e-${randomUUID()}` },
      },
    });
  });
  afterAll(async () => {
    await federation?.stop();
  });

  test('NODE_ENV=production: no introspection, no "Did you mean" suggestions', async () => {
    const introspection = await post(federation.gatewayUrl, { query: '{ __schema { queryType { name } } }' });
    expect([introspection.status, introspection.body.errors?.[0].extensions?.code]).toEqual([403, 'FORBIDDEN']);
    const typo = await post(federation.gatewayUrl, { query: '{ institution(id: "gustave-roussy") { nme } }' });
    expect([typo.status, typo.body.errors?.[0].message]).toEqual([400, 'Cannot query field "nme" on type "Institution".']);
  });

  test('a token valid until 1e300: 401 UNAUTHENTICATED', async () => {
    const key = localSigningKey(federation.dataDir);
    const config = gatewayConfigFromEnv({ DATA_DIR: federation.dataDir }).authentication;
    const token = await new SignJWT({ sub: 'mallory', partner: 'FR', roles: ['admin'], exp: 1e300 })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid })
      .setIssuer(config.issuer)
      .setAudience(config.audience)
      .setIssuedAt()
      .sign(key.privateKey);
    const { status, body } = await post(federation.gatewayUrl, { query: '{ institutions(first: 1) { totalCount } }' }, bearer(token));
    expect([status, body.errors?.[0].extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  test.each([
    ['an unknown operationName', { query: 'query A { events { id } }', operationName: 'B' }, 'OPERATION_RESOLUTION_FAILURE'],
    ['two operations and no operationName', { query: 'query A { events { id } } query B { events { id } }' }, 'OPERATION_RESOLUTION_FAILURE'],
    ['two unnamed operations', { query: '{ events { id } } { events { id } }' }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a subscription', { query: 'subscription { events { id } }' }, 'BAD_REQUEST'],
    ['a persisted query of another version', { extensions: { persistedQuery: { version: 3, sha256Hash: 'a'.repeat(64) } } }, 'BAD_REQUEST'],
    [
      'a persisted query with the wrong hash',
      { query: '{ events { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } },
      'BAD_REQUEST',
    ],
  ])('%s: HTTP 400 with a code', async (_name, body, code) => {
    const answer = await post(federation.gatewayUrl, body);
    expect([answer.status, answer.body.errors?.[0].extensions?.code]).toEqual([400, code]);
  });

  test('an unknown persisted-query hash: PERSISTED_QUERY_NOT_FOUND, not a 500', async () => {
    const answer = await post(federation.gatewayUrl, { extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } });
    expect([answer.status, answer.body.errors?.[0].extensions?.code]).toEqual([200, 'PERSISTED_QUERY_NOT_FOUND']);
  });

  test('a client over its budget: 429 with Retry-After; health and the explorer still answer', async () => {
    const base = federation.gatewayUrl.replace(/\/graphql$/, '');
    const token = bearer(await federation.token({ subject: `flood-${randomUUID()}`, partner: 'UZ', roles: ['viewer'] }));
    const statuses: number[] = [];
    for (let i = 0; i < perMinute + 5; i += 1) statuses.push((await post(federation.gatewayUrl, { query: '{ events { id } }' }, token)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(perMinute);
    const limited = await post(federation.gatewayUrl, { query: '{ events { id } }' }, token);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.errors?.[0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: Number(limited.headers.get('retry-after')) });
    for (const path of ['/health/live', '/health/ready', '/']) expect((await fetch(`${base}${path}`, { headers: { accept: 'text/html' } })).status).toBe(200);
  }, 30_000);

  testWithRedis(
    `two gateway replicas sharing Redis share one budget${redisUrl ? '' : ' (skipped: REDIS_TEST_URL not set)'}`,
    async () => {
      const token = bearer(await federation.token({ subject: `flood-${randomUUID()}`, partner: 'UZ', roles: ['viewer'] }));
      const shared = { perMinute: 3, redisUrl, keyPrefix: `e2e-${randomUUID()}` };
      const replicas: Gateway[] = [];
      try {
        for (let i = 0; i < 2; i += 1) {
          const replica = await createGateway({
            ...gatewayConfigFromEnv({ DATA_DIR: federation.dataDir, LOG_LEVEL: process.env.LOG_LEVEL }),
            subgraphUrlOverride: (name) => federation.urls[name as keyof Federation['urls']],
            rateLimit: shared,
          });
          await replica.listen(0);
          replicas.push(replica);
        }
        const asked = [];
        for (const replica of [...replicas, ...replicas]) asked.push((await post(replica.url, { query: '{ events { id } }' }, token)).status);
        expect(asked).toEqual([200, 200, 200, 429]);
      } finally {
        for (const replica of replicas) await replica.stop();
      }
    },
    30_000,
  );
});
