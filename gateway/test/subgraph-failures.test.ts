import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultBreaker } from '../src/config';
import { post } from './security-fixture';
import { capturingLogger, composeSupergraph, eventually, federationLink, scratchDir, startGateway, testConfig, testToken } from './stubs';

const sdl = `${federationLink}
type Query { ping: String }
`;
const internals = /10\.1\.2\.3|5003|\/srv\/|127\.0\.0\.1|http:\/\//;

/** A stand-in subgraph whose answer each test sets; counts the requests it gets. */
async function fakeSubgraph() {
  let answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    get requests() {
      return requests;
    },
    answer(handler: typeof answer) {
      answer = handler;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const errorPage = (status: number) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'text/html' }).end('<h1>Bad gateway</h1> upstream 10.1.2.3:5003 (/srv/training/index.js)');
};
const pong = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { ping: 'pong' } }));
};

describe('a subgraph that answers badly', () => {
  test('HTTP 5xx, 4xx and answers that are not JSON: SUBREQUEST_HTTP_ERROR with the status only; the detail in the log', async () => {
    const fake = await fakeSubgraph();
    const files = scratchDir('gateway-bad-answers');
    const { logger, lines } = capturingLogger();
    const supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'training', url: fake.url, sdl }]));
    const gateway = await startGateway(testConfig({ supergraphPath, breaker: { ...defaultBreaker, volumeThreshold: 100 } }), logger);
    try {
      const cases: Array<[(req: IncomingMessage, res: ServerResponse) => void, string]> = [
        [errorPage(502), 'HTTP 502'],
        [errorPage(500), 'HTTP 500'],
        [errorPage(404), 'HTTP 404'],
        [errorPage(200), 'the answer is not GraphQL JSON'],
        [(_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": '), 'the answer is not GraphQL JSON'],
      ];
      for (const [handler, reason] of cases) {
        fake.answer(handler);
        const { status, body, headers } = await post(gateway.base, { query: '{ ping }' });
        expect([status, body]).toEqual([
          200,
          {
            data: { ping: null },
            errors: [
              { message: `HTTP fetch failed from 'training': ${reason}`, extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'training', reason } },
            ],
          },
        ]);
        expect(JSON.stringify(body)).not.toMatch(internals);
        const logged = lines.find((line) => line.requestId === headers.get('x-request-id') && line.msg === 'subgraph request failed');
        expect(logged).toMatchObject({ subgraph: 'training', reason, url: fake.url, body: expect.any(String) });
      }
    } finally {
      await gateway.stop();
      await fake.stop();
      files.remove();
    }
  });

  test('an error without a code (DOWNSTREAM_SERVICE_ERROR) is masked like an internal one: its message may name anything', async () => {
    const fake = await fakeSubgraph();
    const files = scratchDir('gateway-downstream-error');
    const { logger, lines } = capturingLogger();
    const supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'training', url: fake.url, sdl }]));
    const gateway = await startGateway(testConfig({ supergraphPath }), logger);
    try {
      fake.answer((_req, res) => {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ data: { ping: null }, errors: [{ message: 'connect ECONNREFUSED 10.1.2.3:5003', path: ['ping'] }] }));
      });
      const { body, headers } = await post(gateway.base, { query: '{ ping }' });
      const requestId = headers.get('x-request-id');
      expect(body).toEqual({
        data: { ping: null },
        errors: [{ message: 'Internal server error', path: ['ping'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId, serviceName: 'training' } }],
      });
      expect(lines.find((line) => line.requestId === requestId && line.msg === 'internal error (answered as "Internal server error")')).toMatchObject({
        message: 'connect ECONNREFUSED 10.1.2.3:5003',
      });
    } finally {
      await gateway.stop();
      await fake.stop();
      files.remove();
    }
  });
});

describe('the circuit breaker in front of a subgraph', () => {
  test('opens after repeated HTTP 5xx (requests then fail without reaching it), and closes after a trial request succeeds', async () => {
    const fake = await fakeSubgraph();
    const files = scratchDir('gateway-breaker');
    const { logger, lines } = capturingLogger();
    const supergraphPath = files.file('supergraph.graphql', composeSupergraph([{ name: 'training', url: fake.url, sdl }]));
    const gateway = await startGateway(
      testConfig({ supergraphPath, breaker: { errorThresholdPercent: 50, volumeThreshold: 3, windowMs: 60_000, resetMs: 300 } }),
      logger,
    );
    const admin = { authorization: `Bearer ${await testToken({ subject: 'root', partner: 'FR', roles: ['admin'] })}` };
    const breakerState = async () => {
      const health = (await (await fetch(`${gateway.base}/health/ready`, { headers: admin })).json()) as { subgraphs: Array<{ breaker: string }> };
      return health.subgraphs[0].breaker;
    };
    try {
      fake.answer(errorPage(503));
      for (let i = 0; i < 3; i += 1) expect((await post(gateway.base, { query: '{ ping }' })).body.errors?.[0].extensions?.reason).toBe('HTTP 503');
      expect(await breakerState()).toBe('open');
      const reached = fake.requests;
      const { body } = await post(gateway.base, { query: '{ ping }' });
      expect(body.errors).toEqual([
        {
          message: "HTTP fetch failed from 'training': the training subgraph is unavailable (circuit open)",
          extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'training', reason: 'the training subgraph is unavailable (circuit open)' },
        },
      ]);
      expect(fake.requests).toBe(reached);
      expect(lines.some((line) => line.msg === 'circuit open: requests to the subgraph fail at once' && line.subgraph === 'training')).toBe(true);

      fake.answer(pong);
      await eventually(async () => expect((await post(gateway.base, { query: '{ ping }' })).body).toEqual({ data: { ping: 'pong' } }));
      expect(await breakerState()).toBe('closed');
    } finally {
      await gateway.stop();
      await fake.stop();
      files.remove();
    }
  });
});
