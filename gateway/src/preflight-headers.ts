import type { RequestHandler } from 'express';
import { ERROR_CODES } from '@partnership/service-runtime';
import { sendGatewayError } from './error-masking';

// Apollo's CSRF prevention (csrfPrevention: true) refuses a request a browser could send cross-site without a
// preflight: no content-type or a "simple" one, and none of these headers. It answers with a generic text; this
// answers the same requests first, with the same status, saying exactly which header to send.
const simpleContentTypes = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
const preflightHeaders = ['apollo-require-preflight', 'x-apollo-operation-name'];

/** Refuses, with HTTP 400 and PREFLIGHT_HEADER_REQUIRED, what Apollo's CSRF prevention would refuse. */
export function explainPreflightHeaders(): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'POST') return next();
    const contentType = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
    if (contentType !== undefined && !simpleContentTypes.includes(contentType)) return next();
    if (preflightHeaders.some((name) => (req.headers[name]?.length ?? 0) > 0)) return next();
    const message =
      req.method === 'POST'
        ? `Send the header "content-type: application/json" with a JSON body ({"query": ...}); this request sent ${contentType ? `"content-type: ${contentType}"` : 'no content-type'} (curl -d sends application/x-www-form-urlencoded: add -H 'content-type: application/json'). Without it the request is refused as a possible Cross-Site Request Forgery (CSRF).`
        : 'Send the header "apollo-require-preflight: true" with a GET (curl: -H \'apollo-require-preflight: true\'), or POST a JSON body with "content-type: application/json". Without it the request is refused as a possible Cross-Site Request Forgery (CSRF).';
    sendGatewayError(res, 400, message, { code: ERROR_CODES.PREFLIGHT_HEADER_REQUIRED });
  };
}
