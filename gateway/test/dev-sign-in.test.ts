import { decodeJwt } from 'jose';
import { createGateway, type Gateway } from '../src/create-gateway';
import { authenticationConfigFromEnv, explorerSignInFromEnv, type GatewayConfig } from '../src/config';
import { composeSupergraph, federationLink, scratchDir, startGateway, startStub, testConfig, type ScratchDir, type Stub } from './stubs';

const sdl = `${federationLink}
type Query {
  ping: String
}
`;

/** The sign-in options the explorer page embeds for sign-in.js. */
async function pageSignInOptions(base: string): Promise<{ development: { path: string; partners: string[]; roles: string[] } | null; oidc: unknown }> {
  const html = await (await fetch(`${base}/`, { headers: { accept: 'text/html' } })).text();
  const json = /<script id="explorer-sign-in-options" type="application\/json">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error('no sign-in options in the page');
  return JSON.parse(json);
}

const askForToken = (base: string, body: unknown, contentType = 'application/json') =>
  fetch(`${base}/auth/dev-token`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('the development sign-in', () => {
  let stub: Stub;
  let scratch: ScratchDir;
  let supergraphPath: string;
  const started: Gateway[] = [];

  beforeAll(async () => {
    stub = await startStub('registry', sdl, { Query: { ping: () => 'pong' } });
    scratch = scratchDir('dev-sign-in');
    supergraphPath = scratch.file('supergraph.graphql', composeSupergraph([stub]));
  });
  afterAll(async () => {
    for (const gateway of started) await gateway.stop();
    await stub?.stop();
    scratch?.remove();
  });

  async function start(overrides: Partial<GatewayConfig> = {}): Promise<string> {
    const gateway = await startGateway(testConfig({ supergraphPath, explorerSignIn: { developmentAllowed: true }, ...overrides }));
    started.push(gateway);
    return gateway.base;
  }

  test('a local gateway issues a 15-minute token for the partner and role picked, and accepts it', async () => {
    const base = await start();
    expect((await pageSignInOptions(base)).development).toEqual({
      path: '/auth/dev-token',
      partners: ['UZ', 'FR', 'MC'],
      roles: ['viewer', 'analyst', 'editor', 'admin'],
    });

    const response = await askForToken(base, { partner: 'FR', roles: ['viewer'] });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { token, expiresIn, claims } = (await response.json()) as { token: string; expiresIn: number; claims: unknown };
    expect(expiresIn).toBe(900);
    expect(claims).toEqual({ sub: 'dev-FR-viewer', partner: 'FR', roles: ['viewer'] });
    const payload = decodeJwt(token);
    expect(payload.exp! - payload.iat!).toBe(900);

    const answer = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ ping }' }),
    });
    expect(await answer.json()).toEqual({ data: { ping: 'pong' } });
    // The gateway vouched for that caller to the subgraph.
    expect(stub.calls.at(-1)?.caller).toEqual({ subject: 'dev-FR-viewer', partner: 'FR', roles: ['viewer'] });
  });

  test('refuses a partner or role that does not exist, and a body that is not JSON', async () => {
    const base = await start();
    const cases: Array<[unknown, string, string, string]> = [
      [{ partner: 'DE', roles: ['viewer'] }, 'application/json', 'BAD_USER_INPUT', '"partner" must be one of UZ, FR, MC'],
      [{ partner: 'FR', roles: ['root'] }, 'application/json', 'BAD_USER_INPUT', '"roles" must be a non-empty list of viewer, analyst, editor, admin'],
      [{ partner: 'FR', roles: [] }, 'application/json', 'BAD_USER_INPUT', '"roles" must be a non-empty list of viewer, analyst, editor, admin'],
      [{ partner: 'FR', roles: 'admin' }, 'application/json', 'BAD_USER_INPUT', '"roles" must be a non-empty list of viewer, analyst, editor, admin'],
      // What a cross-site form could send.
      ['partner=FR&roles=admin', 'application/x-www-form-urlencoded', 'PREFLIGHT_HEADER_REQUIRED', 'Send the request with content-type: application/json'],
    ];
    for (const [body, contentType, code, message] of cases) {
      const response = await askForToken(base, body, contentType);
      expect([body, response.status, await response.json()]).toEqual([body, 400, { errors: [{ message, extensions: { code } }] }]);
    }
  });

  const absent = async (base: string) => {
    const response = await askForToken(base, { partner: 'FR', roles: ['admin'] });
    expect([response.status, ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code]).toEqual([
      404,
      'NOT_FOUND',
    ]);
    expect((await pageSignInOptions(base)).development).toBeNull();
  };

  test('absent when NODE_ENV=production', async () => {
    const explorerSignIn = explorerSignInFromEnv({ NODE_ENV: 'production' });
    expect(explorerSignIn).toEqual({ developmentAllowed: false });
    await absent(await start({ explorerSignIn }));
  });

  test('absent when tokens are verified with another key than the local one (AUTH_JWT_SECRET)', async () => {
    const secret = { kind: 'secret' as const, secret: 'a-shared-hmac-secret-of-at-least-32-chars' };
    await absent(await start({ authentication: { ...testConfig({ supergraphPath }).authentication, keySource: secret, algorithms: ['HS256'] } }));
  });

  test('absent when the gateway listens on every interface (0.0.0.0), even when reached through loopback', async () => {
    const gateway = await createGateway(testConfig({ supergraphPath, host: '0.0.0.0', explorerSignIn: { developmentAllowed: true } }));
    started.push(gateway);
    const url = await gateway.listen(0, '0.0.0.0');
    await absent(`http://127.0.0.1:${new URL(url).port}`);
  });
});

describe("the explorer's sign-in settings", () => {
  const oidcEnv = {
    AUTH_ISSUER: 'https://id.example.org/realms/partnership',
    AUTH_JWKS_URL: 'https://id.example.org/realms/partnership/certs',
    EXPLORER_OIDC_CLIENT_ID: 'explorer',
  };

  test('the development sign-in is allowed unless NODE_ENV=production; OpenID Connect needs EXPLORER_OIDC_CLIENT_ID', () => {
    expect(explorerSignInFromEnv({})).toEqual({ developmentAllowed: true });
    expect(explorerSignInFromEnv({ ...oidcEnv, NODE_ENV: 'production' })).toEqual({
      developmentAllowed: false,
      oidc: { issuer: oidcEnv.AUTH_ISSUER, clientId: 'explorer', scope: 'openid profile' },
    });
    expect(explorerSignInFromEnv({ ...oidcEnv, EXPLORER_OIDC_SCOPE: 'openid partnership' }).oidc?.scope).toBe('openid partnership');
  });

  test.each([
    [{ ...oidcEnv, AUTH_ISSUER: undefined }, "EXPLORER_OIDC_CLIENT_ID needs AUTH_ISSUER, the issuer's URL"],
    [{ ...oidcEnv, AUTH_ISSUER: 'http://id.example.org' }, 'AUTH_ISSUER must be an https:// URL'],
    [{ ...oidcEnv, AUTH_JWKS_URL: undefined }, 'EXPLORER_OIDC_CLIENT_ID needs AUTH_JWKS_URL'],
  ])('refuses %j', (env, message) => {
    expect(() => explorerSignInFromEnv(env)).toThrow(message);
  });

  test('plain http is accepted for an issuer on this machine', () => {
    expect(explorerSignInFromEnv({ ...oidcEnv, AUTH_ISSUER: 'http://127.0.0.1:8080' }).oidc?.issuer).toBe('http://127.0.0.1:8080');
  });

  test("with OpenID Connect, the page may connect to the issuer's origin, and says whom to sign in with", async () => {
    const stub = await startStub('registry', sdl, { Query: { ping: () => 'pong' } });
    const scratch = scratchDir('oidc-page');
    const gateway = await startGateway(
      testConfig({
        supergraphPath: scratch.file('supergraph.graphql', composeSupergraph([stub])),
        authentication: authenticationConfigFromEnv(oidcEnv),
        explorerSignIn: explorerSignInFromEnv(oidcEnv),
      }),
    );
    try {
      const response = await fetch(`${gateway.base}/`);
      expect(response.headers.get('content-security-policy')).toContain("connect-src 'self' https://id.example.org;");
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await pageSignInOptions(gateway.base)).toEqual({
        development: null,
        oidc: { issuer: oidcEnv.AUTH_ISSUER, clientId: 'explorer', scope: 'openid profile' },
      });
    } finally {
      await gateway.stop();
      await stub.stop();
      scratch.remove();
    }
  });
});
