import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

/**
 * The registry of subgraphs: one JSON file (`subgraphs.json` at the repository root) listing every subgraph with
 * its folder, local port, owner and the subgraphs it checks references with. This module only reads it; it knows no
 * subgraph names itself.
 */
export const SUBGRAPH_REGISTRY_FILE = 'subgraphs.json';

/** One subgraph of the registry. */
export interface RegisteredSubgraph {
  /** The subgraph's name in composition, and the prefix of its variables (`<NAME>_URL`, `<NAME>_DATABASE_URL`). */
  name: string;
  /** Its workspace folder, relative to the registry file. */
  folder: string;
  /** The port it listens on in a local run (`npm start`); its routing URL in the committed supergraph. */
  port: number;
  /** The partner team that owns it. */
  owner: string;
  /**
   * The registered subgraphs it asks before a write (`peers.find`) to check that the records it refers to exist: it
   * gets their `<NAME>_URL`, and their NetworkPolicy lets it in. Empty when the field is left out.
   */
  checksReferencesWith: string[];
}

/**
 * The registry file: `SUBGRAPH_REGISTRY` when set (relative to the working folder), else the nearest
 * `subgraphs.json` above `from` (by default this package, so it is found from any working folder). Undefined
 * when there is none.
 */
export function findSubgraphRegistry(env: NodeJS.ProcessEnv = process.env, from: string = __dirname): string | undefined {
  const configured = env.SUBGRAPH_REGISTRY;
  if (configured) return isAbsolute(configured) ? configured : resolve(configured);
  for (let current = from; ; current = dirname(current)) {
    const candidate = join(current, SUBGRAPH_REGISTRY_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(current) === current) return undefined;
  }
}

/** Reads and checks the registry; throws a message naming the file when it is missing or malformed. */
export function readSubgraphRegistry(file: string | undefined = findSubgraphRegistry()): RegisteredSubgraph[] {
  if (!file) throw new Error(`no ${SUBGRAPH_REGISTRY_FILE} found (set SUBGRAPH_REGISTRY to its path)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the subgraph registry ${file}: ${(err as Error).message}`);
  }
  const list = (parsed as { subgraphs?: unknown })?.subgraphs;
  if (!Array.isArray(list)) throw new Error(`${file}: expected { "subgraphs": [...] }`);
  const subgraphs = list.map((entry: unknown, i): RegisteredSubgraph => {
    const { name, folder, port, owner, checksReferencesWith = [] } = (entry ?? {}) as Record<string, unknown>;
    const where = `${file}: subgraphs[${i}]`;
    if (typeof name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`${where}.name must be lower-case letters, digits and dashes`);
    if (typeof folder !== 'string' || folder === '') throw new Error(`${where}.folder must be a folder path`);
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${where}.port must be an integer 1–65535`);
    if (typeof owner !== 'string' || owner === '') throw new Error(`${where}.owner must name the owning partner team`);
    if (!Array.isArray(checksReferencesWith) || checksReferencesWith.some((peer) => typeof peer !== 'string')) {
      throw new Error(`${where}.checksReferencesWith must be a list of subgraph names`);
    }
    return { name, folder, port, owner, checksReferencesWith };
  });
  for (const [i, a] of subgraphs.entries()) {
    const b = subgraphs.slice(i + 1).find((other) => other.name === a.name || other.port === a.port);
    if (b) throw new Error(`${file}: ${a.name} and ${b.name} share a ${a.name === b.name ? 'name' : `port (${a.port})`}`);
  }
  // Peers may check references with each other (a cycle is fine); each name must be another registered subgraph, once.
  const names = subgraphs.map((s) => s.name);
  for (const [i, { name, checksReferencesWith }] of subgraphs.entries()) {
    const where = `${file}: subgraphs[${i}].checksReferencesWith`;
    for (const [j, peer] of checksReferencesWith.entries()) {
      if (peer === name) throw new Error(`${where}: ${name} cannot list itself`);
      if (!names.includes(peer)) throw new Error(`${where}: "${peer}" is not a registered subgraph (registered: ${names.join(', ')})`);
      if (checksReferencesWith.indexOf(peer) !== j) throw new Error(`${where}: "${peer}" is listed twice`);
    }
  }
  return subgraphs;
}

/** The prefix of a subgraph's variables (`<PREFIX>_URL`, `<PREFIX>_DATABASE_URL`): the name upper-cased, other characters as `_`. */
export function subgraphVariablePrefix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The variable that holds a subgraph's URL: `<PREFIX>_URL`. */
export function subgraphUrlVariableName(name: string): string {
  return `${subgraphVariablePrefix(name)}_URL`;
}

/** The `<NAME>_URL` variables of a local run: every registered subgraph at `http://<host>:<port>/graphql`. */
export function localSubgraphUrls(
  subgraphs: readonly RegisteredSubgraph[],
  host = '127.0.0.1',
  portOf = (s: RegisteredSubgraph) => s.port,
): Record<string, string> {
  return Object.fromEntries(subgraphs.map((s) => [subgraphUrlVariableName(s.name), `http://${host}:${portOf(s)}/graphql`]));
}
