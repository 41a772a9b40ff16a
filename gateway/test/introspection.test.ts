import type { Caller } from '@partnership/request-signing';
import { bearer, post, startSecured, type SecuredSetup } from './security-fixture';
import { testToken } from './stubs';

const schemaQuery = { query: '{ __schema { queryType { name } } }' };
const viewer: Caller = { subject: 'vera', partner: 'UZ', roles: ['viewer'] };
const analyst: Caller = { subject: 'anna', partner: 'FR', roles: ['analyst'] };

describe('INTROSPECTION=analyst,admin', () => {
  let setup: SecuredSetup;
  beforeAll(async () => {
    setup = await startSecured({ introspection: ['analyst', 'admin'] });
  });
  afterAll(async () => {
    await setup?.stop();
  });

  test('anonymous callers: 401 UNAUTHENTICATED', async () => {
    const { status, body, headers } = await post(setup.gateway.base, schemaQuery);
    expect(status).toBe(401);
    expect(body).toEqual({
      errors: [{ message: 'Introspection needs a token with one of the roles analyst, admin', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(headers.get('www-authenticate')).toBe('Bearer realm="uz-fr-health-graph"');
  });

  test('a viewer: 403 FORBIDDEN, also through a fragment and for __type', async () => {
    const token = bearer(await testToken(viewer));
    for (const query of ['{ __schema { queryType { name } } }', 'query { ...Q } fragment Q on Query { __type(name: "Institution") { name } }']) {
      const { status, body } = await post(setup.gateway.base, { query }, token);
      expect(status).toBe(403);
      expect(body).toEqual({ errors: [{ message: 'Introspection needs one of the roles analyst, admin', extensions: { code: 'FORBIDDEN' } }] });
    }
  });

  test('an analyst may introspect', async () => {
    const { status, body } = await post(setup.gateway.base, schemaQuery, bearer(await testToken(analyst)));
    expect(status).toBe(200);
    expect(body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  test('__typename and ordinary queries stay open to everyone', async () => {
    expect((await post(setup.gateway.base, { query: '{ __typename ping }' })).body).toEqual({ data: { __typename: 'Query', ping: 'pong' } });
  });

  test('"Did you mean" suggestions only for callers who may introspect', async () => {
    const typo = { query: '{ institution(id: "gustave-roussy") { nme } }' };
    const hidden = await post(setup.gateway.base, typo, bearer(await testToken(viewer)));
    expect(hidden.status).toBe(400);
    expect(hidden.body.errors?.[0].message).toBe('Cannot query field "nme" on type "Institution".');
    const shown = await post(setup.gateway.base, typo, bearer(await testToken(analyst)));
    expect(shown.body.errors?.[0].message).toBe('Cannot query field "nme" on type "Institution". Did you mean "name"?');
  });

  test('the explorer page still loads (its docs need a token in the Headers tab)', async () => {
    const page = await fetch(`${setup.gateway.base}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="explorer"');
  });
});

describe('INTROSPECTION=false and true', () => {
  test('false: refused for everyone, admins included; true: open, suggestions shown', async () => {
    const closed = await startSecured({ introspection: false });
    const open = await startSecured({ introspection: true });
    try {
      const admin = bearer(await testToken({ subject: 'root', partner: 'FR', roles: ['admin'] }));
      const refused = await post(closed.gateway.base, schemaQuery, admin);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ errors: [{ message: 'Introspection is disabled on this gateway', extensions: { code: 'FORBIDDEN' } }] });
      expect((await post(open.gateway.base, schemaQuery)).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
      const typo = await post(open.gateway.base, { query: '{ pong }' });
      expect(typo.body.errors?.[0].message).toBe('Cannot query field "pong" on type "Query". Did you mean "ping"?');
    } finally {
      await closed.stop();
      await open.stop();
    }
  });
});
