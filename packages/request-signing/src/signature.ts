import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { asCaller, type Caller, type CallerVocabulary } from './caller';

/** Headers the gateway adds to every subgraph request. */
export const SIGNATURE_HEADERS = {
  caller: 'x-gateway-caller',
  timestamp: 'x-gateway-timestamp',
  // Makes every signed request unique, so two identical subgraph calls in the same millisecond are not replays.
  nonce: 'x-gateway-nonce',
  // The subgraph the request is meant for, so a captured request cannot be replayed against another subgraph.
  audience: 'x-gateway-audience',
  signature: 'x-gateway-signature',
} as const;

/** A signed request older (or further in the future) than this is refused, so a captured request soon goes stale. */
export const DEFAULT_MAX_AGE_MS = 30_000;

const VERSION = 'v1';

function encodeCaller(caller: Caller | null): string {
  return caller === null ? '' : Buffer.from(JSON.stringify(caller), 'utf8').toString('base64url');
}

function mac(secret: string, timestamp: string, nonce: string, audience: string, caller: string, body: string | Buffer): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHmac('sha256', secret).update(`${VERSION}\n${timestamp}\n${nonce}\n${audience}\n${caller}\n${bodyHash}`).digest('hex');
}

/**
 * The headers that prove a request with this exact body comes from the gateway, acting for `caller` (null:
 * anonymous), meant for the subgraph named `audience` (the gateway always names it; tools may leave it out).
 */
export function signRequest(secret: string, caller: Caller | null, body: string | Buffer, now = Date.now(), audience = ''): Record<string, string> {
  const timestamp = String(now);
  const nonce = randomBytes(16).toString('hex');
  const encoded = encodeCaller(caller);
  return {
    [SIGNATURE_HEADERS.caller]: encoded,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    ...(audience === '' ? {} : { [SIGNATURE_HEADERS.audience]: audience }),
    [SIGNATURE_HEADERS.signature]: `${VERSION}=${mac(secret, timestamp, nonce, audience, encoded, body)}`,
  };
}

/**
 * A verified request: whom it acts for, and its nonce with the moment its signature goes stale (after which the nonce
 * need not be remembered, see ReplayGuard; a subgraph also claims mutation nonces durably until then).
 */
export type Verification = { ok: true; caller: Caller | null; nonce: string; expiresAt: number } | { ok: false; reason: string };

/**
 * Checks a request's signature headers against its raw body. Refuses missing, malformed, forged, stale and
 * replayed signatures; on success returns the caller the gateway vouches for. With `callers`, a caller naming a
 * partner or role outside that vocabulary is refused as malformed.
 */
export function verifyRequest(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string | Buffer,
  options: { now?: number; maxAgeMs?: number; replays?: ReplayGuard; audience?: string; callers?: CallerVocabulary } = {},
): Verification {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? undefined : value;
  };
  const signature = header(SIGNATURE_HEADERS.signature);
  const timestamp = header(SIGNATURE_HEADERS.timestamp);
  const nonce = header(SIGNATURE_HEADERS.nonce);
  const caller = header(SIGNATURE_HEADERS.caller) ?? '';
  const audience = header(SIGNATURE_HEADERS.audience) ?? '';
  if (signature === undefined || timestamp === undefined || nonce === undefined)
    return { ok: false, reason: 'unsigned request: only the gateway may call this subgraph' };
  const now = options.now ?? Date.now();
  const maxAge = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > maxAge) {
    return { ok: false, reason: `stale or malformed signature timestamp (allowed skew ${maxAge} ms)` };
  }
  if (!/^[0-9a-f]{32}$/.test(nonce)) return { ok: false, reason: 'malformed nonce' };
  const expected = Buffer.from(`${VERSION}=${mac(secret, timestamp, nonce, audience, caller, body)}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
  // Signed for another subgraph: the audience is covered by the signature, so it cannot be swapped or removed.
  if (audience !== '' && options.audience !== undefined && audience !== options.audience) return { ok: false, reason: `signed for the ${audience} subgraph` };
  const expiresAt = Number(timestamp) + maxAge;
  if (options.replays?.seenBefore(nonce, expiresAt, now)) return { ok: false, reason: REPLAYED };
  if (caller === '') return { ok: true, caller: null, nonce, expiresAt };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(caller, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed caller' };
  }
  const parsed = asCaller(decoded, options.callers);
  return parsed === null ? { ok: false, reason: 'malformed caller' } : { ok: true, caller: parsed, nonce, expiresAt };
}

/** The reason given for a request whose nonce was seen before (in memory here, or durably by a subgraph). */
export const REPLAYED = 'replayed request';

/**
 * Remembers nonces until their signatures expire, so one signed request cannot be sent twice within its window to
 * this process. Memory only: a restart forgets, and another replica never knew; that is enough for reads (a replayed
 * read returns what the eavesdropper already saw), while a subgraph also claims mutation nonces in its database.
 */
export class ReplayGuard {
  private readonly expiries = new Map<string, number>();

  private nextSweep = 0;

  seenBefore(nonce: string, expiresAt: number, now: number): boolean {
    // Expired nonces are swept at most once a second, so a busy subgraph does not scan the map on every request.
    if (now >= this.nextSweep) {
      for (const [key, expiry] of this.expiries) if (expiry < now) this.expiries.delete(key);
      this.nextSweep = now + 1_000;
    }
    if (this.expiries.has(nonce)) return true;
    this.expiries.set(nonce, expiresAt);
    return false;
  }
}
