import { createScratchMysqlDatabase, createScratchSqlite, describeOnMysql, postGraphQL } from '@partnership/subgraph-kit/testing';
import type { SubgraphServer } from '@partnership/subgraph-kit';
import { createTrainingServer } from '../src/server';
import { Placement, Trainee } from '../src/entities';

const ids = (nodes: Array<{ id: string }>) => nodes.map((n) => n.id);

/** The same behaviour is required on the embedded SQLite default and on MySQL. */
function trainingQueries(openDatabase: () => Promise<{ url: string; dispose(): Promise<void> }>) {
  let server: SubgraphServer;
  let url: string;
  let dispose: () => Promise<void>;
  // Progress is measured against the request's clock; each test sets the day it needs.
  let today = new Date('2026-03-15T12:00:00Z');
  // A viewer may read everything this suite checks; authorization.test.ts covers the other callers.
  const gql = (query: string, variables?: Record<string, unknown>) =>
    postGraphQL<any>(url, query, variables, { caller: { subject: 'test-viewer', partner: 'UZ', roles: ['viewer'] } });

  beforeAll(async () => {
    const db = await openDatabase();
    dispose = db.dispose;
    server = await createTrainingServer({ port: 0, databaseUrl: db.url }, { now: () => today });
    url = await server.listen(0);
  });
  afterAll(async () => {
    await server?.stop();
    await dispose?.();
  });
  beforeEach(() => {
    today = new Date('2026-03-15T12:00:00Z');
  });

  test('100 Uzbek surgeons by 2030, provided for by the Protocol on Surgical Cooperation', async () => {
    const { body } = await gql(`{ trainingProgram(id: "surgeons-100-by-2030") {
      id title specialty status summary traineeCountry synthetic agreement { id } targetTrainees
      targetDate { year quarter month day precision label earliest latest } hostInstitutions { id } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.trainingProgram).toEqual({
      id: 'surgeons-100-by-2030',
      title: 'Training of 100 Uzbek surgeons in leading French medical centres',
      specialty: 'SURGERY',
      status: 'PLANNED',
      summary: expect.stringContaining('Paul Strauss Center in Strasbourg in March 2026'),
      traineeCountry: 'UZ',
      synthetic: false,
      agreement: { id: 'protocol-surgical-cooperation' },
      targetTrainees: 100,
      targetDate: { year: 2030, quarter: null, month: null, day: null, precision: 'YEAR', label: 'by 2030', earliest: '2030-01-01', latest: '2030-12-31' },
      hostInstitutions: [{ id: 'paul-strauss-center' }],
    });
  });

  test('the first cohort is five planned places at the Paul Strauss Center in March 2026, with no trainee placed', async () => {
    const { body } = await gql(`{ trainingProgram(id: "surgeons-100-by-2030") { cohorts {
      id program { id } hostInstitution { id } startsOn { year month precision label earliest latest } plannedSize placements { id } } } }`);
    expect(body.data.trainingProgram.cohorts).toEqual([
      {
        id: 'surgeons-2026-03-paul-strauss',
        program: { id: 'surgeons-100-by-2030' },
        hostInstitution: { id: 'paul-strauss-center' },
        startsOn: { year: 2026, month: 3, precision: 'MONTH', label: 'March 2026', earliest: '2026-03-01', latest: '2026-03-31' },
        plannedSize: 5,
        placements: [],
      },
    ]);
  });

  test('every programme of the article is there, with its status, agreement and declared hosts', async () => {
    const { body } = await gql(
      '{ trainingPrograms { totalCount nodes { id specialty status traineeCountry agreement { id } hostInstitutions { id } targetTrainees targetDate { label } } } }',
    );
    expect(body.data.trainingPrograms.totalCount).toBe(4);
    expect(body.data.trainingPrograms.nodes).toEqual([
      {
        id: 'cardiology-exchange-monaco',
        specialty: 'CARDIOLOGY',
        status: 'UNDER_DISCUSSION',
        traineeCountry: 'UZ',
        agreement: { id: 'monaco-cardiothoracic-cooperation' },
        hostInstitutions: [{ id: 'monaco-cardiothoracic-center' }],
        targetTrainees: null,
        targetDate: null,
      },
      {
        id: 'oncology-specialists-france',
        specialty: 'ONCOLOGY',
        status: 'PLANNED',
        traineeCountry: 'UZ',
        agreement: { id: 'gustave-roussy-licensing-agreement' },
        hostInstitutions: [],
        targetTrainees: null,
        targetDate: null,
      },
      {
        id: 'social-worker-training',
        specialty: 'SOCIAL_WORK',
        status: 'PLANNED',
        traineeCountry: 'UZ',
        agreement: { id: 'disability-rehabilitation-cooperation' },
        hostInstitutions: [],
        targetTrainees: null,
        targetDate: null,
      },
      {
        id: 'surgeons-100-by-2030',
        specialty: 'SURGERY',
        status: 'PLANNED',
        traineeCountry: 'UZ',
        agreement: { id: 'protocol-surgical-cooperation' },
        hostInstitutions: [{ id: 'paul-strauss-center' }],
        targetTrainees: 100,
        targetDate: { label: 'by 2030' },
      },
    ]);
  });

  test('progress of the surgeons programme: 5 places planned, none enrolled, on track in mid-March 2026', async () => {
    const { body } = await gql('{ trainingProgram(id: "surgeons-100-by-2030") { progress { target planned enrolled completed remaining onTrack } } }');
    expect(body.data.trainingProgram.progress).toEqual({ target: 100, planned: 5, enrolled: 0, completed: 0, remaining: 100, onTrack: true });
  });

  test('onTrack flips when 5 places no longer cover the share due (92 days after 1 January 2026)', async () => {
    const onTrackOn = async (day: string) => {
      today = new Date(`${day}T12:00:00Z`);
      const { body } = await gql('{ trainingProgram(id: "surgeons-100-by-2030") { progress { onTrack remaining } } }');
      return body.data.trainingProgram.progress.onTrack;
    };
    expect(await onTrackOn('2026-04-02')).toBe(true); // 100 × 91 / 1825 → 5 due
    expect(await onTrackOn('2026-04-03')).toBe(false); // 100 × 92 / 1825 → 6 due
    expect(await onTrackOn('2031-01-01')).toBe(false); // past the target date, none completed
  });

  test('programmes without a target have counts but no remaining and no onTrack', async () => {
    const { body } = await gql('{ trainingProgram(id: "oncology-specialists-france") { progress { target planned enrolled completed remaining onTrack } } }');
    expect(body.data.trainingProgram.progress).toEqual({ target: null, planned: 0, enrolled: 0, completed: 0, remaining: null, onTrack: null });
  });

  test('each filter, and filters combined with AND', async () => {
    const { body } = await gql(`{
      surgery: trainingPrograms(filter: { specialty: SURGERY }) { nodes { id } }
      oncology: trainingPrograms(filter: { agreement: "gustave-roussy-licensing-agreement" }) { nodes { id } }
      strasbourg: trainingPrograms(filter: { hostInstitution: "paul-strauss-center" }) { nodes { id } }
      monaco: trainingPrograms(filter: { hostInstitution: "monaco-cardiothoracic-center", specialty: CARDIOLOGY }) { nodes { id } }
      none: trainingPrograms(filter: { hostInstitution: "monaco-cardiothoracic-center", specialty: SURGERY }) { totalCount nodes { id } }
      mismatch: trainingPrograms(filter: { agreement: "protocol-surgical-cooperation", hostInstitution: "monaco-cardiothoracic-center" }) { totalCount }
      unknown: trainingPrograms(filter: { agreement: "no-such-agreement" }) { totalCount }
    }`);
    expect(body.errors).toBeUndefined();
    expect(ids(body.data.surgery.nodes)).toEqual(['surgeons-100-by-2030']);
    expect(ids(body.data.oncology.nodes)).toEqual(['oncology-specialists-france']);
    expect(ids(body.data.strasbourg.nodes)).toEqual(['surgeons-100-by-2030']);
    expect(ids(body.data.monaco.nodes)).toEqual(['cardiology-exchange-monaco']);
    expect(body.data.none).toEqual({ totalCount: 0, nodes: [] });
    expect(body.data.mismatch.totalCount).toBe(0);
    expect(body.data.unknown.totalCount).toBe(0);
  });

  test('cursor pagination walks every programme once, in id order, with totalCount', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { body }: { body: any } = await gql(
        'query ($after: String) { trainingPrograms(first: 3, after: $after) { totalCount edges { cursor node { id } } nodes { id } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      const page = body.data.trainingPrograms;
      expect(page.totalCount).toBe(4);
      expect(ids(page.nodes)).toEqual(page.edges.map((e: { node: { id: string } }) => e.node.id));
      seen.push(...ids(page.nodes));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(['cardiology-exchange-monaco', 'oncology-specialists-france', 'social-worker-training', 'surgeons-100-by-2030']);
    const { body } = await gql('{ trainingPrograms(first: 0) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }');
    expect(body.data.trainingPrograms).toEqual({ totalCount: 4, nodes: [], pageInfo: { hasNextPage: true, endCursor: null } });
  });

  test('_entities resolves TrainingProgram references in the order asked, unknown ids to null', async () => {
    const { body } = await gql(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on TrainingProgram { id status hostInstitutions { id } progress { planned } } } }',
      {
        r: [
          { __typename: 'TrainingProgram', id: 'cardiology-exchange-monaco' },
          { __typename: 'TrainingProgram', id: 'no-such-programme' },
          { __typename: 'TrainingProgram', id: 'surgeons-100-by-2030' },
        ],
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data._entities).toEqual([
      { id: 'cardiology-exchange-monaco', status: 'UNDER_DISCUSSION', hostInstitutions: [{ id: 'monaco-cardiothoracic-center' }], progress: { planned: 0 } },
      null,
      { id: 'surgeons-100-by-2030', status: 'PLANNED', hostInstitutions: [{ id: 'paul-strauss-center' }], progress: { planned: 5 } },
    ]);
  });

  test('_entities adds the programmes to Agreement and Institution references', async () => {
    const { body } = await gql(
      `query ($r: [_Any!]!) { _entities(representations: $r) {
        ... on Agreement { id trainingPrograms { id } }
        ... on Institution { id hostedPrograms { id } placements { id } } } }`,
      {
        r: [
          { __typename: 'Agreement', id: 'protocol-surgical-cooperation' },
          { __typename: 'Institution', id: 'paul-strauss-center' },
          { __typename: 'Agreement', id: 'mfa-healthcare-cooperation' },
          { __typename: 'Institution', id: 'gustave-roussy' },
        ],
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data._entities).toEqual([
      { id: 'protocol-surgical-cooperation', trainingPrograms: [{ id: 'surgeons-100-by-2030' }] },
      { id: 'paul-strauss-center', hostedPrograms: [{ id: 'surgeons-100-by-2030' }], placements: [] },
      { id: 'mfa-healthcare-cooperation', trainingPrograms: [] },
      { id: 'gustave-roussy', hostedPrograms: [], placements: [] },
    ]);
  });

  test('an unknown programme id is null', async () => {
    const { body } = await gql('{ trainingProgram(id: "no-such-programme") { id } }');
    expect(body).toEqual({ data: { trainingProgram: null } });
  });

  test('progress reflects placements written a moment ago', async () => {
    const query = `{ trainingProgram(id: "surgeons-100-by-2030") { progress { planned enrolled completed remaining onTrack } } }`;
    const before = await gql(query);
    expect(before.body.data.trainingProgram.progress).toEqual({ planned: 5, enrolled: 0, completed: 0, remaining: 100, onTrack: true });

    const { dataSource } = server.database;
    const trainees = ['test-trainee-1', 'test-trainee-2', 'test-trainee-3'];
    await dataSource
      .getRepository(Trainee)
      .insert(trainees.map((id, i) => ({ id, fullName: `Test Trainee ${i + 1}`, homeInstitutionId: 'vakhidov-surgery-center', synthetic: true })));
    await dataSource.getRepository(Placement).insert([
      { id: 'test-placement-1', cohortId: 'surgeons-2026-03-paul-strauss', traineeId: trainees[0], status: 'ENROLLED', synthetic: true },
      { id: 'test-placement-2', cohortId: 'surgeons-2026-03-paul-strauss', traineeId: trainees[1], status: 'COMPLETED', synthetic: true },
      { id: 'test-placement-3', cohortId: 'surgeons-2026-03-paul-strauss', traineeId: trainees[2], status: 'WITHDRAWN', synthetic: true },
    ]);
    try {
      const after = await gql(query);
      expect(after.body.data.trainingProgram.progress).toEqual({ planned: 5, enrolled: 2, completed: 1, remaining: 99, onTrack: true });

      const { body } = await gql(
        `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Institution { placements {
          id status synthetic trainee { fullName homeInstitution { id } } cohort { id program { id } } } } } }`,
        { r: [{ __typename: 'Institution', id: 'paul-strauss-center' }] },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data._entities[0].placements).toEqual(
        [1, 2, 3].map((n) => ({
          id: `test-placement-${n}`,
          status: ['ENROLLED', 'COMPLETED', 'WITHDRAWN'][n - 1],
          synthetic: true,
          trainee: { fullName: `Test Trainee ${n}`, homeInstitution: { id: 'vakhidov-surgery-center' } },
          cohort: { id: 'surgeons-2026-03-paul-strauss', program: { id: 'surgeons-100-by-2030' } },
        })),
      );
    } finally {
      await dataSource.getRepository(Placement).delete(['test-placement-1', 'test-placement-2', 'test-placement-3']);
      await dataSource.getRepository(Trainee).delete(trainees);
    }
    const cleaned = await gql(query);
    expect(cleaned.body.data.trainingProgram.progress.enrolled).toBe(0);
  });

  test.each([
    ['{ trainingPrograms(first: -1) { totalCount } }', 'first'],
    ['{ trainingPrograms(first: 101) { totalCount } }', 'first'],
    ['{ trainingPrograms(after: "not-a-cursor") { totalCount } }', 'after'],
    ['{ trainingPrograms(after: "aWQ6") { totalCount } }', 'after'],
    ['{ trainingProgram(id: "bad id; drop table") { id } }', 'id'],
    [`{ trainingProgram(id: "${'x'.repeat(65)}") { id } }`, 'id'],
    ['{ trainingPrograms(filter: { agreement: "" }) { totalCount } }', 'filter.agreement'],
    ['{ trainingPrograms(filter: { hostInstitution: "paul strauss" }) { totalCount } }', 'filter.hostInstitution'],
  ])('bad input %s is refused with BAD_USER_INPUT on %s', async (query, field) => {
    const { status, body }: { status: number; body: any } = await gql(query);
    expect(status).toBe(200);
    expect(body.data === null ? [null] : Object.values(body.data)).toEqual([null]);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    expect(body.errors[0].message).toMatch(/must/);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|stack/i);
  });

  test('an unknown enum value in variables is BAD_USER_INPUT naming the value', async () => {
    const { body }: { body: any } = await gql('query ($s: Specialty) { trainingPrograms(filter: { specialty: $s }) { totalCount } }', { s: 'DENTISTRY' });
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/DENTISTRY/);
  });
}

describe('training subgraph on SQLite', () => {
  trainingQueries(async () => {
    const file = createScratchSqlite('training');
    return { url: file.url, dispose: async () => file.remove() };
  });
});

describeOnMysql('training subgraph', () => {
  trainingQueries(async () => {
    const db = await createScratchMysqlDatabase('training');
    return { url: db.url, dispose: db.drop };
  });
});
