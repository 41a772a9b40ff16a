/**
 * OpenTelemetry traces across the federation: the real services as processes (`npm start`'s supervisor, so each
 * process is one service with its own service.name) send their spans over OTLP/HTTP to a receiver in this test. One
 * client request must come back as one trace: the gateway's server, plan and fetch spans, each subgraph's server and
 * GraphQL spans under the gateway's fetch, and (on MySQL) the SQL statements under the subgraph's operation. The trace
 * id reaches the errors' extensions and the log lines, and a reference check between subgraphs continues the trace.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { gatewayConfigFromEnv, issueToken, localSigningKey } from '@partnership/gateway';
import { signRequest } from '@partnership/request-signing';
import { createScratchMysqlDatabase, mysqlTestUrl, type ScratchDatabase } from '@partnership/subgraph-kit/testing';
import { repoRoot, serviceNames, sleep, startSupervisor, type StartedSupervisor } from './processes';

const SERVER = 2;
const CLIENT = 3;
const HTTP_SCOPE = '@opentelemetry/instrumentation-http';
const UNDICI_SCOPE = '@opentelemetry/instrumentation-undici';
const GRAPHQL_SCOPE = '@opentelemetry/instrumentation-graphql';
const MYSQL_SCOPE = '@opentelemetry/instrumentation-mysql2';
const SUBGRAPHS = serviceNames().filter((name) => name !== 'gateway');

interface ReceivedSpan {
  service: string;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpAttributes = Array<{ key: string; value: OtlpValue }>;

function attributes(list: OtlpAttributes | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (list ?? []).map(({ key, value }) => [
      key,
      value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue)) ?? value.boolValue ?? value.doubleValue,
    ]),
  );
}

/** An OTLP/HTTP JSON receiver (POST /v1/traces) on a free port, keeping every span it is sent. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  requests = 0;
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.requests += 1;
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const body = JSON.parse((request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(attributes(resourceSpans.resource?.attributes)['service.name']);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            this.spans.push({
              service,
              scope: scopeSpans.scope?.name ?? '',
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              kind: span.kind,
              attributes: attributes(span.attributes),
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }
}

/** The span's ancestors in its trace, nearest first; stops where a parent has not (yet) arrived. */
function ancestors(span: ReceivedSpan, trace: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const found: ReceivedSpan[] = [];
  for (let parent = span.parentSpanId && byId.get(span.parentSpanId); parent; parent = parent.parentSpanId && byId.get(parent.parentSpanId)) found.push(parent);
  return found;
}

/** Whether every span of the trace but one (its root) has its parent in the trace. */
function complete(trace: ReceivedSpan[]): boolean {
  const ids = new Set(trace.map((s) => s.spanId));
  return trace.filter((s) => s.parentSpanId === undefined || !ids.has(s.parentSpanId)).length === 1;
}

/** Polls until `ready` holds (the processes export every 200 ms), or fails with what arrived after `timeoutMs`. */
async function waitFor(what: string, ready: () => boolean, spans: () => ReceivedSpan[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) {
      const seen = spans().map((s) => `${s.service} ${s.scope} ${s.name}`);
      throw new Error(`${what}: not received within ${timeoutMs} ms; the trace holds:\n${seen.join('\n')}`);
    }
    await sleep(100);
  }
}

const isServer = (service: string) => (s: ReceivedSpan) => s.service === service && s.scope === HTTP_SCOPE && s.kind === SERVER;
const isGatewayFetch = (subgraph: string) => (s: ReceivedSpan) => s.service === 'gateway' && s.name === 'gateway.fetch' && s.attributes.service === subgraph;

// Crosses the three subgraphs: the agreement (agreements), its parties' institutions and people (institutions), its
// programmes (training). email is for signed-in callers: the anonymous request gets an UNAUTHENTICATED error for it.
const TRACED = `query Traced { person(id: "celine-poulet") { fullName email } agreement(id: "protocol-surgical-cooperation") { title
  parties { institution { name } representative { fullName } } trainingPrograms { title progress { enrolled } } } }`;
// Refused by its estimated cost (see hostile-queries.e2e.ts), which the gateway logs with the request id.
const TOO_COSTLY = `{ institution(id: "gustave-roussy") { agreements { parties { institution { agreements { parties { institution { name } } } } } } } }`;

describe('OpenTelemetry traces across the federation', () => {
  const receiver = new OtlpReceiver();
  const databases: ScratchDatabase[] = [];
  let started: StartedSupervisor | undefined;
  let gateway: string;

  const ask = async (query: string, headers: Record<string, string> = {}) => {
    const response = await fetch(gateway, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions: Record<string, any> }> } };
  };
  /** The JSON log lines `service` wrote (the supervisor prefixes each with its name) with this request id, once there is one. */
  const logLinesOf = async (service: string, requestId: string): Promise<Array<Record<string, unknown>>> => {
    const prefix = `[${service}] {`;
    const lines = () =>
      started!.supervisor.output
        .split('\n')
        .filter((line) => line.startsWith(prefix))
        .map((line) => JSON.parse(line.slice(prefix.length - 1)) as Record<string, unknown>)
        .filter((line) => line.requestId === requestId);
    await waitFor(
      `a log line of ${service} for request ${requestId}`,
      () => lines().length > 0,
      () => [],
    );
    return lines();
  };
  /** The gateway's server spans for POST /graphql received so far: one per client request. */
  const gatewayRequests = () => receiver.spans.filter((s) => isServer('gateway')(s) && s.attributes['http.route'] === '/graphql');
  /** The one trace a client request made: its gateway server span arrived since `before` requests. */
  const traceOfRequest = async (before: number): Promise<string> => {
    await waitFor(
      'the gateway server span of the request',
      () => gatewayRequests().length > before,
      () => receiver.spans,
    );
    const added = gatewayRequests().slice(before);
    expect(added).toHaveLength(1);
    return added[0].traceId;
  };

  beforeAll(async () => {
    const endpoint = await receiver.start();
    if (mysqlTestUrl) for (const name of SUBGRAPHS) databases.push(await createScratchMysqlDatabase(`tracing_${name}`));
    else process.stdout.write('tracing.e2e: MYSQL_TEST_URL is not set: the subgraphs run on SQLite, which has no SQL spans; that check is skipped\n');
    // OTEL_* of the environment running the tests stay out: the services must name themselves.
    const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_')));
    started = await startSupervisor(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_BSP_SCHEDULE_DELAY: '200',
        LOG_LEVEL: 'info',
        ...Object.fromEntries(databases.map((database, i) => [`${SUBGRAPHS[i].toUpperCase()}_DATABASE_URL`, database.url])),
      },
      { baseEnv, dataDirPrefix: 'tracing-' },
    );
    await started.supervisor.waitFor(/\[start\] the federation is ready/, 90_000);
    gateway = `http://127.0.0.1:${started.ports.gateway}/graphql`;
  }, 120_000);

  afterAll(async () => {
    started?.cleanup();
    await receiver.stop();
    for (const database of databases) await database.drop();
  });

  test('one client request is one trace: gateway request, plan and fetches, each subgraph operation under its fetch, SQL under the operation', async () => {
    const before = gatewayRequests().length;
    const { status, body } = await ask(TRACED);
    expect(status).toBe(200);
    expect(body.data.agreement.parties.length).toBeGreaterThan(0);
    expect(body.data.agreement.trainingPrograms.length).toBeGreaterThan(0);
    const traceId = await traceOfRequest(before);
    // The error a user would report names the trace.
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', traceId });

    const trace = () => receiver.trace(traceId);
    const has = (predicate: (s: ReceivedSpan) => boolean) => trace().some(predicate);
    await waitFor(
      'the whole trace',
      () =>
        has((s) => s.name === 'gateway.plan') &&
        SUBGRAPHS.every((name) => has(isGatewayFetch(name)) && has(isServer(name)) && has((s) => s.service === name && s.scope === GRAPHQL_SCOPE)) &&
        (!mysqlTestUrl || SUBGRAPHS.every((name) => has((s) => s.service === name && s.scope === MYSQL_SCOPE))) &&
        complete(trace()),
      trace,
    );

    const spans = trace();
    const [root] = spans.filter((s) => s.parentSpanId === undefined);
    expect(root).toMatchObject({ service: 'gateway', scope: HTTP_SCOPE, kind: SERVER, name: 'POST /graphql' });
    const gatewayRequest = spans.find((s) => s.name === 'gateway.request')!;
    expect(ancestors(gatewayRequest, spans)).toContain(root);
    expect(ancestors(spans.find((s) => s.name === 'gateway.plan')!, spans)).toContain(gatewayRequest);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['gateway', ...SUBGRAPHS]));

    for (const name of SUBGRAPHS) {
      const fetches = spans.filter(isGatewayFetch(name));
      for (const fetch of fetches) expect(ancestors(fetch, spans)).toContain(gatewayRequest);
      for (const server of spans.filter(isServer(name))) {
        // The subgraph's request continues the gateway's client span, itself inside a fetch for this subgraph.
        const [client, ...above] = ancestors(server, spans);
        expect(client).toMatchObject({ service: 'gateway', scope: UNDICI_SCOPE, kind: CLIENT });
        expect(above.some((s) => fetches.includes(s))).toBe(true);
      }
      const operations = spans.filter((s) => s.service === name && s.scope === GRAPHQL_SCOPE);
      for (const operation of operations) expect(ancestors(operation, spans).some(isServer(name))).toBe(true);
      if (mysqlTestUrl) {
        const statements = spans.filter((s) => s.service === name && s.scope === MYSQL_SCOPE);
        for (const statement of statements) expect(ancestors(statement, spans).some((s) => operations.includes(s))).toBe(true);
        // Resolver batches: a loader's one query for many keys sits in a dataloader batch span.
        expect(statements.some((s) => ancestors(s, spans).some((a) => a.name.startsWith('dataloader.batch')))).toBe(true);
      }
    }
  });

  test("an error's traceId is its request's trace, and the request's log lines carry it beside the request id", async () => {
    const before = gatewayRequests().length;
    const requestId = `tracing-${randomBytes(6).toString('hex')}`;
    const { status, body } = await ask(TOO_COSTLY, { 'x-request-id': requestId });
    expect(status).toBe(400);
    const traceId = await traceOfRequest(before);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'cost', traceId });
    const logged = await logLinesOf('gateway', requestId);
    expect(logged.map((line) => line.msg)).toContain('operation refused');
    for (const line of logged) expect(line.trace_id).toBe(traceId);
  });

  test('a body that is not JSON is refused with its trace id too', async () => {
    const before = gatewayRequests().length;
    const response = await fetch(gateway, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_REQUEST', traceId: await traceOfRequest(before) });
  });

  test('a reference check from one subgraph to another continues the same trace', async () => {
    const dataDir = started!.dataDir;
    const { authentication } = gatewayConfigFromEnv({ DATA_DIR: dataDir });
    const token = await issueToken(
      { subject: 'uz-editor', partner: 'UZ', roles: ['editor'] },
      { key: localSigningKey(dataDir), issuer: authentication.issuer, audience: authentication.audience, ttlSeconds: 600 },
    );
    const before = gatewayRequests().length;
    // agreements asks institutions whether both parties exist; the second does not, so nothing is written.
    const { body } = await ask(
      `mutation { createAgreement(input: { title: "Traced agreement", kind: COOPERATION_AGREEMENT, areas: [ONCOLOGY],
        parties: [{ institutionId: "uz-ministry-of-health", role: "Uzbek party" }, { institutionId: "no-such-hospital" }] }) { agreement { id } } }`,
      { authorization: `Bearer ${token}` },
    );
    const traceId = await traceOfRequest(before);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.parties[1].institutionId', traceId });

    const trace = () => receiver.trace(traceId);
    const isCheck = (s: ReceivedSpan) => isServer('institutions')(s) && ancestors(s, trace()).some(isServer('agreements'));
    await waitFor('the reference check in the trace', () => trace().some(isCheck) && complete(trace()), trace);
    const spans = trace();
    const check = spans.find(isCheck)!;
    // institutions' server span is the child of agreements' client span (fetch), inside agreements' operation.
    const [client] = ancestors(check, spans);
    expect(client).toMatchObject({ service: 'agreements', scope: UNDICI_SCOPE, kind: CLIENT });
    expect(ancestors(client, spans).some((s) => s.service === 'agreements' && s.scope === GRAPHQL_SCOPE)).toBe(true);
    expect(ancestors(check, spans).some(isGatewayFetch('agreements'))).toBe(true);
  });

  test('a signed request keeps its signature with a traceparent added after signing; a tampered one is still refused', async () => {
    const institutions = `http://127.0.0.1:${started!.ports.institutions}/graphql`;
    const secret = process.env.GATEWAY_SIGNING_SECRET!;
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const traceparent = `00-${traceId}-${parentId}-01`;
    const body = JSON.stringify({ query: '{ institution(id: "gustave-roussy") { name } }' });
    const requestId = `tracing-${randomBytes(6).toString('hex')}`;
    const send = (sent: string, signed: Record<string, string>) =>
      fetch(institutions, { method: 'POST', headers: { 'content-type': 'application/json', ...signed, traceparent, 'x-request-id': requestId }, body: sent });

    const accepted = await send(body, signRequest(secret, null, body, Date.now(), 'institutions'));
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ data: { institution: { name: 'Gustave Roussy' } } });
    await waitFor(
      'the subgraph span',
      () => receiver.trace(traceId).some(isServer('institutions')),
      () => receiver.trace(traceId),
    );
    expect(receiver.trace(traceId).find(isServer('institutions'))!.parentSpanId).toBe(parentId);

    const tampered = await send(body.replace('gustave-roussy', 'paul-strauss-center'), signRequest(secret, null, body, Date.now(), 'institutions'));
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { errors: Array<{ message: string }> }).errors[0].message).toBe('Unauthorized: bad signature');
    // The subgraph's log line of the refusal names the trace, beside the request id.
    const [refusal] = await logLinesOf('institutions', requestId);
    expect(refusal).toMatchObject({ msg: 'refused request without a valid gateway signature', trace_id: traceId });
  });
});

describe('without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  /** Starts tracing in a process of its own (this one's module registry is jest's): whether it is on, and which SDK modules it loaded. */
  const probe = (otel: Record<string, string>): { on: boolean; sdk: string[] } => {
    const script = `
      require('./packages/service-runtime/dist/src/index.js').startTracing('probe').then((on) => {
        const sdk = Object.keys(require.cache).filter((file) => /@opentelemetry[\\\\/](sdk-|exporter-|instrumentation)/.test(file));
        process.stdout.write(JSON.stringify({ on, sdk }));
        process.exit(0);
      });`;
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('OTEL_'))), ...otel };
    const run = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot, env, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    return JSON.parse(run.stdout);
  };

  test('starting tracing loads nothing of the SDK, so nothing can be sent', () => {
    expect(probe({})).toEqual({ on: false, sdk: [] });
    // The same probe sees the SDK when an endpoint is set (nothing is traced here, so nothing is sent to it).
    const on = probe({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(on.on).toBe(true);
    expect(on.sdk.length).toBeGreaterThan(0);
  });
});
