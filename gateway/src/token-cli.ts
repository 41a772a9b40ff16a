import { parseArgs } from 'node:util';
import { isPartner, isRole, PARTNERS, ROLES, type Role } from '@partnership/domain';
import { issueToken, localJwtKeyFile, localSigningKey } from './authentication';
import { defaultDataDir } from '@partnership/service-runtime';
import { authenticationConfigFromEnv } from './config';

// `npm run --silent token -- --partner FR --role editor`: prints a token the local gateway accepts, and nothing else on
// stdout, so `TOKEN=$(npm run --silent token -- ...)` works. Bad options: a message on stderr and exit code 2.
const usage = `Usage: npm run --silent token -- --partner <${PARTNERS.join('|')}> --role <role> [--role <role>...] [--subject <name>] [--ttl <seconds>]

Prints a bearer token for the local gateway (header "Authorization: Bearer <token>").
  --partner   the caller's partner country: ${PARTNERS.join(', ')}
  --role      ${ROLES.join(', ')} (repeat for several)
  --subject   who the caller is (default: local-user)
  --ttl       lifetime in seconds (default: 3600), at most AUTH_MAX_TOKEN_LIFETIME_SECONDS (86400 unless set)
Signed with the local key in DATA_DIR/secrets/local-jwt-key.json (created on first use), or with AUTH_JWT_SECRET
when set; AUTH_ISSUER and AUTH_AUDIENCE as for the gateway.
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<string> {
  // biome-ignore lint/suspicious/noImplicitAnyLet: the type of parseArgs' result follows from the options given below.
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        partner: { type: 'string' },
        role: { type: 'string', multiple: true },
        subject: { type: 'string', default: 'local-user' },
        ttl: { type: 'string', default: '3600' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const partner = values.partner?.toUpperCase();
  if (!isPartner(partner)) throw new UsageError(`--partner must be one of ${PARTNERS.join(', ')}${values.partner ? ` (got "${values.partner}")` : ''}`);
  const roles = values.role ?? [];
  if (roles.length === 0) throw new UsageError(`give at least one --role (${ROLES.join(', ')})`);
  const unknown = roles.find((role) => !isRole(role));
  if (unknown !== undefined) throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got "${unknown}")`);
  const subject = values.subject;
  if (subject.length === 0 || subject.length > 200) throw new UsageError('--subject must be 1 to 200 characters');

  let config: ReturnType<typeof authenticationConfigFromEnv>;
  try {
    config = authenticationConfigFromEnv(process.env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const ttlSeconds = Number(values.ttl);
  const maxTtl = config.maxTokenLifetimeSeconds;
  if (!/^\d+$/.test(values.ttl) || ttlSeconds < 1 || ttlSeconds > maxTtl)
    throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${maxTtl} (got "${values.ttl}")`);
  const source = config.keySource;
  if (source.kind === 'jwks') throw new UsageError('AUTH_JWKS_URL is set: tokens come from that identity provider; unset it to sign with the local key');
  const dataDir = defaultDataDir(process.env);
  const key = source.kind === 'secret' ? { secret: source.secret } : localSigningKey(dataDir);
  if (source.kind === 'local') process.stderr.write(`[token] signed with ${localJwtKeyFile(dataDir)}\n`);
  return issueToken({ subject, partner, roles: [...new Set(roles)] as Role[] }, { key, issuer: config.issuer, audience: config.audience, ttlSeconds });
}

main(process.argv.slice(2)).then(
  (token) => {
    process.stdout.write(`${token}\n`);
  },
  (error: Error) => {
    process.stderr.write(`[token] ${error.message}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${usage}`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
