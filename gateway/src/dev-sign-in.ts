import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPartner, isRole, PARTNERS, ROLES, type Partner, type Role } from '@partnership/domain';
import { ERROR_CODES } from '@partnership/service-runtime';
import express, { type Response, type Router } from 'express';
import { issueToken, localSigningKey } from './authentication';
import { isLoopbackHost, type GatewayConfig } from './config';
import { sendGatewayError } from './error-masking';

/** Where the explorer asks for a development token. */
export const developmentTokenPath = '/auth/dev-token';
/** A development token is good for this long at most: enough for a session of exploring, short if it leaks. */
export const developmentTokenSeconds = 15 * 60;

export interface DevelopmentSignIn {
  /** Whether it is offered now: allowed by NODE_ENV, the local key verifies tokens, and the gateway listens on loopback only. */
  available(): boolean;
  /** `POST /auth/dev-token`; while unavailable the path falls through to the gateway's 404. */
  router: Router;
}

/**
 * The development sign-in: `POST /auth/dev-token` with `{ "partner": "FR", "roles": ["viewer"] }` answers
 * `{ token, expiresIn, claims }`, a token of the local key for that partner and those roles. Whoever can reach a
 * loopback address can already run `npm run token` with the same key, so it gives them nothing more; it never exists
 * where the gateway is reachable from elsewhere, trusts another key, or runs with NODE_ENV=production.
 * Only `content-type: application/json` is read: a cross-site page cannot send that without a CORS preflight.
 */
export function developmentSignIn(config: GatewayConfig, server: Server): DevelopmentSignIn {
  const available = () => {
    if (!config.explorerSignIn?.developmentAllowed || config.authentication.keySource.kind !== 'local') return false;
    // The address actually bound (a host name such as localhost resolved), not the one asked for.
    const address = server.address() as AddressInfo | null;
    return address !== null && typeof address === 'object' && isLoopbackHost(address.address);
  };
  const ttlSeconds = Math.min(developmentTokenSeconds, config.authentication.maxTokenLifetimeSeconds);
  const router = express.Router();
  router.post(
    developmentTokenPath,
    (req, res, next) => {
      if (!available()) return next('router');
      if (!req.is('application/json')) {
        refuse(res, ERROR_CODES.PREFLIGHT_HEADER_REQUIRED, 'Send the request with content-type: application/json');
        return;
      }
      next();
    },
    express.json({ limit: 1024 }),
    async (req, res, next) => {
      const body = req.body as { partner?: unknown; roles?: unknown } | undefined;
      const partner = body?.partner;
      const roles = body?.roles;
      if (!isPartner(partner)) {
        refuse(res, ERROR_CODES.BAD_USER_INPUT, `"partner" must be one of ${PARTNERS.join(', ')}`);
        return;
      }
      if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) {
        refuse(res, ERROR_CODES.BAD_USER_INPUT, `"roles" must be a non-empty list of ${ROLES.join(', ')}`);
        return;
      }
      const unique: Role[] = [...new Set(roles)];
      const claims: { subject: string; partner: Partner; roles: Role[] } = { subject: `dev-${partner}-${unique.join('-')}`, partner, roles: unique };
      try {
        const token = await issueToken(claims, {
          key: localSigningKey(config.dataDir),
          issuer: config.authentication.issuer,
          audience: config.authentication.audience,
          ttlSeconds,
        });
        res.setHeader('cache-control', 'no-store');
        res.json({ token, expiresIn: ttlSeconds, claims: { sub: claims.subject, partner, roles: claims.roles } });
      } catch (error) {
        next(error);
      }
    },
  );
  return { available, router };
}

function refuse(res: Response, code: string, message: string): void {
  sendGatewayError(res, 400, message, { code });
}
