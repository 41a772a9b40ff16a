import { createScratchMysqlDatabase, createScratchSqlite, describeOnMysql, postGraphQL } from '@partnership/subgraph-kit/testing';
import type { SubgraphServer } from '@partnership/subgraph-kit';
import { createAgreementsServer } from '../src/server';

const ids = (nodes: Array<{ id: string }>) => nodes.map((n) => n.id);

/** The same behaviour is required on the embedded SQLite default and on MySQL. */
function agreementsQueries(openDatabase: () => Promise<{ url: string; dispose(): Promise<void> }>) {
  let server: SubgraphServer;
  let url: string;
  let dispose: () => Promise<void>;
  const gql = (query: string, variables?: Record<string, unknown>) => postGraphQL<any>(url, query, variables);
  const agreementIds = async (filter: string) => {
    const { body } = await gql(`{ agreements(filter: ${filter}) { totalCount nodes { id } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.agreements.totalCount).toBe(body.data.agreements.nodes.length);
    return ids(body.data.agreements.nodes);
  };

  beforeAll(async () => {
    const db = await openDatabase();
    dispose = db.dispose;
    server = await createAgreementsServer({ port: 0, databaseUrl: db.url });
    url = await server.listen(0);
  });
  afterAll(async () => {
    await server?.stop();
    await dispose?.();
  });

  test('the Protocol on Surgical Cooperation binds three signatories', async () => {
    const { body } = await gql(`{ agreement(id: "protocol-surgical-cooperation") {
      title kind status signedOn concludedOn { precision label year month } areas synthetic event { id }
      parties { institution { id } role representative { id } }
      milestones { id title due { precision label year earliest latest } status } } }`);
    expect(body.errors).toBeUndefined();
    const protocol = body.data.agreement;
    expect(protocol).toMatchObject({
      title: 'Protocol on Surgical Cooperation',
      kind: 'PROTOCOL',
      status: 'SIGNED',
      signedOn: null,
      areas: ['SURGERY'],
      synthetic: false,
      event: { id: 'french-healthcare-business-forum-2026' },
      concludedOn: { precision: 'MONTH', label: '19–21 January 2026, French Healthcare & Business Forum', year: 2026, month: 1 },
    });
    expect(protocol.parties).toEqual([
      { institution: { id: 'uz-ministry-of-health' }, role: 'signatory', representative: null },
      { institution: { id: 'fr-ministry-europe-foreign-affairs' }, role: 'signatory', representative: null },
      { institution: { id: 'national-academy-of-surgery' }, role: 'signatory', representative: null },
    ]);
    expect(protocol.milestones).toEqual([
      {
        id: 'protocol-surgical-cooperation-first-five',
        title: 'First five Uzbek surgeons begin training at the Paul Strauss Center, Strasbourg',
        due: { precision: 'MONTH', label: 'March 2026', year: 2026, earliest: '2026-03-01', latest: '2026-03-31' },
        status: 'PLANNED',
      },
      {
        id: 'protocol-surgical-cooperation-100-surgeons',
        title: '100 Uzbek surgeons trained in leading French medical centres',
        due: { precision: 'YEAR', label: 'by 2030', year: 2030, earliest: '2030-01-01', latest: '2030-12-31' },
        status: 'PLANNED',
      },
    ]);
  });

  test('the licensing agreement is signed; its Q1 2026 milestone is a quarter, never 2026-01-01', async () => {
    const { body } = await gql(`{ agreement(id: "gustave-roussy-licensing-agreement") {
      kind status areas summary parties { institution { id } role }
      milestones { id title status due { year quarter month day precision label earliest latest } } } }`);
    const licence = body.data.agreement;
    expect(licence).toMatchObject({ kind: 'LICENSING_AGREEMENT', status: 'SIGNED', areas: ['ONCOLOGY'] });
    expect(licence.summary).toMatch(/Tashkent Oncology Center under the Gustave Roussy International brand/);
    expect(licence.parties).toEqual([
      { institution: { id: 'uz-ministry-of-health' }, role: 'Uzbek party' },
      { institution: { id: 'gustave-roussy' }, role: 'licensor' },
      { institution: { id: 'tashkent-oncology-center' }, role: 'licensed centre (planned)' },
    ]);
    expect(licence.milestones).toHaveLength(6);
    expect(licence.milestones.every((m: { status: string }) => m.status === 'PLANNED')).toBe(true);
    const [visit, plan, ...undated] = licence.milestones;
    expect(visit.title).toMatch(/Fabrice Barlesi/);
    expect(visit.due).toEqual({
      year: 2026,
      quarter: 1,
      month: null,
      day: null,
      precision: 'QUARTER',
      label: 'first quarter of 2026',
      earliest: '2026-01-01',
      latest: '2026-03-31',
    });
    expect(plan).toMatchObject({ title: 'Joint action plan developed', due: { precision: 'YEAR', label: 'through the end of 2026', latest: '2026-12-31' } });
    expect(undated.map((m: { due: unknown }) => m.due)).toEqual([null, null, null, null]);
  });

  test('the talks with Monaco are under discussion, with nothing concluded', async () => {
    const { body } = await gql(`{ agreement(id: "monaco-cardiothoracic-cooperation") {
      kind status signedOn concludedOn { label } areas milestones { id } parties { institution { id } } } }`);
    expect(body.data.agreement).toEqual({
      kind: 'BILATERAL_COLLABORATION',
      status: 'UNDER_DISCUSSION',
      signedOn: null,
      concludedOn: null,
      areas: ['CARDIAC_SURGERY', 'CARDIOLOGY'],
      milestones: [],
      parties: [{ institution: { id: 'uz-ministry-of-health' } }, { institution: { id: 'monaco-cardiothoracic-center' } }],
    });
  });

  test('agreed cooperation names its French representatives and builds on the March 2025 state visit', async () => {
    const { body } = await gql(`{
      mfa: agreement(id: "mfa-healthcare-cooperation") { status areas relatedEvents { id kind startsOn { precision label } } parties { institution { id } representative { id } } }
      disability: agreement(id: "disability-rehabilitation-cooperation") { status areas parties { institution { id } representative { id } } } }`);
    expect(body.data.mfa).toEqual({
      status: 'AGREED',
      areas: ['BLOOD_TRANSFUSION', 'CARDIOLOGY', 'EMERGENCY_MEDICINE', 'ONCOLOGY', 'SURGERY'],
      relatedEvents: [{ id: 'state-visit-france-2025-03', kind: 'STATE_VISIT', startsOn: { precision: 'MONTH', label: 'March 2025' } }],
      parties: [
        { institution: { id: 'uz-ministry-of-health' }, representative: null },
        { institution: { id: 'fr-ministry-europe-foreign-affairs' }, representative: { id: 'georges-fabrice-blum' } },
      ],
    });
    expect(body.data.disability).toEqual({
      status: 'AGREED',
      areas: ['REHABILITATION', 'SOCIAL_WORK'],
      parties: [
        { institution: { id: 'uz-ministry-of-health' }, representative: null },
        { institution: { id: 'interministerial-center-for-disability' }, representative: { id: 'celine-poulet' } },
      ],
    });
  });

  test('each filter narrows the agreements, and filters combine with AND', async () => {
    expect(await agreementIds('{ status: SIGNED }')).toEqual(['gustave-roussy-licensing-agreement', 'protocol-surgical-cooperation']);
    expect(await agreementIds('{ status: AGREED }')).toEqual(['disability-rehabilitation-cooperation', 'mfa-healthcare-cooperation']);
    expect(await agreementIds('{ status: ACTIVE }')).toEqual([]);
    expect(await agreementIds('{ kind: COOPERATION_AGREEMENT }')).toEqual(['disability-rehabilitation-cooperation', 'mfa-healthcare-cooperation']);
    expect(await agreementIds('{ area: SURGERY }')).toEqual(['mfa-healthcare-cooperation', 'protocol-surgical-cooperation']);
    expect(await agreementIds('{ area: CARDIOLOGY }')).toEqual(['mfa-healthcare-cooperation', 'monaco-cardiothoracic-cooperation']);
    expect(await agreementIds('{ party: "gustave-roussy" }')).toEqual(['gustave-roussy-licensing-agreement']);
    expect(await agreementIds('{ party: "fr-ministry-europe-foreign-affairs" }')).toEqual(['mfa-healthcare-cooperation', 'protocol-surgical-cooperation']);
    expect(await agreementIds('{ party: "no-such-institution" }')).toEqual([]);
    expect(await agreementIds('{ country: MC }')).toEqual(['monaco-cardiothoracic-cooperation']);
    expect(await agreementIds('{ country: UZ }')).toHaveLength(5);
    expect(await agreementIds('{ country: FR }')).toEqual([
      'disability-rehabilitation-cooperation',
      'gustave-roussy-licensing-agreement',
      'mfa-healthcare-cooperation',
      'protocol-surgical-cooperation',
    ]);
    expect(await agreementIds('{ country: FR, status: SIGNED, area: SURGERY }')).toEqual(['protocol-surgical-cooperation']);
    expect(await agreementIds('{ kind: PROTOCOL, party: "gustave-roussy" }')).toEqual([]);
    expect(await agreementIds('{ area: CARDIOLOGY, country: FR, party: "uz-ministry-of-health" }')).toEqual(['mfa-healthcare-cooperation']);
  });

  test('the forum: its dates, delegates, countries, participants and agreements', async () => {
    const { body } = await gql(`{ event(id: "french-healthcare-business-forum-2026") {
      name kind status city country minDelegates minHealthcareDelegates delegateCountries synthetic summary
      startsOn { precision earliest latest } endsOn { precision earliest }
      participants { institution { id } person { id } role } agreements { id } } }`);
    const forum = body.data.event;
    expect(forum).toMatchObject({
      name: 'French Healthcare & Business Forum',
      kind: 'FORUM',
      status: 'HELD',
      city: 'Paris',
      country: 'FR',
      minDelegates: 300,
      minHealthcareDelegates: 150,
      delegateCountries: ['UZ', 'KZ', 'TR', 'SA', 'LB', 'MA', 'KW'],
      synthetic: false,
      startsOn: { precision: 'DAY', earliest: '2026-01-19', latest: '2026-01-19' },
      endsOn: { precision: 'DAY', earliest: '2026-01-21' },
    });
    expect(forum.summary).toMatch(/B2B and B2G/);
    expect(forum.participants[0]).toEqual({
      institution: { id: 'uz-ministry-of-health' },
      person: { id: 'asilbek-khudayarov' },
      role: 'head of the Uzbek delegation',
    });
    const heads = forum.participants.filter((p: { role: string }) => p.role === 'head of the institution in the Uzbek delegation');
    expect(heads.map((p: { institution: { id: string }; person: unknown }) => [p.institution.id, p.person])).toEqual([
      ['vakhidov-surgery-center', null],
      ['emergency-medical-care-center', null],
      ['cardiology-center', null],
      ['national-medical-center', null],
      ['blood-transfusion-center', null],
    ]);
    const people = forum.participants.filter((p: { person: unknown }) => p.person !== null).map((p: { person: { id: string } }) => p.person.id);
    expect(people).toEqual(['asilbek-khudayarov', 'georges-fabrice-blum', 'celine-poulet', 'patrick-le-dise']);
    expect(forum.participants.map((p: { institution: { id: string } | null }) => p.institution?.id)).toEqual(
      expect.arrayContaining(['gustave-roussy', 'monaco-cardiothoracic-center', 'interministerial-center-for-disability']),
    );
    expect(ids(forum.agreements)).toEqual([
      'disability-rehabilitation-cooperation',
      'gustave-roussy-licensing-agreement',
      'mfa-healthcare-cooperation',
      'monaco-cardiothoracic-cooperation',
      'protocol-surgical-cooperation',
    ]);
  });

  test('events come in date order; the planned Gustave Roussy visit is a quarter, not a day', async () => {
    const { body } = await gql('{ events { id kind status country startsOn { precision label latest } participants { person { id } role } } }');
    expect(ids(body.data.events)).toEqual(['state-visit-france-2025-03', 'french-healthcare-business-forum-2026', 'gustave-roussy-delegation-visit-2026-q1']);
    const [visit, , delegation] = body.data.events;
    expect(visit).toMatchObject({ kind: 'STATE_VISIT', status: 'HELD', country: 'FR', participants: [{ person: { id: 'shavkat-mirziyoyev' } }] });
    expect(delegation).toMatchObject({
      kind: 'DELEGATION_VISIT',
      status: 'PLANNED',
      country: 'UZ',
      startsOn: { precision: 'QUARTER', label: 'first quarter of 2026', latest: '2026-03-31' },
      participants: [{ person: { id: 'fabrice-barlesi' }, role: 'leads the delegation' }],
    });
  });

  test('cursor pagination walks every agreement once, with totalCount', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { body }: { body: any } = await gql(
        'query ($after: String) { agreements(first: 2, after: $after) { totalCount nodes { id } edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      const page = body.data.agreements;
      expect(page.totalCount).toBe(5);
      expect(ids(page.nodes)).toEqual(page.edges.map((e: { node: { id: string } }) => e.node.id));
      seen.push(...ids(page.nodes));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(5);
    const { body } = await gql('{ agreements(first: 0) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }');
    expect(body.data.agreements).toEqual({ totalCount: 5, nodes: [], pageInfo: { hasNextPage: true, endCursor: null } });
  });

  test('_entities resolves Agreement, Event and Institution references in the order asked, unknown ids to null', async () => {
    const { body } = await gql(
      `query ($r: [_Any!]!) { _entities(representations: $r) {
        ... on Agreement { id status }
        ... on Event { id name }
        ... on Institution { id agreements { id status } } } }`,
      {
        r: [
          { __typename: 'Institution', id: 'gustave-roussy' },
          { __typename: 'Agreement', id: 'no-such-agreement' },
          { __typename: 'Event', id: 'state-visit-france-2025-03' },
          { __typename: 'Agreement', id: 'protocol-surgical-cooperation' },
          { __typename: 'Event', id: 'no-such-event' },
          { __typename: 'Institution', id: 'uz-ministry-of-health' },
          { __typename: 'Institution', id: 'paul-strauss-center' },
        ],
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data._entities).toEqual([
      { id: 'gustave-roussy', agreements: [{ id: 'gustave-roussy-licensing-agreement', status: 'SIGNED' }] },
      null,
      { id: 'state-visit-france-2025-03', name: 'State visit of President Shavkat Mirziyoyev to France' },
      { id: 'protocol-surgical-cooperation', status: 'SIGNED' },
      null,
      {
        id: 'uz-ministry-of-health',
        agreements: [
          { id: 'disability-rehabilitation-cooperation', status: 'AGREED' },
          { id: 'gustave-roussy-licensing-agreement', status: 'SIGNED' },
          { id: 'mfa-healthcare-cooperation', status: 'AGREED' },
          { id: 'monaco-cardiothoracic-cooperation', status: 'UNDER_DISCUSSION' },
          { id: 'protocol-surgical-cooperation', status: 'SIGNED' },
        ],
      },
      // Party to no agreement (its role is in the training subgraph): an empty list, not null.
      { id: 'paul-strauss-center', agreements: [] },
    ]);
  });

  test('unknown ids are null', async () => {
    const { body } = await gql('{ agreement(id: "no-such-agreement") { id } event(id: "no-such-event") { id } }');
    expect(body).toEqual({ data: { agreement: null, event: null } });
  });

  test.each([
    ['{ agreements(first: -1) { totalCount } }', 'first'],
    ['{ agreements(first: 101) { totalCount } }', 'first'],
    ['{ agreements(after: "not-a-cursor") { totalCount } }', 'after'],
    ['{ agreements(after: "aWQ6") { totalCount } }', 'after'],
    ['{ agreement(id: "bad id; drop table") { id } }', 'id'],
    [`{ agreement(id: "${'x'.repeat(65)}") { id } }`, 'id'],
    ['{ event(id: "") { id } }', 'id'],
    ['{ agreements(filter: { party: "" }) { totalCount } }', 'filter.party'],
    ['{ agreements(filter: { party: "gustave roussy" }) { totalCount } }', 'filter.party'],
  ])('bad input %s is refused with BAD_USER_INPUT on %s', async (query, field) => {
    const { status, body } = await gql(query);
    expect(status).toBe(200);
    expect(body.data === null ? [null] : Object.values(body.data)).toEqual([null]);
    const errors = body.errors ?? [];
    expect(errors).toHaveLength(1);
    expect(errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    expect(errors[0].message).toMatch(/must/);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|stack/i);
  });

  test.each([
    ['query ($s: AgreementStatus) { agreements(filter: { status: $s }) { totalCount } }', { s: 'DONE' }, /DONE/],
    ['query ($k: AgreementKind) { agreements(filter: { kind: $k }) { totalCount } }', { k: 'TREATY' }, /TREATY/],
    ['query ($a: Specialty) { agreements(filter: { area: $a }) { totalCount } }', { a: 'DENTISTRY' }, /DENTISTRY/],
    ['query ($c: Country) { agreements(filter: { country: $c }) { totalCount } }', { c: 'ZZ' }, /ZZ/],
  ])('an unknown enum value in variables (%s) is BAD_USER_INPUT naming the value', async (query, variables, named) => {
    const { body } = await gql(query, variables);
    const errors = body.errors ?? [];
    expect(body.data).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(errors[0].message).toMatch(named);
  });
}

describe('agreements subgraph on SQLite', () => {
  agreementsQueries(async () => {
    const file = createScratchSqlite('agreements');
    return { url: file.url, dispose: async () => file.remove() };
  });
});

describeOnMysql('agreements subgraph', () => {
  agreementsQueries(async () => {
    const db = await createScratchMysqlDatabase('agreements');
    return { url: db.url, dispose: db.drop };
  });
});
