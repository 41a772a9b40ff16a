import type { RequestHandler } from 'express';

/**
 * CORS for an allow-list of browser origins. An entry is an exact origin (`https://app.example.org`), a
 * pattern where `*` stands for any run of characters other than `/` (`http://localhost:*` is any port), or
 * `*` alone for every origin. Requests from other origins get no CORS headers, so browsers block them;
 * requests without an Origin (curl, servers) are untouched.
 */
export function corsAllowList(origins: string[]): RequestHandler {
  const anyOrigin = origins.includes('*');
  const patterns = origins.map((origin) => new RegExp(`^${origin.split('*').map(escapeRegExp).join('[^/]*')}$`, 'i'));
  const allowed = (origin: string) => anyOrigin || patterns.some((pattern) => pattern.test(origin));
  return (req, res, next) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (!origin || !allowed(origin)) return next();
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    // Lets a browser client read the id to quote when it reports an "Internal server error".
    res.setHeader('access-control-expose-headers', 'x-request-id');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.vary('Access-Control-Request-Headers');
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      const requested = req.headers['access-control-request-headers'];
      if (requested) res.setHeader('access-control-allow-headers', requested);
      res.setHeader('access-control-max-age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
