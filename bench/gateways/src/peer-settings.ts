/**
 * What every peer gateway of the benchmark reads from its environment (set by run.ts): the port, the supergraph file
 * (its subgraph URLs already point at the benchmark's subgraphs) and the secret that signs subgraph requests.
 */
import { readFileSync } from 'node:fs';

export interface PeerSettings {
  port: number;
  supergraphSdl: string;
  signingSecret: string;
  /** LOG_LEVEL, as for our services. */
  logLevel: string;
}

export function peerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): PeerSettings {
  const missing = ['PORT', 'SUPERGRAPH_PATH', 'GATEWAY_SIGNING_SECRET'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`set ${missing.join(', ')} (run.ts does)`);
  return {
    port: Number(env.PORT),
    supergraphSdl: readFileSync(env.SUPERGRAPH_PATH!, 'utf8'),
    signingSecret: env.GATEWAY_SIGNING_SECRET!,
    logLevel: env.LOG_LEVEL || 'warn',
  };
}

/** The subgraph names of a supergraph by routing URL (`@join__graph(name: ..., url: ...)`). */
export function subgraphNamesByUrl(supergraphSdl: string): Map<string, string> {
  return new Map([...supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)].map(([, name, url]) => [url, name]));
}
