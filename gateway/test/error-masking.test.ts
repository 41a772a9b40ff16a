import { post, secretInError, startRegistry, startSecured, type SecuredSetup } from './security-fixture';
import { capturingLogger } from './stubs';

describe('error masking and request ids', () => {
  let setup: SecuredSetup;
  const { logger, lines } = capturingLogger();
  beforeAll(async () => {
    // A subgraph that (wrongly) sends stack traces: the gateway must not pass them on.
    const stub = await startRegistry({ stacktraces: true });
    setup = await startSecured({}, { logger, stub });
  });
  afterAll(async () => {
    await setup?.stop();
    await setup?.stub.stop();
  });

  test('an internal error is masked with the request id, and logged in full under the same id', async () => {
    const { status, body, headers } = await post(setup.gateway.base, { query: '{ ping broken }' });
    const requestId = headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(status).toBe(200);
    expect(body).toEqual({
      data: { ping: 'pong', broken: null },
      errors: [{ message: 'Internal server error', path: ['broken'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId, serviceName: 'registry' } }],
    });
    expect(JSON.stringify(body)).not.toContain('hunter2');
    const logged = lines.find((line) => line.msg === 'internal error (answered as "Internal server error")' && line.requestId === requestId);
    expect(logged).toMatchObject({ requestId, message: secretInError, serviceName: 'registry', path: ['broken'] });
    // The subgraph saw the same id.
    expect(setup.stub.calls.at(-1)!.requestId).toBe(requestId);
  });

  test('errors with another code pass unchanged (message, code, serviceName), without stack traces', async () => {
    const { body } = await post(setup.gateway.base, { query: '{ closed }' });
    expect(body).toEqual({
      data: { closed: null },
      errors: [{ message: 'The registry is closed to your partner', path: ['closed'], extensions: { code: 'FORBIDDEN', serviceName: 'registry' } }],
    });
  });

  test('a well-formed incoming x-request-id is kept and forwarded; others are replaced', async () => {
    const kept = await post(setup.gateway.base, { query: '{ ping }' }, { 'x-request-id': 'client-req_42' });
    expect(kept.headers.get('x-request-id')).toBe('client-req_42');
    expect(setup.stub.calls.at(-1)!.requestId).toBe('client-req_42');
    for (const bad of ['has spaces in it', 'x'.repeat(65), 'semi;colon']) {
      const replaced = await post(setup.gateway.base, { query: '{ ping }' }, { 'x-request-id': bad });
      const id = replaced.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(setup.stub.calls.at(-1)!.requestId).toBe(id);
    }
    // Every response has one, errors and other routes included.
    expect((await fetch(`${setup.gateway.base}/health/live`)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await post(setup.gateway.base, '{"query": ')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('the log lines of a refused token carry the request id', async () => {
    const { headers } = await post(setup.gateway.base, { query: '{ ping }' }, { authorization: 'Bearer nonsense' });
    const requestId = headers.get('x-request-id');
    expect(lines.find((line) => line.msg === 'token refused' && line.requestId === requestId)).toMatchObject({ reason: 'The token is malformed' });
  });
});
