import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { composeSupergraph, eventually, federationLink, scratchDir, startGateway, testConfig } from './stubs';

describe('stop()', () => {
  test('does not wait for a request in flight longer than SHUTDOWN_GRACE_MS, nor on keep-alive connections', async () => {
    // A subgraph that accepts connections and never answers.
    const sockets = new Set<Socket>();
    const hung = createServer((socket) => {
      sockets.add(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/graphql`;
    const files = scratchDir('gateway-shutdown');
    const supergraphPath = files.file(
      'supergraph.graphql',
      composeSupergraph([{ name: 'training', url, sdl: `${federationLink}\ntype Query { ping: String }\n` }]),
    );
    const gateway = await startGateway(testConfig({ supergraphPath, subgraphTimeoutMs: 60_000, shutdownGraceMs: 300 }));
    try {
      // An idle keep-alive connection, and a request waiting on the subgraph.
      expect((await fetch(`${gateway.base}/health/live`)).status).toBe(200);
      const inFlight = fetch(`${gateway.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ ping }' }),
      }).then(
        (response) => response.status,
        () => 'connection closed',
      );
      await eventually(async () => expect(sockets.size).toBeGreaterThan(0));

      const started = Date.now();
      await gateway.stop();
      // Generous: the grace period is 300 ms; without a deadline this waits for the 60 s subgraph timeout.
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await inFlight).toBe('connection closed');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
      files.remove();
    }
  }, 30_000);
});
