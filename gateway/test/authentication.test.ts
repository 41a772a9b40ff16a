import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signRequest, type Caller } from '@partnership/request-signing';
import { SignJWT } from 'jose';
import { issueToken, localSigningKey } from '../src/authentication';
import { defaultAudience, defaultIssuer } from '../src/config';
import { bearer, post, startRegistry, startSecured, type SecuredSetup } from './security-fixture';
import { testDataDir, testToken, unusedPort } from './stubs';

const editor: Caller = { subject: 'alice', partner: 'FR', roles: ['editor', 'viewer'] };
const hour = 3600;

/** A token signed with the local test key but with hand-picked claims (some missing or wrong). */
async function tokenWithClaims(claims: Record<string, unknown>, options: { exp?: boolean } = {}): Promise<string> {
  const key = localSigningKey(testDataDir);
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: key.kid }).setIssuer(defaultIssuer).setAudience(defaultAudience).setIssuedAt();
  if (options.exp !== false) jwt.setExpirationTime('1h');
  return jwt.sign(key.privateKey);
}

/** A token of the local test key valid from `iat` (omitted when undefined) until `exp`, in seconds since 1970. */
async function tokenValid(iat: number | undefined, exp: number): Promise<string> {
  const key = localSigningKey(testDataDir);
  return new SignJWT({ sub: 'alice', partner: 'FR', roles: ['viewer'], exp, ...(iat !== undefined && { iat }) })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setIssuer(defaultIssuer)
    .setAudience(defaultAudience)
    .sign(key.privateKey);
}
const now = () => Math.floor(Date.now() / 1000);
const day = 86_400;
const tooLong = 'The token is valid for too long: at most 86400 seconds from its issue are accepted';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('bearer tokens', () => {
  let setup: SecuredSetup;
  beforeAll(async () => {
    setup = await startSecured();
  });
  afterAll(async () => {
    await setup?.stop();
  });

  // Each is refused with 401 UNAUTHENTICATED, says what is wrong, and reaches no subgraph.
  const refused: Array<[string, () => Promise<Record<string, string>>, string]> = [
    ['an expired token', async () => bearer(await testToken(editor, { now: Date.now() - 2 * hour * 1000, ttlSeconds: hour })), 'The token has expired'],
    [
      'a token not valid yet',
      async () => bearer(await testToken(editor, { now: Date.now() + hour * 1000 })),
      'The token is not valid yet (its "nbf" time has not come)',
    ],
    [
      'a token forged with another key',
      async () => {
        const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
        // Same kid as the real key: only the signature can tell them apart.
        return bearer(
          await issueToken(editor, {
            key: { privateKey: other, publicKey: other, kid: localSigningKey(testDataDir).kid },
            issuer: defaultIssuer,
            audience: defaultAudience,
            ttlSeconds: hour,
          }),
        );
      },
      "The token's signature is not valid",
    ],
    [
      'an unsigned token (alg none)',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        const payload = { sub: 'mallory', partner: 'UZ', roles: ['admin'], iss: defaultIssuer, aud: defaultAudience, iat: now, exp: now + hour };
        return bearer(`${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`);
      },
      'The token is signed with an algorithm this gateway does not accept',
    ],
    [
      'an HS256 token where ES256 is expected',
      async () =>
        bearer(
          await issueToken(editor, {
            key: { secret: 'a-guessed-shared-secret-of-32-characters' },
            issuer: defaultIssuer,
            audience: defaultAudience,
            ttlSeconds: hour,
          }),
        ),
      'The token is signed with an algorithm this gateway does not accept',
    ],
    [
      'a token from another issuer',
      async () => bearer(await testToken(editor, { issuer: 'https://evil.example.com/' })),
      'The token was issued by an issuer this gateway does not accept',
    ],
    [
      'a token for another audience',
      async () => bearer(await testToken(editor, { audience: 'another-api' })),
      'The token is meant for another audience than this gateway',
    ],
    [
      'a token without partner',
      async () => bearer(await tokenWithClaims({ sub: 'alice', roles: ['viewer'] })),
      `The token's "partner" claim must be one of UZ, FR, MC`,
    ],
    [
      'a token with an unknown partner',
      async () => bearer(await tokenWithClaims({ sub: 'alice', partner: 'DE', roles: ['viewer'] })),
      `The token's "partner" claim must be one of UZ, FR, MC`,
    ],
    [
      'a token without roles',
      async () => bearer(await tokenWithClaims({ sub: 'alice', partner: 'FR' })),
      `The token's "roles" claim must be a non-empty list of viewer, analyst, editor, admin`,
    ],
    [
      'a token with an unknown role',
      async () => bearer(await tokenWithClaims({ sub: 'alice', partner: 'FR', roles: ['root'] })),
      `The token's "roles" claim must be a non-empty list of viewer, analyst, editor, admin`,
    ],
    ['a token without subject', async () => bearer(await tokenWithClaims({ partner: 'FR', roles: ['viewer'] })), 'The token has no "sub" claim'],
    [
      'a token that never expires',
      async () => bearer(await tokenWithClaims({ sub: 'alice', partner: 'FR', roles: ['viewer'] }, { exp: false })),
      'The token has no "exp" claim',
    ],
    ['a token valid until 1e300', async () => bearer(await tokenValid(now(), 1e300)), tooLong],
    ['a token valid for two days', async () => bearer(await tokenValid(now(), now() + 2 * day)), tooLong],
    ['a token without iat valid for two more days', async () => bearer(await tokenValid(undefined, now() + 2 * day)), tooLong],
    ['a token "issued" in ten years, valid from now until then', async () => bearer(await tokenValid(now() + 3650 * day, now() + 3650 * day + 60)), tooLong],
    ['a token that is not a JWT', async () => bearer('not-a-token'), 'The token is malformed'],
    ['another scheme than Bearer', async () => ({ authorization: 'Basic YWxpY2U6c2VjcmV0' }), 'The Authorization header must be "Bearer <token>"'],
    ['"Bearer" without a token', async () => ({ authorization: 'Bearer' }), 'The Authorization header must be "Bearer <token>"'],
  ];

  test.each(refused)('%s: 401 UNAUTHENTICATED, and no subgraph call', async (_name, headers, message) => {
    const before = setup.stub.requests;
    const {
      status,
      body,
      headers: responseHeaders,
    } = await post(setup.gateway.base, { query: '{ ping institution(id: "gustave-roussy") { name } }' }, await headers());
    expect(status).toBe(401);
    expect(body).toEqual({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(responseHeaders.get('www-authenticate')).toBe('Bearer realm="uz-fr-health-graph", error="invalid_token"');
    expect(setup.stub.requests).toBe(before);
  });

  test("a valid token: the subgraph receives a signed request whose verified caller is the token's", async () => {
    const token = await testToken(editor);
    const { status, body, headers } = await post(setup.gateway.base, { query: '{ institution(id: "gustave-roussy") { name } }' }, bearer(token));
    expect(status).toBe(200);
    expect(body).toEqual({ data: { institution: { name: 'Gustave Roussy' } } });
    const call = setup.stub.calls.at(-1)!;
    expect(call.caller).toEqual(editor);
    expect(call.requestId).toBe(headers.get('x-request-id'));
    // The token itself stays at the gateway.
    expect(call.headers.authorization).toBeUndefined();
  });

  test('a token valid for a day (AUTH_MAX_TOKEN_LIFETIME_SECONDS), with or without iat, is accepted', async () => {
    for (const token of [await tokenValid(now() - 60, now() - 60 + day), await tokenValid(undefined, now() + day - 60)]) {
      expect((await post(setup.gateway.base, { query: '{ ping }' }, bearer(token))).body).toEqual({ data: { ping: 'pong' } });
    }
  });

  test('no Authorization header: anonymous, signed with an empty caller', async () => {
    const { status, body } = await post(setup.gateway.base, { query: '{ ping }' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { ping: 'pong' } });
    expect(setup.stub.calls.at(-1)!.caller).toBeNull();
  });

  test('a client sending its own x-gateway-* headers cannot impersonate anyone', async () => {
    const admin: Caller = { subject: 'mallory', partner: 'UZ', roles: ['admin'] };
    // Even a correctly computed signature is useless without the secret; here the client guesses one.
    const forged = signRequest('a-secret-the-client-does-not-have-0123456789', admin, JSON.stringify({ query: '{ ping }' }));
    await post(setup.gateway.base, { query: '{ ping }' }, forged);
    let call = setup.stub.calls.at(-1)!;
    expect(call.caller).toBeNull();
    expect(call.headers['x-gateway-signature']).not.toBe(forged['x-gateway-signature']);
    expect(call.headers['x-gateway-nonce']).not.toBe(forged['x-gateway-nonce']);

    const viewer: Caller = { subject: 'bob', partner: 'MC', roles: ['viewer'] };
    await post(setup.gateway.base, { query: '{ ping }' }, { ...forged, ...bearer(await testToken(viewer)) });
    call = setup.stub.calls.at(-1)!;
    expect(call.caller).toEqual(viewer);
  });

  test('the stubs really check: a gateway with another signing secret is refused by the subgraph', async () => {
    const stub = await startRegistry();
    const other = await startSecured({ signingSecret: 'another-secret-than-the-subgraphs-0123456789' }, { stub });
    try {
      const { body } = await post(other.gateway.base, { query: '{ ping }' });
      expect(body.data).toEqual({ ping: null });
      // The gateway's misconfiguration, not the client's: a subgraph request error that names no URL.
      expect(body.errors).toEqual([
        { message: "HTTP fetch failed from 'registry': HTTP 401", extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'registry', reason: 'HTTP 401' } },
      ]);
      expect(stub.calls).toHaveLength(0);
      expect(stub.refusals).toEqual(['bad signature']);
    } finally {
      await other.stop();
      await stub.stop();
    }
  });
});

describe('tokens signed with a shared secret (AUTH_JWT_SECRET)', () => {
  const secret = 'shared-hs256-secret-for-the-gateway-tests';
  let setup: SecuredSetup;
  beforeAll(async () => {
    setup = await startSecured({
      authentication: {
        keySource: { kind: 'secret', secret },
        algorithms: ['HS256'],
        issuer: defaultIssuer,
        audience: defaultAudience,
        clockToleranceSeconds: 5,
        maxTokenLifetimeSeconds: 86_400,
      },
    });
  });
  afterAll(async () => {
    await setup?.stop();
  });

  test('an HS256 token with that secret is accepted; one of the local key is not', async () => {
    const good = await issueToken(editor, { key: { secret }, issuer: defaultIssuer, audience: defaultAudience, ttlSeconds: hour });
    expect((await post(setup.gateway.base, { query: '{ ping }' }, bearer(good))).body).toEqual({ data: { ping: 'pong' } });
    expect(setup.stub.calls.at(-1)!.caller).toEqual(editor);
    const before = setup.stub.requests;
    const local = await post(setup.gateway.base, { query: '{ ping }' }, bearer(await testToken(editor)));
    expect(local.status).toBe(401);
    expect(local.body.errors?.[0].message).toBe('The token is signed with an algorithm this gateway does not accept');
    expect(setup.stub.requests).toBe(before);
  });
});

describe('tokens of an identity provider (AUTH_JWKS_URL)', () => {
  // The provider's key pair; its public half is published as a JSON Web Key Set.
  const providerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'provider-key-1';
  const provider = { privateKey: providerKey.privateKey, publicKey: providerKey.publicKey, kid };
  const issuer = 'https://login.partnership.example/';
  let jwks: Server;
  let jwksUrl: string;
  let jwksRequests = 0;
  beforeAll(async () => {
    jwks = createServer((_req, res) => {
      jwksRequests += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [{ ...providerKey.publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => jwks.close(() => resolve()));
  });
  const authentication = (url: string) => ({
    keySource: { kind: 'jwks' as const, url },
    algorithms: ['RS256', 'ES256'],
    issuer,
    audience: defaultAudience,
    clockToleranceSeconds: 5,
    maxTokenLifetimeSeconds: 86_400,
  });

  test('a token signed by a key of the set is accepted; one of the local key is not', async () => {
    const setup = await startSecured({ authentication: authentication(jwksUrl) });
    try {
      const token = await issueToken(editor, { key: provider, issuer, audience: defaultAudience, ttlSeconds: hour });
      expect((await post(setup.gateway.base, { query: '{ ping }' }, bearer(token))).body).toEqual({ data: { ping: 'pong' } });
      expect(setup.stub.calls.at(-1)!.caller).toEqual(editor);
      expect(jwksRequests).toBeGreaterThan(0);
      const local = await post(setup.gateway.base, { query: '{ ping }' }, bearer(await testToken(editor, { issuer })));
      expect(local.status).toBe(401);
      expect(local.body.errors?.[0].message).toBe("The token's signature is not valid");
      expect(setup.stub.calls).toHaveLength(1);
    } finally {
      await setup.stop();
    }
  });

  test('a key set that cannot be fetched: a masked 500 with the request id, and no subgraph call', async () => {
    const setup = await startSecured({ authentication: authentication(`http://127.0.0.1:${await unusedPort()}/jwks.json`) });
    try {
      const token = await issueToken(editor, { key: provider, issuer, audience: defaultAudience, ttlSeconds: hour });
      const { status, body, headers } = await post(setup.gateway.base, { query: '{ ping }' }, bearer(token));
      expect(status).toBe(500);
      expect(body).toEqual({
        errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: headers.get('x-request-id') } }],
      });
      expect(setup.stub.requests).toBe(0);
    } finally {
      await setup.stop();
    }
  });
});
