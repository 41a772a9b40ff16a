import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { HeaderMap } from '@apollo/server';
import { asPartnershipCaller, isPartner, isRole, PARTNERS, ROLES } from '@partnership/domain';
import { localSecretFile, type Caller } from '@partnership/request-signing';
import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { ERROR_CODES } from '@partnership/service-runtime';
import type { AuthenticationConfig } from './config';

/** The local token key: an ES256 private JWK, generated on first use and shared by the gateway and `npm run token`. */
export function localJwtKeyFile(dataDir: string): string {
  return join(dataDir, 'secrets', 'local-jwt-key.json');
}

export interface LocalSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The key's RFC 7638 thumbprint, written as `kid` in the tokens it signs. */
  kid: string;
}

/** Reads the local ES256 key pair from `<dataDir>/secrets/`, generating it when missing. */
export function localSigningKey(dataDir: string): LocalSigningKey {
  const path = localJwtKeyFile(dataDir);
  const text = localSecretFile(path, generateLocalJwk);
  let jwk: JsonWebKey & { kid?: string };
  try {
    jwk = JSON.parse(text) as JsonWebKey & { kid?: string };
  } catch {
    throw new Error(`${path} is not JSON; delete it to generate a new key`);
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new Error(`${path} is not an ES256 (P-256) private key; delete it to generate a new key`);
  }
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  return { privateKey, publicKey: createPublicKey(privateKey), kid: jwk.kid ?? thumbprint(jwk) };
}

function generateLocalJwk(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  return `${JSON.stringify({ ...jwk, kid: thumbprint(jwk), alg: 'ES256', use: 'sig' }, null, 2)}\n`;
}

function thumbprint(jwk: JsonWebKey): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');
}

export interface TokenClaims {
  subject: string;
  partner: Caller['partner'];
  roles: Caller['roles'];
}

/**
 * Signs a token the gateway accepts: `sub`, `partner`, `roles`, `iss`, `aud`, `iat`, `nbf`, `exp` (now + ttl) and a
 * random `jti`. ES256 with the local key, or HS256 with a shared secret.
 */
export async function issueToken(
  claims: TokenClaims,
  options: { key: LocalSigningKey | { secret: string }; issuer: string; audience: string; ttlSeconds: number; now?: number },
): Promise<string> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const jwt = new SignJWT({ partner: claims.partner, roles: claims.roles })
    .setSubject(claims.subject)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + options.ttlSeconds)
    .setJti(randomUUID());
  if ('secret' in options.key) return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(options.key.secret));
  return jwt.setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: options.key.kid }).sign(options.key.privateKey);
}

export interface Authenticator {
  /** Where the verification keys come from, for the start-up log line. */
  readonly keySource: string;
  /**
   * The caller an `Authorization` header proves: null when there is no header (anonymous). Throws an
   * UNAUTHENTICATED error (HTTP 401) saying what is wrong when the header is there but is not a valid token.
   */
  authenticate(authorization: string | undefined): Promise<Caller | null>;
}

/**
 * Tokens are checked with jose: signature, algorithm allow-list, issuer, audience, exp and nbf (with a small clock
 * tolerance); then their lifetime: a token valid for longer than `maxTokenLifetimeSeconds` (a stolen one would be
 * good for that long) is refused.
 */
export function createAuthenticator(config: AuthenticationConfig, dataDir: string): Authenticator {
  const source = config.keySource;
  const key =
    source.kind === 'jwks'
      ? createRemoteJWKSet(new URL(source.url), { timeoutDuration: 5000, cooldownDuration: 30_000 })
      : source.kind === 'secret'
        ? new TextEncoder().encode(source.secret)
        : localSigningKey(dataDir).publicKey;
  const keySource =
    source.kind === 'jwks' ? `key set at ${source.url}` : source.kind === 'secret' ? 'AUTH_JWT_SECRET' : `local key ${localJwtKeyFile(dataDir)}`;
  const options = {
    algorithms: config.algorithms,
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockToleranceSeconds,
    requiredClaims: ['exp', 'sub'],
  };

  return {
    keySource,
    async authenticate(authorization) {
      if (authorization === undefined) return null;
      const match = /^Bearer +([A-Za-z0-9_.~+/-]+=*) *$/i.exec(authorization);
      if (!match) throw authenticationError('The Authorization header must be "Bearer <token>"');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(match[1], key, options));
      } catch (error) {
        const reason = refusalReason(error);
        // Anything else (the key set cannot be fetched, a bug) is the gateway's problem, not the caller's: a masked 500.
        if (reason === undefined) throw error;
        throw authenticationError(reason);
      }
      // jose has checked that exp (required) and iat (when present) are numbers. An iat still to come counts as now:
      // it must not make a token that is valid from now on for years look short-lived.
      const now = Math.floor(Date.now() / 1000);
      const lifetime = payload.exp! - Math.min(payload.iat ?? now, now);
      if (lifetime > config.maxTokenLifetimeSeconds) {
        throw authenticationError(`The token is valid for too long: at most ${config.maxTokenLifetimeSeconds} seconds from its issue are accepted`);
      }
      return callerOf(payload);
    },
  };
}

/** An UNAUTHENTICATED error answered with HTTP 401 and a `WWW-Authenticate` challenge (RFC 6750). */
export function authenticationError(message: string, options: { tokenGiven?: boolean } = {}): GraphQLError {
  const challenge = options.tokenGiven === false ? 'Bearer realm="uz-fr-health-graph"' : 'Bearer realm="uz-fr-health-graph", error="invalid_token"';
  return new GraphQLError(message, {
    extensions: { code: ERROR_CODES.UNAUTHENTICATED, http: { status: 401, headers: new HeaderMap([['www-authenticate', challenge]]) } },
  });
}

// What the caller did wrong, in words that reveal nothing of the gateway's keys; undefined for failures that are not the token's.
function refusalReason(error: unknown): string | undefined {
  const { code, claim, reason } = error as { code?: string; claim?: string; reason?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'The token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing') return `The token has no "${claim}" claim`;
      if (reason === 'invalid') return `The token's "${claim}" claim is malformed`;
      if (claim === 'nbf') return 'The token is not valid yet (its "nbf" time has not come)';
      if (claim === 'iss') return 'The token was issued by an issuer this gateway does not accept';
      if (claim === 'aud') return 'The token is meant for another audience than this gateway';
      return `The token's "${claim}" claim is not accepted`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The token is signed with an algorithm this gateway does not accept';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return "The token's signature is not valid";
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'The token is malformed';
    default:
      return undefined;
  }
}

function callerOf(payload: JWTPayload): Caller {
  const { sub, partner, roles } = payload;
  if (!isPartner(partner)) throw authenticationError(`The token's "partner" claim must be one of ${PARTNERS.join(', ')}`);
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
    throw authenticationError(`The token's "roles" claim must be a non-empty list of ${ROLES.join(', ')}`);
  }
  const caller = asPartnershipCaller({ subject: sub, partner, roles });
  if (caller === null) throw authenticationError('The token\'s "sub" claim must be 1 to 200 characters');
  return caller;
}
