import { signRequest, type Caller } from '@partnership/request-signing';
import { NonceClaims } from '../src/request-nonce';
import { buildSubgraph, type SubgraphServer } from '../src/server';
import { scratchTargets, type ScratchTarget } from '../src/testing';
import { fixtureSubgraph, Note } from './fixture-subgraph';

const secret = 'replay-protection-secret-0123456789abcdef0123';
const editor: Caller = { subject: 'editor-1', partner: 'FR', roles: ['editor'] };

/** A signed mutation as an eavesdropper would capture it: the exact bytes and headers. */
function capturedMutation(text: string) {
  const body = JSON.stringify({ query: 'mutation ($t: String!) { addNote(text: $t) { id } }', variables: { t: text } });
  return { body, headers: { 'content-type': 'application/json', ...signRequest(secret, editor, body, Date.now(), fixtureSubgraph.name) } };
}

async function send(server: SubgraphServer, request: { body: string; headers: Record<string, string> }) {
  const response = await fetch(server.url, { method: 'POST', headers: request.headers, body: request.body });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions: { code: string } }> } };
}

for (const target of scratchTargets) {
  target.describe('a signed mutation replayed', () => {
    let scratch: ScratchTarget;
    const servers: SubgraphServer[] = [];
    const start = async () => {
      const server = await buildSubgraph(fixtureSubgraph, { port: 0, databaseUrl: scratch.url, signingSecret: secret });
      servers.push(server);
      await server.listen(0);
      return server;
    };
    const notes = (server: SubgraphServer) => server.database.dataSource.getRepository(Note).count();
    const refusedAsReplay = { status: 401, body: { errors: [{ message: 'Unauthorized: replayed request', extensions: { code: 'UNAUTHENTICATED' } }] } };

    beforeEach(async () => {
      scratch = await target.open('replay');
    });
    afterEach(async () => {
      for (const server of servers.splice(0)) await server.stop();
      await scratch.dispose();
    });

    test('after the subgraph was stopped and rebuilt on the same database is refused, and nothing is written twice', async () => {
      const request = capturedMutation('written once');
      const first = await start();
      const sent = await send(first, request);
      expect(sent.status).toBe(200);
      expect(sent.body.errors).toBeUndefined();
      await first.stop();

      const restarted = await start();
      expect(await send(restarted, request)).toMatchObject(refusedAsReplay);
      expect(await notes(restarted)).toBe(1);
    });

    test('to a second replica on the same database is refused', async () => {
      const request = capturedMutation('written once');
      const [one, two] = [await start(), await start()];
      expect((await send(one, request)).status).toBe(200);
      expect(await send(two, request)).toMatchObject(refusedAsReplay);
      expect(await notes(two)).toBe(1);
    });

    test('sent twice to one server is refused by the in-memory guard before any work', async () => {
      const request = capturedMutation('written once');
      const server = await start();
      expect((await send(server, request)).status).toBe(200);
      const before = server.database.statements.count;
      expect(await send(server, request)).toMatchObject(refusedAsReplay);
      expect(server.database.statements.count).toBe(before);
    });

    test('claims expire: nonces are swept five minutes after their expiry (the clock skew a replica may have), fresh ones kept', async () => {
      const server = await start();
      const claims = new NonceClaims(server.database);
      const now = Date.now();
      const nonces = async () =>
        ((await server.database.dataSource.query('SELECT nonce FROM request_nonce ORDER BY nonce')) as Array<{ nonce: string }>).map((r) => r.nonce);
      expect(await claims.claim('a'.repeat(32), now + 30_000, now)).toBe(true);
      expect(await claims.claim('a'.repeat(32), now + 30_000, now)).toBe(false);
      // A minute later 'a' has expired, but a replica whose clock is behind may still accept it: kept.
      expect(await claims.claim('b'.repeat(32), now + 120_000, now + 61_000)).toBe(true);
      expect(await nonces()).toEqual(['a'.repeat(32), 'b'.repeat(32)]);
      // Past expiry plus the margin: swept.
      expect(await claims.claim('c'.repeat(32), now + 400_000, now + 30_000 + 5 * 60_000 + 61_000)).toBe(true);
      expect(await nonces()).toEqual(['b'.repeat(32), 'c'.repeat(32)]);
    });
  });
}
