/**
 * The Hive Gateway peer: `createGatewayRuntime` over the supergraph file on a node:http server, everything on its
 * defaults (its subgraph request deduplication included). With HIVE_ROUTER_RUNTIME=true it plans with the Rust query
 * planner of `@graphql-hive/router-runtime` (its documented `unifiedGraphHandler` option). The one addition is request
 * signing, which the subgraphs require: an `onFetch` plugin hook adds the signature headers over the exact body sent.
 */
import { createServer } from 'node:http';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { signRequest } from '@partnership/request-signing';
import { peerSettingsFromEnv, subgraphNamesByUrl } from './peer-settings';

function signingPlugin(signingSecret: string, subgraphs: Map<string, string>): GatewayPlugin {
  return {
    onFetch({ url, options, setOptions }) {
      const subgraph = subgraphs.get(url);
      if (subgraph === undefined) return; // not a subgraph request
      const body = typeof options.body === 'string' ? options.body : '';
      const headers = options.headers instanceof Headers ? Object.fromEntries(options.headers) : { ...(options.headers as Record<string, string>) };
      // Anonymous caller (null), for this subgraph: what our gateway sends for a request without a token.
      setOptions({ ...options, headers: { ...headers, ...signRequest(signingSecret, null, body, Date.now(), subgraph) } });
    },
  };
}

function main(): void {
  const { port, supergraphSdl, signingSecret, logLevel } = peerSettingsFromEnv();
  const rustPlanner = process.env.HIVE_ROUTER_RUNTIME === 'true';
  const gateway = createGatewayRuntime({
    supergraph: supergraphSdl,
    logging: logLevel === 'silent' ? false : (logLevel as 'warn'),
    plugins: () => [signingPlugin(signingSecret, subgraphNamesByUrl(supergraphSdl))],
    ...(rustPlanner ? { unifiedGraphHandler } : {}),
  });
  const server = createServer(gateway);
  server.listen(port, '127.0.0.1', () => {
    process.stdout.write(`Hive Gateway${rustPlanner ? ' + Rust query planner' : ''} listening at http://127.0.0.1:${port}${gateway.graphqlEndpoint}\n`);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.close();
      void Promise.resolve(gateway.dispose()).finally(() => process.exit(0));
    });
  }
}

main();
