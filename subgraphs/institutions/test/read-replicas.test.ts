/**
 * Read replicas: there is no real replication here, so the "replica" is a second database with the same schema and
 * rows, made to differ on purpose. What a request reads then shows where it read from.
 */
import { readRows, runInRequestScope, type SubgraphServer } from '@partnership/subgraph-kit';
import { createScratchMysqlDatabase, describeOnMysql, postGraphQL, testCaller, type ScratchDatabase } from '@partnership/subgraph-kit/testing';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { Institution } from '../src/entities';
import { createInstitutionsServer } from '../src/server';

const frEditor = testCaller('FR', ['editor']);
const ID = 'gustave-roussy';
const REPLICA_NAME = 'Gustave Roussy (as the replica has it)';

/** Runs `work` as part of a signed request, a query's or (`mutation`) a mutation's. */
const inRequest = <T>(work: () => Promise<T>, mutation = false) =>
  runInRequestScope({ requestId: 'replica-test', nonce: 'n', expiresAt: Date.now() + 60_000, signal: new AbortController().signal, mutation }, work);

describeOnMysql('institutions with a read replica', () => {
  let primary: ScratchDatabase;
  let replica: ScratchDatabase;
  let onPrimary: Connection;
  let onReplica: Connection;
  let primaryName: string;
  let server: SubgraphServer | undefined;
  let url: string;

  const rows = async (db: Connection, sql: string, parameters: unknown[] = []) => (await db.query<RowDataPacket[]>(sql, parameters))[0];

  beforeAll(async () => {
    primary = await createScratchMysqlDatabase('replicas_primary');
    replica = await createScratchMysqlDatabase('replicas_replica');
    // Both get the same schema and reference data, as replication would give the replica.
    for (const scratch of [primary, replica]) await (await createInstitutionsServer({ port: 0, databaseUrl: scratch.url })).stop();
    onPrimary = await createConnection(primary.url);
    onReplica = await createConnection(replica.url);
    await onReplica.query('UPDATE institution SET name = ? WHERE id = ?', [REPLICA_NAME, ID]);
    [{ name: primaryName }] = (await rows(onPrimary, 'SELECT name FROM institution WHERE id = ?', [ID])) as Array<{ name: string }>;
    expect(primaryName).not.toBe(REPLICA_NAME);
    server = await createInstitutionsServer({ port: 0, databaseUrl: primary.url, databaseReadUrls: [replica.url], metrics: { port: 0, host: '127.0.0.1' } });
    url = await server.listen(0);
  });
  afterAll(async () => {
    await server?.stop();
    await onPrimary?.end();
    await onReplica?.end();
    await primary?.drop();
    await replica?.drop();
  });

  test('a query reads from the replica: by id (loaders) and in lists (pagination)', async () => {
    const { body } = await postGraphQL<any>(url, `{ institution(id: "${ID}") { name } institutions(filter: { country: FR }) { nodes { id name } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.institution.name).toBe(REPLICA_NAME);
    expect(body.data.institutions.nodes).toContainEqual({ id: ID, name: REPLICA_NAME });
  });

  test("TypeORM's reads go to the replica for a query request only; a mutation's and work outside requests read the primary", async () => {
    const { dataSource } = server!.database;
    const nameRead = async () => (await dataSource.getRepository(Institution).findOneByOrFail({ id: ID })).name;
    expect(await inRequest(nameRead)).toBe(REPLICA_NAME);
    expect(await inRequest(nameRead, true)).toBe(primaryName);
    expect(await nameRead()).toBe(primaryName);
  });

  test('a mutation writes to the primary only, and its answer reads the primary (its own writes), not the replica', async () => {
    const input = { id: 'replica-test-person', institutionId: ID, fullName: 'Replica Test', idempotencyKey: 'replica-test-key' };
    const { body } = await postGraphQL<any>(
      url,
      'mutation ($input: AddPersonInput!) { addPerson(input: $input) { person { id fullName institution { id name } } } }',
      { input },
      { caller: frEditor },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.addPerson.person).toEqual({ id: input.id, fullName: 'Replica Test', institution: { id: ID, name: primaryName } });

    const count = async (db: Connection, sql: string) => Number((await rows(db, sql))[0].n);
    for (const [what, sql] of [
      ['the person', `SELECT COUNT(*) AS n FROM person WHERE id = '${input.id}'`],
      ['the idempotency key', `SELECT COUNT(*) AS n FROM idempotent_request WHERE idempotency_key = '${input.idempotencyKey}'`],
      ["the signature's nonce", 'SELECT COUNT(*) AS n FROM request_nonce'],
      ['the audit entry', `SELECT COUNT(*) AS n FROM audit_entry WHERE record_id = '${input.id}'`],
    ]) {
      expect({ what, primary: await count(onPrimary, sql), replica: await count(onReplica, sql) }).toEqual({ what, primary: 1, replica: 0 });
    }
    // A query that follows reads the replica, which (never replicated to here) lacks the person: what lag looks like.
    const after = await postGraphQL<any>(url, `{ person(id: "${input.id}") { id } }`);
    expect(after.body).toEqual({ data: { person: null } });
  });

  test("plain reads (readRows) follow the same routing, and the replica's connections have the statement time limit", async () => {
    const { dataSource } = server!.database;
    const sql = 'SELECT DATABASE() AS db, @@max_statement_time AS limitSeconds';
    const [query] = await inRequest(() => readRows(dataSource, sql, []));
    expect({ db: query.db, limitSeconds: Number(query.limitSeconds) }).toEqual({ db: new URL(replica.url).pathname.slice(1), limitSeconds: 5 });
    const [outside] = await readRows(dataSource, sql, []);
    expect(outside.db).toBe(new URL(primary.url).pathname.slice(1));
  });

  test('the connection metrics have a series for each pool: the primary and the replica', async () => {
    const text = await (await fetch(server!.metricsUrl!)).text();
    const series = text.split('\n').filter((line) => line.startsWith('db_client_connection_pending_requests{'));
    expect(series.map((line) => /pool_name="([^"]+)"/.exec(line)?.[1]).sort()).toEqual(['primary', 'replica-1']);
  });

  test('readiness checks the primary; a replica that cannot be reached fails one query, then reads go to the primary', async () => {
    const broken = new URL(replica.url);
    broken.pathname = `${broken.pathname}_missing`;
    const degraded = await createInstitutionsServer({ port: 0, databaseUrl: primary.url, databaseReadUrls: [broken.toString()], loadReferenceData: false });
    try {
      const degradedUrl = await degraded.listen(0);
      const ready = await fetch(degradedUrl.replace(/graphql$/, 'health/ready'));
      expect(ready.status).toBe(200);
      const query = `{ institution(id: "${ID}") { name } }`;
      const first = await postGraphQL<any>(degradedUrl, query);
      expect(first.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
      // mysql2 sets the replica's pool aside for 5 s after 5 failed connection attempts; meanwhile the primary serves.
      const second = await postGraphQL<any>(degradedUrl, query);
      expect(second.body).toEqual({ data: { institution: { name: primaryName } } });
    } finally {
      await degraded.stop();
    }
  });
});
