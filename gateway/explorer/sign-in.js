// Sign-in for the explorer, in the page's header: the development sign-in (a partner and a role, a short-lived token of
// the gateway's local key, offered by local gateways only) and OpenID Connect (authorization code flow with PKCE
// against the configured issuer, with oauth4webapi). The token is kept in this tab's sessionStorage (never
// localStorage, never in a URL) and handed to the explorer's fetcher with partnershipExplorer.setAuthorization.
import * as oauth from './oauth4webapi.js';

const options = JSON.parse(document.getElementById('explorer-sign-in-options').textContent || '{}');
const area = document.getElementById('explorer-sign-in');
const SESSION_KEY = 'partnership-explorer:sign-in';
const PENDING_KEY = 'partnership-explorer:oidc-pending';
// The explorer page is the redirect URI, whichever of / and /graphql the analyst opened.
const redirectUri = `${window.location.origin}/`;

/** The signed-in session of this tab: { token, subject, partner, roles, expiresAt } (expiresAt in ms), or null. */
function currentSession() {
  try {
    const session = JSON.parse(window.sessionStorage.getItem(SESSION_KEY) || 'null');
    if (session && typeof session.token === 'string' && session.expiresAt > Date.now()) return session;
  } catch {
    // Unreadable: treated as signed out.
  }
  window.sessionStorage.removeItem(SESSION_KEY);
  return null;
}

let expiryTimer;

function setSession(session) {
  clearTimeout(expiryTimer);
  if (session) {
    window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    expiryTimer = setTimeout(() => {
      setSession(null);
      render('Your sign-in has expired: sign in again.');
    }, session.expiresAt - Date.now());
  } else {
    window.sessionStorage.removeItem(SESSION_KEY);
  }
  window.partnershipExplorer.setAuthorization(session ? `Bearer ${session.token}` : null);
}

/** The claims of a JWT, read for display only: the gateway verifies the token on every request. */
function jwtClaims(token) {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('the access token is not a JWT');
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))));
}

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function render(message) {
  const session = currentSession();
  const parts = [];
  if (session) {
    const until = new Date(session.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    parts.push(
      element(
        'span',
        { class: 'explorer-identity' },
        'Signed in as ',
        element('strong', null, session.subject),
        ' · partner ',
        element('strong', null, session.partner),
        ` · ${session.roles.length > 1 ? 'roles' : 'role'} `,
        element('strong', null, session.roles.join(', ')),
        ` · until ${until}`,
      ),
      element('button', { type: 'button', onclick: signOut }, 'Sign out'),
    );
  } else {
    if (options.development) parts.push(developmentForm(options.development));
    if (options.oidc) {
      parts.push(element('button', { type: 'button', onclick: () => startOidcSignIn().catch(failed) }, `Sign in with ${new URL(options.oidc.issuer).host}`));
    }
    if (!options.development && !options.oidc) parts.push(element('span', null, 'To see more than public records, send a token in the Headers tab: {"Authorization": "Bearer …"}.'));
  }
  if (message) parts.push(element('span', { class: 'explorer-sign-in-message', role: 'status' }, message));
  area.replaceChildren(...parts);
}

function developmentForm({ path, partners, roles }) {
  const select = (name, values, chosen) =>
    element('select', { name, 'aria-label': name }, ...values.map((value) => element('option', value === chosen ? { value, selected: '' } : { value }, value)));
  const form = element(
    'form',
    { class: 'explorer-dev-sign-in' },
    'Development sign-in: ',
    select('partner', partners, partners[0]),
    select('role', roles, 'viewer'),
    element('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    developmentSignIn(path, form.elements.partner.value, form.elements.role.value).catch(failed);
  });
  return form;
}

async function developmentSignIn(path, partner, role) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ partner, roles: [role] }),
    credentials: 'same-origin',
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.errors?.[0]?.message || `HTTP ${response.status}`);
  setSession({
    token: body.token,
    subject: body.claims.sub,
    partner: body.claims.partner,
    roles: body.claims.roles,
    expiresAt: Date.now() + body.expiresIn * 1000,
  });
  render();
}

// OpenID Connect: plain http is allowed only where the gateway's configuration allowed it (an issuer on loopback).
function requestOptions() {
  return { [oauth.allowInsecureRequests]: new URL(options.oidc.issuer).protocol === 'http:' };
}

async function authorizationServer() {
  const issuer = new URL(options.oidc.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...requestOptions() }));
}

const oidcClient = () => ({ client_id: options.oidc.clientId });

async function startOidcSignIn() {
  const as = await authorizationServer();
  const pending = { state: oauth.generateRandomState(), codeVerifier: oauth.generateRandomCodeVerifier(), nonce: oauth.generateRandomNonce() };
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: options.oidc.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: options.oidc.scope,
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  window.sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  window.location.assign(url.href);
}

/** Back from the issuer with ?code=…&state=… (or ?error=…): the URL is cleaned first, then the code is exchanged. */
async function finishOidcSignIn() {
  const callback = new URL(window.location.href);
  const pending = JSON.parse(window.sessionStorage.getItem(PENDING_KEY) || 'null');
  window.sessionStorage.removeItem(PENDING_KEY);
  window.history.replaceState(null, '', `${callback.pathname}${callback.hash}`);
  if (!pending) throw new Error('this sign-in was not started from this tab: sign in again');
  const as = await authorizationServer();
  const client = oidcClient();
  const parameters = oauth.validateAuthResponse(as, client, callback.searchParams, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), parameters, redirectUri, pending.codeVerifier, requestOptions());
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: pending.nonce, requireIdToken: true });
  // The access token is what the gateway verifies (issuer, audience, partner and roles): show what it says.
  const claims = jwtClaims(result.access_token);
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + (result.expires_in ?? 300) * 1000;
  setSession({ token: result.access_token, subject: claims.sub, partner: claims.partner, roles: Array.isArray(claims.roles) ? claims.roles : [], expiresAt });
  render();
}

function signOut() {
  setSession(null);
  render();
}

// oauth4webapi's errors carry the issuer's own explanation (access_denied...) in error_description.
function failed(error) {
  render(`Sign-in failed: ${error.error_description || error.message}`);
}

const session = currentSession();
setSession(session);
render();
const returned = new URLSearchParams(window.location.search);
if (options.oidc && returned.has('state') && (returned.has('code') || returned.has('error'))) finishOidcSignIn().catch(failed);
