import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { decodeJwt } from 'jose';
import { bearer, post, startSecured } from './security-fixture';
import { scratchDir, type ScratchDir } from './stubs';

const gatewayDir = resolve(__dirname, '..');
const repositoryRoot = resolve(gatewayDir, '..');
const cli = join(gatewayDir, 'dist', 'src', 'token-cli.js');

/** The environment of a developer's shell, without token settings that would change the key. */
function cliEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
  for (const name of ['AUTH_JWKS_URL', 'AUTH_JWT_SECRET', 'AUTH_ALGORITHMS', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'INIT_CWD']) delete env[name];
  return env;
}

function runCli(args: string[], dataDir: string) {
  const result = spawnSync(process.execPath, [cli, ...args], { env: cliEnv(dataDir), encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run token', () => {
  let files: ScratchDir;
  beforeAll(() => {
    // The CLI runs compiled, as `npm run token` runs it.
    execFileSync(process.execPath, [join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc'), '-b', gatewayDir], { stdio: 'inherit' });
    files = scratchDir('gateway-token-cli');
  });
  afterAll(() => {
    files?.remove();
  });

  test('prints only a token, and the gateway using the same DATA_DIR accepts it for those claims', async () => {
    const { status, stdout } = runCli(['--partner', 'FR', '--role', 'editor', '--role', 'viewer', '--subject', 'alice', '--ttl', '600'], files.dir);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const token = stdout.trim();
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'alice', partner: 'FR', roles: ['editor', 'viewer'], iss: 'uz-fr-health-graph-local', aud: 'uz-fr-health-graph' });
    expect(claims.exp! - claims.iat!).toBe(600);

    const setup = await startSecured({ dataDir: files.dir });
    try {
      const { status: httpStatus, body } = await post(setup.gateway.base, { query: '{ ping }' }, bearer(token));
      expect([httpStatus, body]).toEqual([200, { data: { ping: 'pong' } }]);
      expect(setup.stub.calls.at(-1)!.caller).toEqual({ subject: 'alice', partner: 'FR', roles: ['editor', 'viewer'] });
    } finally {
      await setup.stop();
    }
    // A gateway with another local key (another DATA_DIR) refuses it.
    const stranger = await startSecured();
    try {
      expect((await post(stranger.gateway.base, { query: '{ ping }' }, bearer(token))).status).toBe(401);
    } finally {
      await stranger.stop();
    }
  });

  test.each([
    [['--role', 'editor'], '--partner must be one of UZ, FR, MC'],
    [['--partner', 'DE', '--role', 'editor'], '--partner must be one of UZ, FR, MC (got "DE")'],
    [['--partner', 'UZ'], 'give at least one --role (viewer, analyst, editor, admin)'],
    [['--partner', 'UZ', '--role', 'root'], '--role must be one of viewer, analyst, editor, admin (got "root")'],
    [['--partner', 'UZ', '--role', 'viewer', '--ttl', '0'], '--ttl must be a whole number of seconds from 1 to 86400 (got "0")'],
    [['--partner', 'UZ', '--role', 'viewer', '--ttl', '1h'], '--ttl must be a whole number of seconds from 1 to 86400 (got "1h")'],
    [['--partner', 'UZ', '--role', 'viewer', '--colour', 'blue'], "Unknown option '--colour'"],
  ])('bad options %j: a message on stderr, nothing on stdout, exit code 2', (args, message) => {
    const { status, stdout, stderr } = runCli(args, files.dir);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain('Usage: npm run --silent token --');
  });

  test('`npm run --silent token -- ...` at the repository root prints the token alone', () => {
    const result = spawnSync('npm', ['run', '--silent', 'token', '--', '--partner', 'MC', '--role', 'analyst'], {
      cwd: repositoryRoot,
      env: cliEnv(files.dir),
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(decodeJwt(result.stdout.trim())).toMatchObject({ partner: 'MC', roles: ['analyst'], sub: 'local-user' });
  });
});
