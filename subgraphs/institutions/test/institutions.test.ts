import { createScratchMysqlDatabase, createScratchSqlite, describeOnMysql, postGraphQL } from '@partnership/subgraph-kit/testing';
import type { SubgraphServer } from '@partnership/subgraph-kit';
import { createInstitutionsServer } from '../src/server';
import { Institution } from '../src/entities';
import { searchTextOf } from '@partnership/subgraph-kit';

/** The same behaviour is required on the embedded SQLite default and on MySQL. */
function institutionsQueries(openDatabase: () => Promise<{ url: string; dispose(): Promise<void> }>) {
  let server: SubgraphServer;
  let url: string;
  let dispose: () => Promise<void>;
  const gql = (query: string, variables?: Record<string, unknown>) => postGraphQL<any>(url, query, variables);

  beforeAll(async () => {
    const db = await openDatabase();
    dispose = db.dispose;
    server = await createInstitutionsServer({ port: 0, databaseUrl: db.url });
    url = await server.listen(0);
    // A Cyrillic name, as partners may record them (the article itself has none).
    await server.database.dataSource.getRepository(Institution).insert({
      id: 'test-cyrillic',
      name: 'Tashkent City Clinic',
      localName: 'Ташкентская городская клиника',
      kind: 'HOSPITAL',
      status: 'OPERATING',
      country: 'UZ',
      city: 'Ташкент',
      brand: null,
      description: null,
      partOfId: null,
      searchText: searchTextOf('Tashkent City Clinic', 'Ташкентская городская клиника'),
      synthetic: true,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await dispose?.();
  });

  test('the Paul Strauss Center is in Strasbourg, France', async () => {
    const { body } = await gql('{ institution(id: "paul-strauss-center") { name localName kind country city specialties } }');
    expect(body.data.institution).toEqual({
      name: 'Paul Strauss Center',
      localName: 'Centre Paul Strauss',
      kind: 'CANCER_CENTER',
      country: 'FR',
      city: 'Strasbourg',
      specialties: ['ONCOLOGY', 'SURGERY'],
    });
  });

  test('every institution and person of the article is there', async () => {
    const { body } = await gql(
      '{ institutions(first: 100, filter: { search: "" }) { totalCount nodes { id } } people(first: 100) { nodes { id fullName title institution { id } } } }',
    );
    const ids = body.data.institutions.nodes.map((n: { id: string }) => n.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'uz-ministry-of-health',
        'vakhidov-surgery-center',
        'emergency-medical-care-center',
        'cardiology-center',
        'national-medical-center',
        'blood-transfusion-center',
        'tashkent-oncology-center',
        'fr-ministry-europe-foreign-affairs',
        'gustave-roussy',
        'fr-prime-ministers-office',
        'interministerial-center-for-disability',
        'national-academy-of-surgery',
        'paul-strauss-center',
        'monaco-cardiothoracic-center',
      ]),
    );
    expect(body.data.people.nodes).toEqual(
      expect.arrayContaining([
        {
          id: 'asilbek-khudayarov',
          fullName: 'Asilbek Khudayarov',
          title: expect.stringContaining('Minister of Health'),
          institution: { id: 'uz-ministry-of-health' },
        },
        { id: 'celine-poulet', fullName: 'Céline Poulet', title: 'Secretary-General', institution: { id: 'interministerial-center-for-disability' } },
        {
          id: 'georges-fabrice-blum',
          fullName: 'Georges-Fabrice Blum',
          title: 'Special Representative for Healthcare',
          institution: { id: 'fr-ministry-europe-foreign-affairs' },
        },
        { id: 'patrick-le-dise', fullName: 'Patrick Le Dise', title: 'Director of International Projects', institution: { id: 'gustave-roussy' } },
      ]),
    );
    expect(body.data.people.nodes).toHaveLength(6);
  });

  test('the planned Tashkent Oncology Center carries the Gustave Roussy International brand', async () => {
    const { body } = await gql('{ institution(id: "tashkent-oncology-center") { status brand city } }');
    expect(body.data.institution).toEqual({ status: 'PLANNED', brand: 'Gustave Roussy International', city: 'Tashkent' });
  });

  test('search ignores case and accents, in Latin and Cyrillic script', async () => {
    const names = async (query: string) => {
      const { body } = await gql(query);
      return Object.values(body.data as Record<string, { nodes: Array<{ name?: string; fullName?: string }> }>)[0].nodes.map((n) => n.name ?? n.fullName);
    };
    expect(await names('{ people(filter: { search: "celine" }) { nodes { fullName } } }')).toEqual(['Céline Poulet']);
    expect(await names('{ people(filter: { search: "CÉLINE POU" }) { nodes { fullName } } }')).toEqual(['Céline Poulet']);
    expect(await names('{ institutions(filter: { search: "strauss" }) { nodes { name } } }')).toEqual(['Paul Strauss Center']);
    expect(await names('{ institutions(filter: { search: "academie nationale" }) { nodes { name } } }')).toEqual(['French National Academy of Surgery']);
    expect(await names('{ institutions(filter: { search: "ТАШКЕНТСКАЯ" }) { nodes { name } } }')).toEqual(['Tashkent City Clinic']);
    expect(await names('{ institutions(filter: { search: "100%_" }) { nodes { name } } }')).toEqual([]);
  });

  test('filters combine with AND', async () => {
    const { body } = await gql(
      '{ a: institutions(filter: { country: FR, kind: CANCER_CENTER }) { nodes { id } } b: institutions(filter: { specialty: SURGERY, country: UZ }) { nodes { id } } c: people(filter: { institution: "gustave-roussy" }) { nodes { id } } }',
    );
    expect(body.data.a.nodes.map((n: { id: string }) => n.id)).toEqual(['gustave-roussy', 'paul-strauss-center']);
    expect(body.data.b.nodes.map((n: { id: string }) => n.id)).toEqual(['vakhidov-surgery-center']);
    expect(body.data.c.nodes.map((n: { id: string }) => n.id)).toEqual(['fabrice-barlesi', 'patrick-le-dise']);
  });

  test('cursor pagination walks every institution once, with totalCount', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { body }: { body: any } = await gql(
        'query ($after: String) { institutions(first: 4, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      const page = body.data.institutions;
      expect(page.totalCount).toBe(15);
      seen.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(15);
  });

  test('first: 0 counts without a page, and says whether anything follows the cursor', async () => {
    const { body } = await gql('{ institutions(first: 1) { pageInfo { endCursor } } all: institutions(first: 100) { edges { cursor } } }');
    const lastCursor = body.data.all.edges[body.data.all.edges.length - 1].cursor;
    const page = async (after: string) =>
      (await gql('query ($after: String) { institutions(first: 0, after: $after) { totalCount nodes { id } pageInfo { hasNextPage } } }', { after })).body.data
        .institutions;
    expect(await page(body.data.institutions.pageInfo.endCursor)).toEqual({ totalCount: 15, nodes: [], pageInfo: { hasNextPage: true } });
    expect(await page(lastCursor)).toEqual({ totalCount: 15, nodes: [], pageInfo: { hasNextPage: false } });
  });

  test('the Interministerial Center for Disability is part of the Prime Minister’s Office', async () => {
    const { body } = await gql('{ institution(id: "fr-prime-ministers-office") { units { id people { fullName } } } }');
    expect(body.data.institution.units).toEqual([{ id: 'interministerial-center-for-disability', people: [{ fullName: 'Céline Poulet' }] }]);
  });

  test('_entities resolves references in the order asked, unknown ids to null', async () => {
    const { body } = await gql('query ($r: [_Any!]!) { _entities(representations: $r) { ... on Institution { id name } ... on Person { id fullName } } }', {
      r: [
        { __typename: 'Person', id: 'celine-poulet' },
        { __typename: 'Institution', id: 'no-such-institution' },
        { __typename: 'Institution', id: 'gustave-roussy' },
      ],
    });
    expect(body.errors).toBeUndefined();
    expect(body.data._entities).toEqual([{ id: 'celine-poulet', fullName: 'Céline Poulet' }, null, { id: 'gustave-roussy', name: 'Gustave Roussy' }]);
  });

  test.each([
    ['{ institutions(first: -1) { totalCount } }', 'first'],
    ['{ institutions(first: 101) { totalCount } }', 'first'],
    ['{ institutions(after: "not-a-cursor") { totalCount } }', 'after'],
    ['{ institutions(after: "aWQ6") { totalCount } }', 'after'],
    ['{ institution(id: "bad id; drop table") { id } }', 'id'],
    [`{ institution(id: "${'x'.repeat(65)}") { id } }`, 'id'],
    [`{ people(filter: { search: "${'a'.repeat(101)}" }) { totalCount } }`, 'filter.search'],
    ['{ people(filter: { institution: "" }) { totalCount } }', 'filter.institution'],
  ])('bad input %s is refused with BAD_USER_INPUT on %s', async (query, field) => {
    const { status, body } = await gql(query);
    expect(status).toBe(200);
    expect(body.data === null ? [null] : Object.values(body.data)).toEqual([null]);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    expect(body.errors![0].message).toMatch(/must/);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|stack/i);
  });

  test('an unknown enum value in variables is BAD_USER_INPUT naming the value', async () => {
    const { body } = await gql('query ($c: Country) { institutions(filter: { country: $c }) { totalCount } }', { c: 'ZZ' });
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0].message).toMatch(/"ZZ"/);
  });
}

describe('institutions subgraph on SQLite', () => {
  institutionsQueries(async () => {
    const file = createScratchSqlite('institutions');
    return { url: file.url, dispose: async () => file.remove() };
  });
});

describeOnMysql('institutions subgraph', () => {
  institutionsQueries(async () => {
    const db = await createScratchMysqlDatabase('institutions');
    return { url: db.url, dispose: db.drop };
  });
});
