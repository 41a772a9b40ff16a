import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The shared secret of gateway and subgraphs must be at least this long (32 bytes as hex). */
export const MIN_SECRET_LENGTH = 32;

/**
 * The gateway-to-subgraph signing secret: `GATEWAY_SIGNING_SECRET` when set (production: the same value for the
 * gateway and every subgraph); otherwise a secret generated on first use in `<dataDir>/secrets/`, which every local
 * service started from the same folder shares.
 */
export function signingSecret(env: NodeJS.ProcessEnv, dataDir: string): string {
  return configuredSigningSecret(env) ?? localSecretFile(join(dataDir, 'secrets', 'gateway-signing-secret'), () => randomBytes(32).toString('hex'));
}

/** `GATEWAY_SIGNING_SECRET` when set (checked for length), else undefined. */
export function configuredSigningSecret(env: NodeJS.ProcessEnv): string | undefined {
  const configured = env.GATEWAY_SIGNING_SECRET;
  if (configured === undefined || configured === '') return undefined;
  if (configured.length < MIN_SECRET_LENGTH) throw new Error(`GATEWAY_SIGNING_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
  return configured;
}

/**
 * Reads a local secret file, creating it (mode 600) with `generate()` when missing. Creation is exclusive, so
 * services starting at the same moment all end up with the first one written.
 */
export function localSecretFile(path: string, generate: () => string): string {
  try {
    return readExisting(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, generate(), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readExisting(path);
}

function readExisting(path: string): string {
  // A file another process has just created may still be empty for a moment.
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const text = readFileSync(path, 'utf8').trim();
    if (text.length > 0) return text;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  throw new Error(`${path} is empty; delete it to generate a new secret`);
}
