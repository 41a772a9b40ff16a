/**
 * `npm run signed-query -- <subgraph URL> '<query>' [--variables '{...}'] [--partner FR --role viewer ...]`
 * Sends one GraphQL operation straight to a subgraph, signed as the gateway signs it (with GATEWAY_SIGNING_SECRET or
 * the local secret in ./data/secrets), acting for the caller given (anonymous without --partner). For partner IT
 * running their subgraph alone: a subgraph refuses unsigned requests. Prints the JSON answer.
 */
import { asPartnershipCaller } from '@partnership/domain';
import { signRequest, signingSecret, type Caller } from '@partnership/request-signing';
import { defaultDataDir } from '@partnership/service-runtime';

const USAGE = "usage: npm run signed-query -- <subgraph URL> '<query>' [--variables '<json>'] [--partner UZ|FR|MC --role <role> ... --subject <name>]";

function parse(args: string[]): { url: string; query: string; variables: unknown; caller: Caller | null } {
  const [url, query, ...options] = args;
  if (!url || !query || !/^https?:\/\//.test(url)) throw new Error(USAGE);
  let variables: unknown;
  let partner: string | undefined;
  let subject = 'partner-it';
  const roles: string[] = [];
  for (let i = 0; i < options.length; i += 2) {
    const [name, value] = [options[i], options[i + 1]];
    if (value === undefined) throw new Error(`${name} needs a value\n${USAGE}`);
    if (name === '--variables') variables = JSON.parse(value);
    else if (name === '--partner') partner = value;
    else if (name === '--role') roles.push(value);
    else if (name === '--subject') subject = value;
    else throw new Error(`unknown option ${name}\n${USAGE}`);
  }
  if (partner === undefined && roles.length === 0) return { url, query, variables, caller: null };
  const caller = asPartnershipCaller({ subject, partner, roles });
  if (caller === null) throw new Error(`--partner must be UZ, FR or MC and each --role one of viewer, analyst, editor, admin\n${USAGE}`);
  return { url, query, variables, caller };
}

async function main(): Promise<void> {
  const { url, query, variables, caller } = parse(process.argv.slice(2));
  const secret = signingSecret(process.env, defaultDataDir(process.env));
  const body = JSON.stringify({ query, variables });
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signRequest(secret, caller, body) }, body });
  process.stdout.write(`${await response.text()}\n`);
  if (!response.ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 2;
});
