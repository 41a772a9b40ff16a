import { createHash } from 'node:crypto';
import { post, startSecured, type SecuredSetup } from './security-fixture';
import { capturingLogger } from './stubs';

// Each of these was answered HTTP 500 (or a masked "Internal server error") before: a client's mistake must be a 4xx
// that says what is wrong, and must not reach any subgraph or be logged as an internal error.
describe('client mistakes get a 4xx that says what is wrong', () => {
  let setup: SecuredSetup;
  const { logger, lines } = capturingLogger();
  beforeAll(async () => {
    setup = await startSecured({}, { logger });
  });
  afterAll(async () => {
    await setup?.stop();
  });

  const cases: Array<[string, unknown, number, { message: string; extensions: { code: string } }]> = [
    [
      'an operationName the document does not define',
      { query: 'query Ping { ping }', operationName: 'Pong' },
      400,
      { message: 'Unknown operation named "Pong": the document defines "Ping"', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } },
    ],
    [
      'two named operations and no operationName',
      { query: 'query A { ping } query B { ping }' },
      400,
      {
        message: 'The document defines several operations: say which to run with "operationName" (the document defines "A", "B")',
        extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
      },
    ],
    [
      'two unnamed operations',
      { query: '{ ping } { ping }' },
      400,
      { message: 'This anonymous operation must be the only defined operation.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    ],
    [
      'a subscription',
      { query: 'subscription { ping }' },
      400,
      { message: 'Subscriptions are not supported: this gateway answers queries and mutations over HTTP', extensions: { code: 'BAD_REQUEST' } },
    ],
    [
      'a mutation where the schema has none',
      { query: 'mutation { ping }' },
      400,
      { message: 'The schema has no mutation type: this gateway runs no mutation operations', extensions: { code: 'BAD_REQUEST' } },
    ],
    [
      'a persisted query of an unsupported version',
      { extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } } },
      400,
      { message: 'Unsupported persisted query version', extensions: { code: 'BAD_REQUEST' } },
    ],
    [
      "a persisted query whose hash is not the query's",
      { query: '{ ping }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } },
      400,
      { message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } },
    ],
  ];

  test.each(cases)('%s', async (_name, body, status, error) => {
    const before = setup.stub.requests;
    const answer = await post(setup.gateway.base, body);
    expect([answer.status, answer.body.errors?.[0]]).toEqual([status, expect.objectContaining(error)]);
    expect(setup.stub.requests).toBe(before);
    expect(lines.filter((line) => line.level === 50)).toEqual([]);
  });

  test('an unknown persisted-query hash: PERSISTED_QUERY_NOT_FOUND (HTTP 200, as the APQ protocol has it); then the query registers it', async () => {
    const query = '{ ping }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const unknown = await post(setup.gateway.base, { extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect([unknown.status, unknown.body]).toEqual([
      200,
      { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] },
    ]);
    expect((await post(setup.gateway.base, { query, extensions: { persistedQuery: { version: 1, sha256Hash } } })).body).toEqual({ data: { ping: 'pong' } });
    expect((await post(setup.gateway.base, { extensions: { persistedQuery: { version: 1, sha256Hash } } })).body).toEqual({ data: { ping: 'pong' } });
  });

  // What `curl -d '{"query":…}'` sends (no -H 'content-type: application/json'), and a GET without the preflight header.
  test('a POST without content-type: application/json, or a GET without apollo-require-preflight: 400 naming the header to send', async () => {
    const before = setup.stub.requests;
    const send = async (init: RequestInit, query = '') => {
      const response = await fetch(`${setup.gateway.base}/graphql${query}`, init);
      return { status: response.status, body: (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> } };
    };
    const body = JSON.stringify({ query: '{ ping }' });
    const form = await send({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect([form.status, form.body.errors[0].extensions.code]).toEqual([400, 'PREFLIGHT_HEADER_REQUIRED']);
    expect(form.body.errors[0].message).toMatch(
      /^Send the header "content-type: application\/json" .*this request sent "content-type: application\/x-www-form-urlencoded"/,
    );
    const text = await send({ method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body });
    expect(text.body.errors[0].message).toContain('this request sent "content-type: text/plain"');

    const get = await send({ method: 'GET', headers: { accept: 'application/json' } }, `?query=${encodeURIComponent('{ ping }')}`);
    expect([get.status, get.body.errors[0].extensions.code]).toEqual([400, 'PREFLIGHT_HEADER_REQUIRED']);
    expect(get.body.errors[0].message).toMatch(/^Send the header "apollo-require-preflight: true" with a GET/);
    expect(setup.stub.requests).toBe(before);

    // With the header named, the same requests run.
    expect((await send({ method: 'POST', headers: { 'content-type': 'application/json' }, body })).body).toEqual({ data: { ping: 'pong' } });
    const preflighted = await send(
      { method: 'GET', headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } },
      `?query=${encodeURIComponent('{ ping }')}`,
    );
    expect(preflighted.body).toEqual({ data: { ping: 'pong' } });
  });

  test('the right operationName among several runs', async () => {
    expect((await post(setup.gateway.base, { query: 'query A { ping } query B { ping }', operationName: 'B' })).body).toEqual({ data: { ping: 'pong' } });
  });
});
