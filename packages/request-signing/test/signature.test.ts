import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asCaller, ReplayGuard, SIGNATURE_HEADERS, signRequest, signingSecret, verifyRequest, type Caller } from '../src';

const secret = 'a'.repeat(64);
const caller: Caller = { subject: 'user-1', partner: 'FR', roles: ['editor'] };
const body = '{"query":"{ __typename }"}';

describe('request signatures', () => {
  test('a signed request verifies and yields the caller (anonymous: null), its nonce and when it goes stale', () => {
    const now = Date.now();
    const headers = signRequest(secret, caller, body, now);
    expect(verifyRequest(secret, headers, body)).toEqual({ ok: true, caller, nonce: headers[SIGNATURE_HEADERS.nonce], expiresAt: now + 30_000 });
    expect(verifyRequest(secret, signRequest(secret, null, body), body)).toMatchObject({ ok: true, caller: null });
  });

  test('unsigned, forged, tampered and wrong-secret requests are refused', () => {
    expect(verifyRequest(secret, {}, body)).toMatchObject({ ok: false, reason: expect.stringMatching(/unsigned/) });
    const headers = signRequest(secret, caller, body);
    expect(verifyRequest(secret, headers, `${body} `)).toMatchObject({ ok: false, reason: 'bad signature' });
    expect(verifyRequest('b'.repeat(64), headers, body)).toMatchObject({ ok: false, reason: 'bad signature' });
    const admin = Buffer.from(JSON.stringify({ ...caller, roles: ['admin'] })).toString('base64url');
    expect(verifyRequest(secret, { ...headers, [SIGNATURE_HEADERS.caller]: admin }, body)).toMatchObject({ ok: false, reason: 'bad signature' });
    expect(verifyRequest(secret, { ...headers, [SIGNATURE_HEADERS.signature]: 'v1=00' }, body)).toMatchObject({ ok: false });
  });

  test('a request older or newer than the window is refused', () => {
    const old = signRequest(secret, caller, body, Date.now() - 31_000);
    expect(verifyRequest(secret, old, body)).toMatchObject({ ok: false, reason: expect.stringMatching(/stale/) });
    const future = signRequest(secret, caller, body, Date.now() + 31_000);
    expect(verifyRequest(secret, future, body)).toMatchObject({ ok: false });
    expect(verifyRequest(secret, old, body, { maxAgeMs: 60_000 })).toMatchObject({ ok: true });
  });

  test('the same signed request is accepted once when a replay guard is given', () => {
    const replays = new ReplayGuard();
    const headers = signRequest(secret, caller, body);
    expect(verifyRequest(secret, headers, body, { replays })).toMatchObject({ ok: true });
    expect(verifyRequest(secret, headers, body, { replays })).toEqual({ ok: false, reason: 'replayed request' });
    // Two identical calls signed in the same millisecond are two requests, not a replay.
    const now = Date.now();
    expect(verifyRequest(secret, signRequest(secret, caller, body, now), body, { replays })).toMatchObject({ ok: true });
    expect(verifyRequest(secret, signRequest(secret, caller, body, now), body, { replays })).toMatchObject({ ok: true });
  });

  test('a request signed for one subgraph is refused by another, and its audience cannot be removed', () => {
    const headers = signRequest(secret, caller, body, Date.now(), 'institutions');
    expect(verifyRequest(secret, headers, body, { audience: 'institutions' })).toMatchObject({ ok: true, caller });
    expect(verifyRequest(secret, headers, body, { audience: 'training' })).toEqual({ ok: false, reason: 'signed for the institutions subgraph' });
    const { [SIGNATURE_HEADERS.audience]: _removed, ...stripped } = headers;
    expect(verifyRequest(secret, stripped, body, { audience: 'training' })).toEqual({ ok: false, reason: 'bad signature' });
  });

  test('a signed but malformed caller is refused', () => {
    const forgedCaller = Buffer.from(JSON.stringify({ subject: 'x', partner: 'DE', roles: ['viewer'] })).toString('base64url');
    // Signed with the right secret (as a compromised gateway could), but not a caller of this federation.
    const headers = signRequest(secret, null, body);
    const timestamp = headers[SIGNATURE_HEADERS.timestamp];
    const nonce = headers[SIGNATURE_HEADERS.nonce];
    const { createHash, createHmac } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const mac = createHmac('sha256', secret)
      .update(`v1\n${timestamp}\n${nonce}\n\n${forgedCaller}\n${createHash('sha256').update(body).digest('hex')}`)
      .digest('hex');
    const forged = { ...headers, [SIGNATURE_HEADERS.caller]: forgedCaller, [SIGNATURE_HEADERS.signature]: `v1=${mac}` };
    const callers = { partners: ['AA', 'BB'], roles: ['viewer', 'admin'] };
    expect(verifyRequest(secret, forged, body, { callers })).toEqual({ ok: false, reason: 'malformed caller' });
    // Without a vocabulary the package only checks the caller's shape: which partners exist is the domain's.
    expect(verifyRequest(secret, forged, body)).toMatchObject({ ok: true, caller: { subject: 'x', partner: 'DE', roles: ['viewer'] } });
  });

  test('asCaller checks the shape, and the vocabulary when given', () => {
    const callers = { partners: ['AA'], roles: ['reader', 'writer'] };
    expect(asCaller({ subject: 's', partner: 'AA', roles: ['reader', 'reader'] }, callers)).toEqual({ subject: 's', partner: 'AA', roles: ['reader'] });
    expect(asCaller({ subject: 's', partner: 'BB', roles: ['reader'] }, callers)).toBeNull();
    expect(asCaller({ subject: 's', partner: 'AA', roles: ['root'] }, callers)).toBeNull();
    expect(asCaller({ subject: 's', partner: 'BB', roles: ['root'] })).toEqual({ subject: 's', partner: 'BB', roles: ['root'] });
    for (const bad of [
      null,
      'x',
      { subject: '', partner: 'AA', roles: ['reader'] },
      { subject: 's', partner: '', roles: ['reader'] },
      { subject: 's', partner: 'AA', roles: [] },
      { subject: 's', partner: 'AA', roles: [''] },
      { subject: 'x'.repeat(201), partner: 'AA', roles: ['reader'] },
    ]) {
      expect(asCaller(bad)).toBeNull();
    }
  });
});

describe('signingSecret', () => {
  test('uses GATEWAY_SIGNING_SECRET, refusing short ones', () => {
    expect(signingSecret({ GATEWAY_SIGNING_SECRET: secret }, '/nonexistent')).toBe(secret);
    expect(() => signingSecret({ GATEWAY_SIGNING_SECRET: 'short' }, '/nonexistent')).toThrow(/at least 32/);
  });

  test('otherwise generates one local secret, private to the user, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-'));
    try {
      const first = signingSecret({}, dir);
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(signingSecret({}, dir)).toBe(first);
      expect(statSync(join(dir, 'secrets', 'gateway-signing-secret')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
