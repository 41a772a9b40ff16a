/**
 * The plain @apollo/gateway peer: `ApolloGateway` over the supergraph file, served by `@apollo/server`'s standalone
 * server, everything on its defaults. The one addition is request signing, which the subgraphs require: each data
 * source keeps @apollo/gateway's default fetcher and adds the signature headers over the exact body it sends (the body
 * exists only once the data source has serialised the request, so `willSendRequest` is too early for it).
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { signRequest } from '@partnership/request-signing';
import { peerSettingsFromEnv } from './peer-settings';

async function main(): Promise<void> {
  const { port, supergraphSdl, signingSecret } = peerSettingsFromEnv();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService({ name, url }) {
      const dataSource = new RemoteGraphQLDataSource({ url });
      const defaultFetcher = dataSource.fetcher;
      dataSource.fetcher = (input, init) => {
        const body = typeof init?.body === 'string' ? init.body : '';
        // Anonymous caller (null), for the subgraph `name`: what our gateway sends for a request without a token.
        return defaultFetcher(input, { ...init, headers: { ...init?.headers, ...signRequest(signingSecret, null, body, Date.now(), name) } });
      };
      return dataSource;
    },
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
  process.stdout.write(`plain @apollo/gateway listening at ${url}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.stop().finally(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`plain @apollo/gateway did not start: ${(err as Error).stack}\n`);
  process.exit(1);
});
