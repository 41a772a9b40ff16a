import { createScratchMysqlDatabase, describeOnMysql, postGraphQL, type ScratchDatabase } from '@partnership/subgraph-kit/testing';
import { searchTextOf, type SubgraphServer } from '@partnership/subgraph-kit';
import { createInstitutionsServer } from '../src/server';
import { Person } from '../src/entities';

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();

// A round trip can look right while the bytes are wrong (double-encoded latin1); HEX() shows the stored bytes.
describeOnMysql('names stored byte for byte', () => {
  let db: ScratchDatabase;
  let server: SubgraphServer;

  beforeAll(async () => {
    db = await createScratchMysqlDatabase('institutions_utf8');
    server = await createInstitutionsServer({ port: 0, databaseUrl: db.url });
  });
  afterAll(async () => {
    await server.stop();
    await db.drop();
  });

  test('an accented name from the reference data is utf8mb4 in the table', async () => {
    const [row] = await server.database.dataSource.query("SELECT HEX(full_name) AS h FROM person WHERE id = 'celine-poulet'");
    expect(row.h).toBe(hex('Céline Poulet'));
  });

  test('a Cyrillic name written through the service is stored and read back exactly', async () => {
    const name = 'Ташкент Тест';
    await server.database.dataSource.getRepository(Person).insert({
      id: 'test-cyrillic-person',
      fullName: name,
      title: null,
      email: null,
      phone: null,
      institutionId: null,
      searchText: searchTextOf(name),
      synthetic: true,
    });
    const [row] = await server.database.dataSource.query("SELECT HEX(full_name) AS h FROM person WHERE id = 'test-cyrillic-person'");
    expect(row.h).toBe(hex(name));
    const url = await server.listen(0);
    const { body } = await postGraphQL<any>(url, '{ people(filter: { search: "ТАШКЕНТ" }) { nodes { fullName } } }');
    expect(body.data.people.nodes).toEqual([{ fullName: name }]);
  });
});
