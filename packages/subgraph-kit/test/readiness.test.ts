import { buildSubgraph, type SubgraphServer } from '../src/server';
import { scratchTargets, type ScratchTarget } from '../src/testing';
import { fixtureSubgraph } from './fixture-subgraph';

for (const target of scratchTargets) {
  target.describe('readiness checks the schema', () => {
    let scratch: ScratchTarget;
    let server: SubgraphServer;
    let readyUrl: string;
    const ready = async () => {
      const response = await fetch(readyUrl);
      return { status: response.status, body: (await response.json()) as unknown };
    };

    beforeEach(async () => {
      scratch = await target.open('ready');
      server = await buildSubgraph(fixtureSubgraph, { port: 0, databaseUrl: scratch.url });
      readyUrl = (await server.listen(0)).replace(/\/graphql$/, '/health/ready');
    });
    afterEach(async () => {
      await server.stop();
      await scratch.dispose();
    });

    test('ready when every table and migration is there, and the answer says nothing more', async () => {
      expect(await ready()).toEqual({ status: 200, body: { status: 'ready' } });
    });

    test('a dropped entity table makes it unavailable (503)', async () => {
      await server.database.dataSource.query('DROP TABLE note');
      expect(await ready()).toEqual({ status: 503, body: { status: 'unavailable' } });
    });

    test('a missing column, the kit table or a migration not applied make it unavailable', async () => {
      const { dataSource } = server.database;
      await dataSource.query("DELETE FROM migrations WHERE name = 'CreateNotes1795700500000'");
      expect((await ready()).status).toBe(503);
      await dataSource.query("INSERT INTO migrations (timestamp, name) VALUES (1795700500000, 'CreateNotes1795700500000')");
      expect((await ready()).status).toBe(200);
      await dataSource.query('DROP TABLE note');
      await dataSource.query('CREATE TABLE note (id varchar(64) PRIMARY KEY)');
      expect((await ready()).status).toBe(503);
      await dataSource.query('DROP TABLE note');
      await dataSource.query('CREATE TABLE note (id varchar(64) PRIMARY KEY, text varchar(200) NOT NULL)');
      expect((await ready()).status).toBe(200);
      await dataSource.query('DROP TABLE request_nonce');
      expect((await ready()).status).toBe(503);
    });
  });
}
