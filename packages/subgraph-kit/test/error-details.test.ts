import { createServer } from 'node:net';
import { EntityLookup } from '../src/entity-lookup';
import type { Logger } from '../src/logger';
import { buildSubgraph, type SubgraphServer } from '../src/server';
import { postGraphQL, scratchTargets } from '../src/testing';
import { fixtureSubgraph } from './fixture-subgraph';

const sqlite = scratchTargets.find((t) => t.label === 'SQLite')!;

/** A port where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('errors never name internal hosts, ports or paths', () => {
  test('a reference check that cannot reach its peer says which subgraph, and logs where it tried', async () => {
    const port = await closedPort();
    const warn = jest.fn();
    const lookup = new EntityLookup({ institutions: `http://127.0.0.1:${port}/graphql` }, 'a'.repeat(40), { warn } as unknown as Logger);
    const failure = await lookup.find('institutions', 'Institution', ['gustave-roussy'], '', null).catch((err: unknown) => err);
    expect(failure).toMatchObject({
      message: 'could not check Institution ids with the institutions subgraph; nothing was written, try again later',
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
    expect(JSON.stringify(failure)).not.toMatch(new RegExp(`127\\.0\\.0\\.1|${port}|ECONNREFUSED`));
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ subgraph: 'institutions', url: `http://127.0.0.1:${port}/graphql` }), 'reference check failed');
  });

  describe('a subgraph', () => {
    let scratch: Awaited<ReturnType<typeof sqlite.open>>;
    let server: SubgraphServer;
    beforeAll(async () => {
      scratch = await sqlite.open('errors');
      server = await buildSubgraph(fixtureSubgraph, { port: 0, databaseUrl: scratch.url });
      await server.listen(0);
    });
    afterAll(async () => {
      await server.stop();
      await scratch.dispose();
    });

    test('answers a body over 1 MB with a GraphQL-shaped 413, no stack trace or file path', async () => {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"query":"${' '.repeat(1_100_000)}"}`,
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        errors: [{ message: 'The request body is too large: at most 1 MB is accepted', extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
      });
    });

    test('answers a failed statement with "Internal server error" only', async () => {
      await server.database.dataSource.query('ALTER TABLE note RENAME TO note_moved');
      try {
        const { body } = await postGraphQL<any>(server.url, '{ notes { id } }');
        expect(body.errors).toEqual([
          { message: 'Internal server error', locations: expect.any(Array), path: ['notes'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        ]);
      } finally {
        await server.database.dataSource.query('ALTER TABLE note_moved RENAME TO note');
      }
    });
  });
});
