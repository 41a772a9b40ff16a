/**
 * Replicas behind a real load balancer (issue 11): HAProxy (Debian's package, run with the committed
 * deploy/haproxy/haproxy.cfg) in front of two gateway processes and of two institutions processes, the built services
 * (`tsc -b` output). Both gateways share Redis; both institutions processes share one MySQL database. A rate limit, a
 * cache invalidation and a replay refusal each hold across replicas, and SIGKILL to one replica of each under load
 * loses no query and no keyed create.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueToken, localSigningKey } from '@partnership/gateway';
import { signRequest, type Caller } from '@partnership/request-signing';
import { createScratchMysqlDatabase, mysqlTestUrl, type ScratchDatabase } from '@partnership/subgraph-kit/testing';
import { createConnection } from 'mysql2/promise';
import { freePorts, killAll, repoRoot, sleep, startCommand, startProcess, waitUntilReady, type ServiceProcess } from './processes';

const haproxyPath = '/usr/sbin/haproxy';
const haproxyConfig = join(repoRoot, 'deploy', 'haproxy', 'haproxy.cfg');
const redisUrl = process.env.REDIS_TEST_URL || undefined;
/** `describe`, or `describe.skip` naming what is missing. */
const describeIf = (missing: Array<string | false>) => {
  const reasons = missing.filter((reason): reason is string => typeof reason === 'string');
  return reasons.length === 0 ? describe : (name: string, fn: () => void) => describe.skip(`${name} (skipped: ${reasons.join('; ')})`, fn);
};
const noHaproxy = !existsSync(haproxyPath) && `${haproxyPath} not found: apt-get install -y haproxy`;
const describeWithHaproxy = describeIf([noHaproxy]);
const describeWithReplicas = describeIf([!mysqlTestUrl && 'MYSQL_TEST_URL not set', !redisUrl && 'REDIS_TEST_URL not set', noHaproxy]);

/** Requests per caller and minute, on both gateways. */
const LIMIT = 10;
const subgraphs = ['institutions', 'agreements', 'training'] as const;
const secret = process.env.GATEWAY_SIGNING_SECRET!;
const PAUL_STRAUSS = '{ institution(id: "paul-strauss-center") { name } }';
const CITY = 'query City { institution(id: "uz-ministry-of-health") { city version } }';
const UPDATE_CITY =
  'mutation ($v: Int!, $city: String!) { updateInstitution(input: { id: "uz-ministry-of-health", version: $v, city: $city }) { institution { city version } } }';
const ADD_PERSON =
  'mutation ($email: String!, $key: String) { addPerson(input: { institutionId: "uz-ministry-of-health", fullName: "Replica Witness", email: $email, idempotencyKey: $key }) { person { id } } }';

interface Answer {
  status: number;
  servedBy: string | null;
  age: string | null;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return {
    status: response.status,
    servedBy: response.headers.get('x-served-by'),
    age: response.headers.get('age'),
    body: (await response.json()) as Answer['body'],
  };
}

/** The status of a POST sent from `localAddress` (a loopback address other than 127.0.0.1: another client). */
function postFrom(localAddress: string, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' }, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** HAProxy's `show stat` over its stats socket: one row per frontend, backend and server, keyed `proxy/server`. */
function haproxyStats(socketPath: string): Promise<Record<string, Record<string, string>>> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(socketPath);
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('end', () => {
      const [header, ...rows] = text.trim().split('\n');
      const fields = header.replace(/^# /, '').split(',');
      const byName: Record<string, Record<string, string>> = {};
      for (const row of rows) {
        const values = row.split(',');
        const record = Object.fromEntries(fields.map((field, i) => [field, values[i]]));
        byName[`${record.pxname}/${record.svname}`] = record;
      }
      resolve(byName);
    });
    socket.end('show stat\n');
  });
}

type HaproxyPorts = Record<'GATEWAY_FRONTEND' | 'GATEWAY_1' | 'GATEWAY_2' | 'SUBGRAPH_FRONTEND' | 'SUBGRAPH_1' | 'SUBGRAPH_2', number>;

/** HAProxy in the foreground on the committed config, which reads these addresses (on this host) from its environment. */
function startHaproxy(ports: HaproxyPorts, statsSocket: string): ServiceProcess {
  const addresses = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `127.0.0.1:${port}`]));
  return startCommand('haproxy', haproxyPath, ['-f', haproxyConfig, '-db'], { ...addresses, HAPROXY_STATS_SOCKET: statsSocket });
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describeWithReplicas('replicas behind HAProxy, sharing Redis and MySQL', () => {
  // Made in beforeAll: a skipped describe block still runs its body.
  let dataDir: string;
  const statsSocket = () => join(dataDir, 'haproxy.sock');
  const databases: ScratchDatabase[] = [];
  const services: Record<string, ServiceProcess> = {};
  let ports: Record<'gateway1' | 'gateway2' | 'institutions1' | 'institutions2' | 'agreements' | 'training' | 'gatewayFront' | 'subgraphFront', number>;
  const url = (port: number) => `http://127.0.0.1:${port}/graphql`;
  const frontUrl = () => url(ports.gatewayFront);
  const stats = () => haproxyStats(statsSocket());
  const bearer = async (caller: Caller) => ({
    authorization: `Bearer ${await issueToken(caller, { key: localSigningKey(dataDir), issuer: 'uz-fr-health-graph-local', audience: 'uz-fr-health-graph', ttlSeconds: 600 })}`,
  });
  const countPeople = async (email: string) => {
    const connection = await createConnection(databases[0].url);
    try {
      const [rows] = await connection.query('SELECT COUNT(*) AS n FROM person WHERE email = ?', [email]);
      return Number((rows as Array<{ n: number }>)[0].n);
    } finally {
      await connection.end();
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'replicas-'));
    const free = await freePorts(8);
    ports = {
      gateway1: free[0],
      gateway2: free[1],
      institutions1: free[2],
      institutions2: free[3],
      agreements: free[4],
      training: free[5],
      gatewayFront: free[6],
      subgraphFront: free[7],
    };
    for (const name of subgraphs) databases.push(await createScratchMysqlDatabase(`replicas_${name}`));
    // Made before the gateways start, so that the two do not both create it.
    localSigningKey(dataDir);
    const common = {
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      GATEWAY_SIGNING_SECRET: secret,
      // The gateways and the other subgraphs reach institutions through the balancer.
      INSTITUTIONS_URL: url(ports.subgraphFront),
      AGREEMENTS_URL: url(ports.agreements),
      TRAINING_URL: url(ports.training),
    };
    const startSubgraph = (key: keyof typeof ports, name: (typeof subgraphs)[number], database: string) => {
      services[key] = startProcess(key, `subgraphs/${name}/dist/src/index.js`, { ...common, PORT: String(ports[key]), DATABASE_URL: database });
      return waitUntilReady(services[key], `http://127.0.0.1:${ports[key]}/health/ready`, 90_000);
    };
    // The first institutions process applies the migrations and loads the reference data; the second finds them done.
    await startSubgraph('institutions1', 'institutions', databases[0].url);
    await Promise.all([
      startSubgraph('institutions2', 'institutions', databases[0].url),
      startSubgraph('agreements', 'agreements', databases[1].url),
      startSubgraph('training', 'training', databases[2].url),
    ]);
    services.haproxy = startHaproxy(
      {
        GATEWAY_FRONTEND: ports.gatewayFront,
        GATEWAY_1: ports.gateway1,
        GATEWAY_2: ports.gateway2,
        SUBGRAPH_FRONTEND: ports.subgraphFront,
        SUBGRAPH_1: ports.institutions1,
        SUBGRAPH_2: ports.institutions2,
      },
      statsSocket(),
    );
    await waitUntilReady(services.haproxy, `http://127.0.0.1:${ports.subgraphFront}/health/ready`);
    const run = randomUUID();
    for (const key of ['gateway1', 'gateway2'] as const) {
      services[key] = startProcess(key, 'gateway/dist/src/index.js', {
        ...common,
        PORT: String(ports[key]),
        REDIS_URL: redisUrl!,
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
        // HAProxy is the one proxy in front: the client's address is the last of X-Forwarded-For.
        TRUST_PROXY: '1',
        RATE_LIMIT_KEY_PREFIX: `e2e-replicas-rate-${run}`,
        RESPONSE_CACHE_KEY_PREFIX: `e2e-replicas-cache-${run}`,
        // Not looked at here; off, so that the run leaves no key in Redis without an expiry.
        OPERATION_USAGE: 'off',
      });
    }
    await Promise.all(
      ['gateway1', 'gateway2'].map((key) => waitUntilReady(services[key], `http://127.0.0.1:${ports[key as keyof typeof ports]}/health/ready`, 60_000)),
    );
    // HAProxy saw the gateways down while they started: wait until its health checks see every replica up.
    await waitFor(
      'HAProxy sees all four replicas up',
      async () => {
        const all = await stats();
        return ['gateways/gateway-1', 'gateways/gateway-2', 'subgraphs/subgraph-1', 'subgraphs/subgraph-2'].every((name) => all[name]?.status === 'UP');
      },
      20_000,
    );
  }, 180_000);

  afterAll(async () => {
    killAll(Object.values(services));
    await Promise.all(Object.values(services).map((service) => service.exited));
    for (const database of databases) await database.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('the rate limit holds across the gateways: of LIMIT + 4 requests by one caller, LIMIT pass, whichever gateway answers', async () => {
    const headers = await bearer({ subject: `rate-${randomUUID()}`, partner: 'FR', roles: ['viewer'] });
    const answers: Answer[] = [];
    for (let i = 0; i < LIMIT + 4; i += 1) answers.push(await post(frontUrl(), JSON.stringify({ query: PAUL_STRAUSS }), headers));

    // Round robin: both gateways answered. Each counting alone would have seen 7 requests, under the limit of 10.
    expect(new Set(answers.map((a) => a.servedBy))).toEqual(new Set(['gateway-1', 'gateway-2']));
    expect(answers.slice(0, LIMIT).map((a) => [a.status, a.body])).toEqual(
      Array(LIMIT).fill([200, { data: { institution: { name: 'Paul Strauss Center' } } }]),
    );
    expect(answers.slice(LIMIT).map((a) => [a.status, a.body.errors?.[0].extensions?.code])).toEqual(Array(4).fill([429, 'RATE_LIMITED']));
  });

  test('anonymous callers behind HAProxy each have their own budget: the gateways count the address it forwards', async () => {
    const from = (localAddress: string) => postFrom(localAddress, frontUrl(), JSON.stringify({ query: PAUL_STRAUSS }));
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i += 1) statuses.push(await from('127.0.0.2'));
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
    // Another client address, through the same HAProxy: a budget of its own.
    expect(await from('127.0.0.3')).toBe(200);
  });

  test('a mutation through one gateway drops what the other one cached', async () => {
    const [one, two] = [url(ports.gateway1), url(ports.gateway2)];
    const first = await post(one, JSON.stringify({ query: CITY }));
    expect(first.body.errors).toBeUndefined();
    const cached = await post(one, JSON.stringify({ query: CITY }));
    expect(cached.body).toEqual(first.body);
    // Served from the cache: it says how old the answer is.
    expect(cached.age).not.toBeNull();

    const { city, version } = first.body.data.institution;
    const newCity = city === 'Tashkent' ? 'Toshkent' : 'Tashkent';
    const editor = await bearer({ subject: `editor-${randomUUID()}`, partner: 'UZ', roles: ['editor'] });
    const changed = await post(two, JSON.stringify({ query: UPDATE_CITY, variables: { v: version, city: newCity } }), editor);
    expect(changed.body).toEqual({ data: { updateInstitution: { institution: { city: newCity, version: version + 1 } } } });

    const after = await post(one, JSON.stringify({ query: CITY }));
    expect(after.body).toEqual({ data: { institution: { city: newCity, version: version + 1 } } });
    expect(after.age).toBeNull();
  });

  test('a signed mutation run by one institutions process is refused as a replay by the other; the person is written once', async () => {
    const email = `replay-${randomUUID()}@health.uz`;
    const body = JSON.stringify({ query: ADD_PERSON, variables: { email } });
    const headers = signRequest(secret, { subject: 'uz-editor', partner: 'UZ', roles: ['editor'] }, body, Date.now(), 'institutions');

    const first = await post(url(ports.institutions1), body, headers);
    expect([first.status, first.body.errors]).toEqual([200, undefined]);
    const replayed = await post(url(ports.institutions2), body, headers);
    expect(replayed).toMatchObject({
      status: 401,
      body: { errors: [{ message: 'Unauthorized: replayed request', extensions: { code: 'UNAUTHENTICATED' } }] },
    });
    expect(await countPeople(email)).toBe(1);
  });

  test('SIGKILL to one gateway and one institutions process under load: every query answered, every keyed create made once', async () => {
    const before = await stats();
    const CLIENTS = 20;
    const WRITERS = 3;
    const queries = { sent: 0, answered: 0, failures: [] as string[], servedBy: {} as Record<string, number> };
    let stopping = false;

    // Each query as its own caller: its own rate-limit budget, and no cached answer, so every one reaches institutions.
    const client = async (n: number) => {
      for (let i = 0; !stopping; i += 1) {
        const headers = await bearer({ subject: `load-${n}-${i}`, partner: 'FR', roles: ['viewer'] });
        queries.sent += 1;
        try {
          const answer = await post(frontUrl(), JSON.stringify({ query: PAUL_STRAUSS }), headers);
          const expected = answer.status === 200 && answer.body.data?.institution?.name === 'Paul Strauss Center' && answer.body.errors === undefined;
          if (expected) queries.answered += 1;
          else queries.failures.push(`HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
          queries.servedBy[String(answer.servedBy)] = (queries.servedBy[String(answer.servedBy)] ?? 0) + 1;
        } catch (err) {
          queries.failures.push(String((err as Error).cause ?? err));
        }
      }
    };

    // A keyed create is sent again by its client (never by the balancer) until it has an answer; attempts counts the sends.
    const creates: Array<{ email: string; attempts: number; id?: string }> = [];
    const create = async () => {
      const email = `load-${randomUUID()}@health.uz`;
      const record = { email, attempts: 0 } as (typeof creates)[number];
      creates.push(record);
      // Keys belong to their caller: the retries are sent as the same one.
      const headers = await bearer({ subject: `load-editor-${creates.length}`, partner: 'UZ', roles: ['editor'] });
      const body = JSON.stringify({ query: ADD_PERSON, variables: { email, key: `replicas-${email}` } });
      while (record.id === undefined && record.attempts < 6) {
        record.attempts += 1;
        try {
          const answer = await post(frontUrl(), body, headers);
          record.id = answer.body.data?.addPerson?.person?.id;
        } catch {
          // The connection closed without an answer: whether it was made is unknown, the key makes sending again safe.
        }
        if (record.id === undefined) await sleep(300);
      }
    };

    const load = Array.from({ length: CLIENTS }, (_, n) => client(n));
    const writers = Array.from({ length: WRITERS }, async () => {
      while (!stopping) await create();
    });
    await sleep(1_000);
    // What the two replicas are serving when they die (HAProxy's current sessions on each).
    const atKill = await stats();
    const inFlightAtKill = { gateway: Number(atKill['gateways/gateway-1'].scur), subgraph: Number(atKill['subgraphs/subgraph-1'].scur) };
    services.gateway1.child.kill('SIGKILL');
    services.institutions1.child.kill('SIGKILL');
    await Promise.all([services.gateway1.exited, services.institutions1.exited]);
    // Long enough for HAProxy's health checks (every second, 2 failures) to take both out of rotation.
    await waitFor(
      'HAProxy marks the killed replicas down',
      async () => {
        const all = await stats();
        return all['gateways/gateway-1'].status === 'DOWN' && all['subgraphs/subgraph-1'].status === 'DOWN';
      },
      15_000,
    );
    await sleep(500);
    stopping = true;
    await Promise.all([...load, ...writers]);

    const after = await stats();
    const delta = (row: string, field: string) => Number(after[row][field]) - Number(before[row][field]);
    const retried = {
      gateways: { retries: delta('gateways/BACKEND', 'wretr'), redispatches: delta('gateways/BACKEND', 'wredis') },
      subgraphs: { retries: delta('subgraphs/BACKEND', 'wretr'), redispatches: delta('subgraphs/BACKEND', 'wredis') },
    };
    console.log(
      `replicas under SIGKILL: ${queries.sent} queries by ${CLIENTS} clients, served by ${JSON.stringify(queries.servedBy)}; ` +
        `in flight on the killed replicas ${JSON.stringify(inFlightAtKill)}; HAProxy ${JSON.stringify(retried)}; ` +
        `${creates.length} creates, sent ${creates.map((c) => c.attempts).join(',')} times`,
    );

    expect(queries.failures).toEqual([]);
    expect(queries.answered).toBe(queries.sent);
    expect(queries.servedBy['gateway-1']).toBeGreaterThan(0);
    // The retry path was taken in both tiers: requests to the killed replicas were sent again, to the others.
    expect(retried.gateways.retries + retried.gateways.redispatches).toBeGreaterThan(0);
    expect(retried.subgraphs.retries + retried.subgraphs.redispatches).toBeGreaterThan(0);

    expect(creates.map((c) => c.id)).toEqual(creates.map(() => expect.any(String)));
    expect(new Set(creates.map((c) => c.id)).size).toBe(creates.length);
    for (const { email } of creates) expect(await countPeople(email)).toBe(1);
  }, 90_000);
});

/**
 * A stand-in for a replica that answers its health checks. `drop` closes the connection of every request without
 * answering, as a process killed while it works does; `answer` answers 200. Each records what it was sent.
 */
async function fakeReplica(behaviour: 'drop' | 'answer') {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.url?.startsWith('/health/')) return void res.end('{"status":"ok"}');
      seen.push(`${req.url} ${body}`);
      if (behaviour === 'drop') req.socket.destroy();
      else res.setHeader('content-type', 'application/json').end('{"data":{}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    /** How many of the requests it was sent name `id`. */
    saw: (id: string) => seen.filter((request) => request.includes(id)).length,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

describeWithHaproxy('the HAProxy config sends a read again after a replica dropped it, never a write', () => {
  let dir: string;
  let haproxy: ServiceProcess | undefined;
  let dropping: Awaited<ReturnType<typeof fakeReplica>>;
  let answering: Awaited<ReturnType<typeof fakeReplica>>;
  let front: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'haproxy-retries-'));
    [dropping, answering] = [await fakeReplica('drop'), await fakeReplica('answer')];
    const [gatewayFront, subgraphFront] = await freePorts(2);
    front = gatewayFront;
    // Both backends share the retry rules; the subgraph one is pointed at the same stand-ins.
    haproxy = startHaproxy(
      {
        GATEWAY_FRONTEND: gatewayFront,
        GATEWAY_1: dropping.port,
        GATEWAY_2: answering.port,
        SUBGRAPH_FRONTEND: subgraphFront,
        SUBGRAPH_1: dropping.port,
        SUBGRAPH_2: answering.port,
      },
      join(dir, 'haproxy.sock'),
    );
    await waitUntilReady(haproxy, `http://127.0.0.1:${front}/health/ready`);
  });

  afterAll(async () => {
    if (haproxy) {
      killAll([haproxy]);
      await haproxy.exited;
    }
    dropping?.close();
    answering?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The status and the replica that answered; status 0: the connection was closed without an answer. */
  const send = async (path: string, body?: unknown) => {
    try {
      const response = await fetch(`http://127.0.0.1:${front}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      await response.arrayBuffer();
      return { status: response.status, servedBy: response.headers.get('x-served-by') };
    } catch {
      return { status: 0, servedBy: null };
    }
  };

  test('queries by POST and GET are answered by the other replica; mutations and requests by hash are sent once', async () => {
    const kinds = {
      'query by POST': (id: string) => send('/graphql', { query: `{ ${id} }` }),
      'query by GET': (id: string) => send(`/graphql?query=${encodeURIComponent(`{ ${id} }`)}`),
      mutation: (id: string) => send('/graphql', { query: `mutation { ${id} }` }),
      'persisted query by hash': (id: string) => send('/graphql', { extensions: { persistedQuery: { version: 1, sha256Hash: id } } }),
    };
    const outcomes: Record<string, Array<{ status: number; servedBy: string | null; dropped: number; answered: number }>> = {};
    for (const [kind, sendOne] of Object.entries(kinds)) {
      outcomes[kind] = [];
      // Round robin sends about every other first attempt to the dropping replica.
      for (let i = 0; i < 4; i += 1) {
        const id = `${kind.replace(/\W/g, '_')}_${i}`;
        const answer = await sendOne(id);
        outcomes[kind].push({ ...answer, dropped: dropping.saw(id), answered: answering.saw(id) });
      }
    }
    for (const kind of ['query by POST', 'query by GET']) {
      expect(outcomes[kind].some((o) => o.dropped === 1)).toBe(true);
      for (const outcome of outcomes[kind]) expect(outcome).toEqual({ status: 200, servedBy: 'gateway-2', dropped: expect.any(Number), answered: 1 });
    }
    for (const kind of ['mutation', 'persisted query by hash']) {
      expect(outcomes[kind].some((o) => o.dropped === 1)).toBe(true);
      for (const outcome of outcomes[kind]) {
        // Sent once: an answer from the replica that had it, or none (HTTP 502, or the connection closed) from the one that dropped it.
        expect(outcome.dropped + outcome.answered).toBe(1);
        if (outcome.dropped === 1) expect([0, 502]).toContain(outcome.status);
        else expect(outcome).toMatchObject({ status: 200, servedBy: 'gateway-2' });
      }
    }
  });
});
