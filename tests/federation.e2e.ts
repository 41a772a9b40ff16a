import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { bootFederation, type Federation } from './federation';

// What front-ends and analysts send to the one endpoint, answered by three subgraphs over real HTTP.
for (const target of scratchTargets) {
  target.describe('the federation', () => {
    let federation: Federation;
    const gql = (query: string, variables?: Record<string, unknown>) => postGraphQL<any>(federation.gatewayUrl, query, variables);
    // Placements are for signed-in partners: these front-end queries carry a viewer's token.
    const gqlAsViewer = async (query: string) =>
      postGraphQL<any>(federation.gatewayUrl, query, undefined, {
        headers: { authorization: `Bearer ${await federation.token({ subject: 'front-end', partner: 'FR', roles: ['viewer'] })}` },
      });

    beforeAll(async () => {
      federation = await bootFederation(target);
    });
    afterAll(async () => {
      await federation?.stop();
    });

    test('an institution with its agreements (agreements subgraph) and hosted programmes (training subgraph)', async () => {
      const { status, body } = await gqlAsViewer(`{
        institution(id: "paul-strauss-center") {
          name city country
          hostedPrograms { id title targetTrainees targetDate { label precision latest } }
          placements { id }
        }
        gustave: institution(id: "gustave-roussy") { name people { fullName } agreements { id status } }
      }`);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data.institution).toEqual({
        name: 'Paul Strauss Center',
        city: 'Strasbourg',
        country: 'FR',
        hostedPrograms: [
          {
            id: 'surgeons-100-by-2030',
            title: expect.stringContaining('100 Uzbek surgeons'),
            targetTrainees: 100,
            targetDate: { label: 'by 2030', precision: 'YEAR', latest: '2030-12-31' },
          },
        ],
        placements: [],
      });
      expect(body.data.gustave).toEqual({
        name: 'Gustave Roussy',
        people: [{ fullName: 'Fabrice Barlesi' }, { fullName: 'Patrick Le Dise' }],
        agreements: [{ id: 'gustave-roussy-licensing-agreement', status: 'SIGNED' }],
      });
    });

    test('the Protocol on Surgical Cooperation: three parties from institutions, the programme and its first cohort from training', async () => {
      const { body } = await gqlAsViewer(`{
        agreement(id: "protocol-surgical-cooperation") {
          title kind status areas
          event { name startsOn { earliest } endsOn { latest } city }
          parties { role institution { id name country } }
          milestones { title due { label precision latest } status }
          trainingPrograms {
            id targetTrainees
            progress { target planned enrolled completed remaining }
            cohorts { plannedSize startsOn { label precision latest } hostInstitution { name city } placements { id } }
          }
        }
      }`);
      expect(body.errors).toBeUndefined();
      const agreement = body.data.agreement;
      expect(agreement).toMatchObject({ title: 'Protocol on Surgical Cooperation', kind: 'PROTOCOL', status: 'SIGNED', areas: ['SURGERY'] });
      expect(agreement.event).toEqual({
        name: 'French Healthcare & Business Forum',
        startsOn: { earliest: '2026-01-19' },
        endsOn: { latest: '2026-01-21' },
        city: 'Paris',
      });
      expect(agreement.parties.map((p: { institution: { id: string; country: string } }) => [p.institution.id, p.institution.country])).toEqual([
        ['uz-ministry-of-health', 'UZ'],
        ['fr-ministry-europe-foreign-affairs', 'FR'],
        ['national-academy-of-surgery', 'FR'],
      ]);
      expect(agreement.parties.every((p: { institution: { name: string } }) => p.institution.name.length > 0)).toBe(true);
      expect(agreement.milestones).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ due: { label: 'March 2026', precision: 'MONTH', latest: '2026-03-31' } }),
          expect.objectContaining({ due: { label: 'by 2030', precision: 'YEAR', latest: '2030-12-31' } }),
        ]),
      );
      expect(agreement.trainingPrograms).toEqual([
        {
          id: 'surgeons-100-by-2030',
          targetTrainees: 100,
          progress: { target: 100, planned: 5, enrolled: 0, completed: 0, remaining: 100 },
          cohorts: [
            {
              plannedSize: 5,
              startsOn: { label: 'March 2026', precision: 'MONTH', latest: '2026-03-31' },
              hostInstitution: { name: 'Paul Strauss Center', city: 'Strasbourg' },
              placements: [],
            },
          ],
        },
      ]);
    });

    test('a programme with its agreement, host institutions and cohorts', async () => {
      const { body } = await gql(`{
        trainingProgram(id: "cardiology-exchange-monaco") {
          status specialty
          agreement { id status parties { institution { name country } } }
          hostInstitutions { id name country city }
          cohorts { id }
          progress { target remaining onTrack }
        }
      }`);
      expect(body.errors).toBeUndefined();
      expect(body.data.trainingProgram).toEqual({
        status: 'UNDER_DISCUSSION',
        specialty: 'CARDIOLOGY',
        agreement: {
          id: 'monaco-cardiothoracic-cooperation',
          status: 'UNDER_DISCUSSION',
          parties: [
            { institution: { name: 'Ministry of Health of the Republic of Uzbekistan', country: 'UZ' } },
            { institution: { name: 'Monaco Cardiothoracic Center', country: 'MC' } },
          ],
        },
        hostInstitutions: [{ id: 'monaco-cardiothoracic-center', name: 'Monaco Cardiothoracic Center', country: 'MC', city: 'Monaco' }],
        cohorts: [],
        progress: { target: null, remaining: null, onTrack: null },
      });
    });

    test('pages of agreements walk every agreement once, with totalCount', async () => {
      const ids: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 10; page += 1) {
        const { body }: { body: any } = await gql(
          'query ($after: String) { agreements(first: 2, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }',
          { after },
        );
        expect(body.data.agreements.totalCount).toBe(5);
        ids.push(...body.data.agreements.nodes.map((n: { id: string }) => n.id));
        if (!body.data.agreements.pageInfo.hasNextPage) break;
        after = body.data.agreements.pageInfo.endCursor;
      }
      expect(ids).toHaveLength(5);
      expect(new Set(ids).size).toBe(5);
    });

    test.each([
      ['institutions', '{ institutions(filter: { country: MC }) { nodes { id } } }', ['monaco-cardiothoracic-center']],
      ['institutions', '{ institutions(filter: { kind: ACADEMY }) { nodes { id } } }', ['national-academy-of-surgery']],
      ['institutions', '{ institutions(filter: { specialty: BLOOD_TRANSFUSION }) { nodes { id } } }', ['blood-transfusion-center']],
      ['institutions', '{ institutions(filter: { search: "strauss" }) { nodes { id } } }', ['paul-strauss-center']],
      ['people', '{ people(filter: { search: "celine" }) { nodes { id } } }', ['celine-poulet']],
      ['people', '{ people(filter: { institution: "fr-ministry-europe-foreign-affairs" }) { nodes { id } } }', ['georges-fabrice-blum']],
      ['agreements', '{ agreements(filter: { status: UNDER_DISCUSSION }) { nodes { id } } }', ['monaco-cardiothoracic-cooperation']],
      ['agreements', '{ agreements(filter: { kind: LICENSING_AGREEMENT }) { nodes { id } } }', ['gustave-roussy-licensing-agreement']],
      ['agreements', '{ agreements(filter: { area: BLOOD_TRANSFUSION }) { nodes { id } } }', ['mfa-healthcare-cooperation']],
      ['agreements', '{ agreements(filter: { party: "national-academy-of-surgery" }) { nodes { id } } }', ['protocol-surgical-cooperation']],
      ['agreements', '{ agreements(filter: { country: MC }) { nodes { id } } }', ['monaco-cardiothoracic-cooperation']],
      [
        'agreements',
        '{ agreements(filter: { country: FR, status: AGREED }) { nodes { id } } }',
        ['disability-rehabilitation-cooperation', 'mfa-healthcare-cooperation'],
      ],
      ['trainingPrograms', '{ trainingPrograms(filter: { specialty: SOCIAL_WORK }) { nodes { id } } }', ['social-worker-training']],
      [
        'trainingPrograms',
        '{ trainingPrograms(filter: { agreement: "gustave-roussy-licensing-agreement" }) { nodes { id } } }',
        ['oncology-specialists-france'],
      ],
      ['trainingPrograms', '{ trainingPrograms(filter: { hostInstitution: "paul-strauss-center" }) { nodes { id } } }', ['surgeons-100-by-2030']],
    ])('filter on %s: %s', async (field, query, expected) => {
      const { body } = await gql(query);
      expect(body.errors).toBeUndefined();
      expect(body.data[field].nodes.map((n: { id: string }) => n.id)).toEqual(expected);
    });

    test('the events of the article, earliest first', async () => {
      const { body } = await gql(
        '{ events { id status startsOn { label precision } minDelegates delegateCountries participants { person { fullName } institution { name } role } } }',
      );
      expect(body.errors).toBeUndefined();
      expect(body.data.events.map((e: { id: string; status: string }) => [e.id, e.status])).toEqual([
        ['state-visit-france-2025-03', 'HELD'],
        ['french-healthcare-business-forum-2026', 'HELD'],
        ['gustave-roussy-delegation-visit-2026-q1', 'PLANNED'],
      ]);
      const forum = body.data.events[1];
      expect(forum.minDelegates).toBe(300);
      expect(forum.delegateCountries).toEqual(['UZ', 'KZ', 'TR', 'SA', 'LB', 'MA', 'KW']);
      expect(forum.participants).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ person: { fullName: 'Asilbek Khudayarov' }, institution: { name: 'Ministry of Health of the Republic of Uzbekistan' } }),
          expect.objectContaining({ person: { fullName: 'Céline Poulet' } }),
        ]),
      );
      expect(body.data.events[2].startsOn).toEqual({ label: 'first quarter of 2026', precision: 'QUARTER' });
    });

    test('bad input through the gateway keeps its code and field', async () => {
      const { status, body } = await gql('{ agreements(first: 500) { totalCount } }');
      expect(status).toBe(200);
      expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
      expect(body.errors![0].message).toMatch(/from 0 to 100/);
    });

    test('a syntactically bad query is HTTP 400 with a clear message', async () => {
      const { status, body } = await gql('{ institutions( { totalCount }');
      expect(status).toBe(400);
      expect(body.errors![0].extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(body.errors![0].message).toMatch(/Syntax Error/);
    });
  });
}
