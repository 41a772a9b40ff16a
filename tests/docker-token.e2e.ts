import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort, killAll, repoRoot, startProcess, waitUntilReady, type ServiceProcess } from './processes';

/**
 * The Docker stack's token command (README, "Sign in"): `docker compose exec -T gateway node
 * gateway/dist/src/token-cli.js --partner FR --role viewer` runs in the gateway's container, with that container's
 * environment. No Docker engine runs here, so this runs the same two programs, built, with the environment that
 * docker-compose.yml and the Dockerfile give the gateway container (every `${NAME:-default}` at its default), only the
 * data folder (the `secrets` volume), the port and the subgraph URLs pointed at this machine.
 */
function gatewayContainerEnvironment(dataDir: string, port: number): Record<string, string> {
  const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
    services: { gateway: { environment: Record<string, string> } };
  };
  const withDefaults = Object.fromEntries(
    Object.entries(compose.services.gateway.environment).map(([name, value]) => [name, String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
  );
  // The runtime stage's ENV line: NODE_ENV=production HOST=0.0.0.0.
  const dockerfileEnv = [...readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').matchAll(/^ENV (.+)$/gm)].at(-1)![1];
  const fromDockerfile = Object.fromEntries(dockerfileEnv.split(/\s+/).map((pair) => pair.split('=') as [string, string]));
  expect(fromDockerfile.NODE_ENV).toBe('production');
  return { ...fromDockerfile, ...withDefaults, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
}

describe("the Docker stack's token command, with the gateway container's environment", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'docker-token-'));
  let gateway: ServiceProcess | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    const port = await freePort();
    env = gatewayContainerEnvironment(dataDir, port);
    gateway = startProcess('gateway', 'gateway/dist/src/index.js', env);
    // Live, not ready: no subgraph runs here, and the token is checked before any of them is asked.
    await waitUntilReady(gateway, `http://127.0.0.1:${port}/health/live`, 30_000);
  }, 60_000);
  afterAll(async () => {
    if (gateway) {
      killAll([gateway]);
      await gateway.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ask = (token: string) =>
    fetch(`http://127.0.0.1:${env.PORT}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
  const token = (environment: Record<string, string>) =>
    execFileSync(process.execPath, ['gateway/dist/src/token-cli.js', '--partner', 'FR', '--role', 'viewer'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...environment },
      encoding: 'utf8',
    }).trim();

  test('prints a token the stack gateway accepts; one signed with another key is refused', async () => {
    const accepted = await ask(token(env));
    expect([accepted.status, await accepted.json()]).toEqual([200, { data: { __typename: 'Query' } }]);

    // A checkout's `npm run token` signs with its own key: the stack gateway refuses it, as the README says.
    const elsewhere = mkdtempSync(join(tmpdir(), 'docker-token-other-'));
    try {
      const refused = await ask(token({ ...env, DATA_DIR: elsewhere }));
      expect(refused.status).toBe(401);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
