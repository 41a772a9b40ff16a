import { buildSubgraph, type SubgraphServer } from '../src/server';
import { postGraphQL, scratchTargets } from '../src/testing';
import { fixtureSubgraph } from './fixture-subgraph';

const sqlite = scratchTargets.find((t) => t.label === 'SQLite')!;
const entities = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Note { id } } }';
const notes = (count: number) => Array.from({ length: count }, (_, i) => ({ __typename: 'Note', id: `note-${i}` }));

describe('the number of _entities representations per call', () => {
  let scratch: Awaited<ReturnType<typeof sqlite.open>>;
  let server: SubgraphServer;

  beforeAll(async () => {
    scratch = await sqlite.open('entities-cap');
    server = await buildSubgraph(fixtureSubgraph, { port: 0, databaseUrl: scratch.url });
    await server.listen(0);
  });
  afterAll(async () => {
    await server.stop();
    await scratch.dispose();
  });

  test('15,000 representations in one signed call are refused before any work, and the subgraph stays alive', async () => {
    const representations = notes(15_000);
    expect(Buffer.byteLength(JSON.stringify({ query: entities, variables: { r: representations } }))).toBeLessThan(1024 * 1024);
    const before = server.database.statements.count;
    const { status, body } = await postGraphQL<any>(server.url, entities, { r: representations });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: '_entities accepts at most 10000 representations per call (got 15000); split the call',
        extensions: { code: 'BAD_USER_INPUT', field: 'representations', maximum: 10_000 },
      },
    ]);
    expect(server.database.statements.count).toBe(before);
    expect((await fetch(server.url.replace(/\/graphql$/, '/health/live'))).status).toBe(200);
  });

  test('the cap counts representations written inline too, per call', async () => {
    const capped = await buildSubgraph(fixtureSubgraph, { port: 0, databaseUrl: scratch.url, maxEntityRepresentations: 2 });
    try {
      const url = await capped.listen(0);
      const inline = (count: number) =>
        `{ _entities(representations: [${notes(count)
          .map((n) => `{ __typename: "Note", id: "${n.id}" }`)
          .join(', ')}]) { __typename } }`;
      expect((await postGraphQL<any>(url, inline(2))).body.errors).toBeUndefined();
      expect((await postGraphQL<any>(url, inline(3))).body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'representations', maximum: 2 });
      expect((await postGraphQL<any>(url, entities, { r: notes(2) })).body).toEqual({ data: { _entities: [null, null] } });
    } finally {
      await capped.stop();
    }
  });
});
