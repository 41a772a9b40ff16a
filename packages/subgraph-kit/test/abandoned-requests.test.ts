import { request } from 'node:http';
import { signRequest, type Caller } from '@partnership/request-signing';
import { buildSubgraph, type SubgraphServer } from '../src/server';
import { postGraphQL, scratchTargets, type ScratchTarget } from '../src/testing';
import { fixtureSubgraph, Note } from './fixture-subgraph';

const secret = 'abandoned-requests-secret-0123456789abcdef0123';
const editor: Caller = { subject: 'editor-1', partner: 'FR', roles: ['editor'] };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const target of scratchTargets) {
  target.describe('work stops when nobody waits for it', () => {
    let scratch: ScratchTarget;
    let server: SubgraphServer;
    const statements = () => server.database.statements.count;

    beforeEach(async () => {
      scratch = await target.open('abandoned');
      server = await buildSubgraph(fixtureSubgraph, {
        port: 0,
        databaseUrl: scratch.url,
        signingSecret: secret,
        requestTimeoutMs: 1_000,
        shutdownGraceMs: 300,
      });
      await server.listen(0);
    });
    afterEach(async () => {
      await server.stop();
      await scratch.dispose();
    });

    /** Sends a signed operation over a connection the test then drops, once the operation has issued a few statements. */
    async function sendAndHangUp(query: string, caller: Caller | null) {
      const body = JSON.stringify({ query });
      const before = statements();
      const req = request(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...signRequest(secret, caller, body) } });
      req.on('error', () => undefined);
      req.end(body);
      while (statements() < before + 5) await pause(5);
      req.destroy();
      return before;
    }

    test('a request whose client disconnects stops issuing statements, and is logged as abandoned', async () => {
      const warn = jest.spyOn(server.logger, 'warn');
      const before = await sendAndHangUp('{ busyReads(rounds: 300) }', null);
      await pause(100);
      const afterHangUp = statements();
      await pause(500);
      expect(statements()).toBe(afterHangUp);
      // 300 reads were asked for; the few sent before the hang-up (and at most one in progress) are all there are.
      expect(afterHangUp - before).toBeLessThan(12);
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ reason: 'the client closed the connection' }), 'request abandoned');
    });

    test('an abandoned write is rolled back, and the next write works', async () => {
      await sendAndHangUp('mutation { addNotesSlowly(count: 300) }', editor);
      await pause(200);
      expect(await server.database.dataSource.getRepository(Note).count()).toBe(0);
      const next = await postGraphQL<any>(server.url, 'mutation { addNote(text: "after") { text } }', undefined, { secret, caller: editor });
      expect(next.body).toEqual({ data: { addNote: { text: 'after' } } });
    });

    test('stop() lets a request run for the grace, then cuts it: its work stops and the database closes', async () => {
      const warn = jest.spyOn(server.logger, 'warn');
      const before = statements();
      const answer = postGraphQL(server.url, '{ busyReads(rounds: 300) }', undefined, { secret }).then(
        () => 'answered',
        () => 'cut',
      );
      while (statements() < before + 5) await pause(5);
      const started = Date.now();
      await server.stop();
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await answer).toBe('cut');
      expect(server.database.dataSource.isInitialized).toBe(false);
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ reason: 'the service is stopping' }), 'request abandoned');
    });

    test('a request running past REQUEST_TIMEOUT_MS is stopped with a clear error', async () => {
      const started = Date.now();
      const { status, body } = await postGraphQL<any>(server.url, '{ busyReads(rounds: 300) }', undefined, { secret });
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(status).toBe(200);
      expect(body.data).toBeNull();
      expect(body.errors).toEqual([
        expect.objectContaining({ message: 'The request was stopped: it ran longer than 1000 ms', extensions: { code: 'REQUEST_ABANDONED' } }),
      ]);
    });
  });
}
