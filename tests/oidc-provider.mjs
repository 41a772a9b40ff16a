// A real OpenID Connect provider (the `oidc-provider` package, ESM only, hence a child process of the tests) on
// 127.0.0.1:OIDC_PORT. Its one client is public (no secret), PKCE is required, and its access tokens are JWTs for
// the gateway's audience carrying the account's partner and roles. Its login page accepts any password: the login names
// the account (`<partner>-<role>`, e.g. `FR-viewer`); then a consent page. These two pages are this file's own, plain
// and offline (the package's built-in development pages load a web font from Google).
// Configured by the environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_REDIRECT_URI, OIDC_AUDIENCE. Prints `{"issuer": …}` once it serves.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const { OIDC_PORT: port, OIDC_CLIENT_ID: clientId, OIDC_REDIRECT_URI: redirectUri, OIDC_AUDIENCE: audience } = process.env;
if (!port || !clientId || !redirectUri || !audience) throw new Error('set OIDC_PORT, OIDC_CLIENT_ID, OIDC_REDIRECT_URI and OIDC_AUDIENCE');
// A resource indicator is an absolute URI; the tokens for it carry the gateway's audience.
const resource = 'urn:partnership:gateway';

/** The account a login names: `<partner>-<role>`. */
function accountClaims(accountId) {
  const [partner, role] = accountId.split('-');
  return { sub: accountId, partner, roles: [role] };
}

const server = createServer();
server.listen(Number(port), '127.0.0.1');
await once(server, 'listening');
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    { client_id: clientId, token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] },
  ],
  pkce: { required: () => true },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  findAccount: (_ctx, accountId) => ({ accountId, claims: () => accountClaims(accountId) }),
  // The explorer's token request comes from its page: CORS for the origins of the client's redirect URIs.
  clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => new URL(uri).origin === origin),
  features: {
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ audience, scope: 'openid profile', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
    },
  },
  extraTokenClaims: async (_ctx, token) => {
    if (token.kind !== 'AccessToken') return undefined;
    const { partner, roles } = accountClaims(token.accountId);
    return { partner, roles };
  },
});
// http:// on loopback: the provider is told it is not behind a TLS proxy.
provider.proxy = false;
const providerCallback = provider.callback();
server.on('request', (req, res) => {
  if (!req.url.startsWith('/interaction/')) return providerCallback(req, res);
  interaction(req, res).catch((error) => {
    res.statusCode = 500;
    res.end(String(error));
  });
});

/** The provider's prompts at `/interaction/<uid>`: login (GET the form, POST it), then consent. */
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const action = `/interaction/${details.uid}`;
  if (req.method === 'GET') {
    const fields =
      details.prompt.name === 'login'
        ? '<label>Login <input name="login" required></label> <label>Password <input type="password" name="password" required></label> <button type="submit">Sign-in</button>'
        : `<p>Let ${details.params.client_id} use your account?</p><button type="submit">Continue</button>`;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>Test OpenID provider</title><form method="post" action="${action}">${fields}</form>`);
    return;
  }
  if (details.prompt.name === 'login') {
    const form = new URLSearchParams(await bodyText(req));
    await provider.interactionFinished(req, res, { login: { accountId: form.get('login') } }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const { missingOIDCScope, missingResourceScopes } = details.prompt.details;
  if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
}

async function bodyText(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
