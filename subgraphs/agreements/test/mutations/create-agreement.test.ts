import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { AgreementParty } from '../../src/entities';
import { baseInput, Caller, CREATE, FR_VIEWER, long, MC_EDITOR, mutationFixture, UZ_EDITOR } from './fixture';

for (const target of scratchTargets) {
  target.describe('agreements mutations', () => {
    const fixture$ = mutationFixture(target);
    const { as, fr, admin, counts, expectError } = fixture$;
    let server: ReturnType<typeof mutationFixture>['server'];
    let url: ReturnType<typeof mutationFixture>['url'];
    beforeAll(() => {
      server = fixture$.server;
      url = fixture$.url;
    });

    describe('createAgreement', () => {
      test('an editor of a party’s partner records an agreement; queries show it, with each party’s country', async () => {
        const input = baseInput({
          id: 'uz-fr-nuclear-medicine',
          areas: ['ONCOLOGY', 'CARDIOLOGY'],
          summary: '  Joint training in nuclear medicine.  ',
          eventId: 'french-healthcare-business-forum-2026',
          status: 'UNDER_DISCUSSION',
        });
        const { body } = await fr(CREATE, { input });
        expect(body.errors).toBeUndefined();
        const expected = {
          id: 'uz-fr-nuclear-medicine',
          title: 'Cooperation in nuclear medicine',
          kind: 'COOPERATION_AGREEMENT',
          status: 'UNDER_DISCUSSION',
          version: 1,
          signedOn: null,
          summary: 'Joint training in nuclear medicine.',
          areas: ['CARDIOLOGY', 'ONCOLOGY'],
          synthetic: false,
          event: { id: 'french-healthcare-business-forum-2026' },
          parties: [
            { institution: { id: 'uz-ministry-of-health' }, role: 'Uzbek party', representative: null },
            { institution: { id: 'gustave-roussy' }, role: 'French partner', representative: { id: 'patrick-le-dise' } },
          ],
          milestones: [],
        };
        expect(body.data.createAgreement.agreement).toEqual(expected);

        const read = await postGraphQL<any>(
          url,
          `{ agreement(id: "uz-fr-nuclear-medicine") {
          id title kind status version signedOn summary areas synthetic event { id } parties { institution { id } role representative { id } } milestones { id } }
          fr: agreements(filter: { country: FR, status: UNDER_DISCUSSION, area: ONCOLOGY }) { nodes { id } }
          gr: agreements(filter: { party: "gustave-roussy" }) { nodes { id } }
          forum: event(id: "french-healthcare-business-forum-2026") { agreements { id } } }`,
        );
        expect(read.body.errors).toBeUndefined();
        expect(read.body.data.agreement).toEqual(expected);
        expect(read.body.data.fr.nodes.map((n: { id: string }) => n.id)).toContain('uz-fr-nuclear-medicine');
        expect(read.body.data.gr.nodes.map((n: { id: string }) => n.id)).toContain('uz-fr-nuclear-medicine');
        expect(read.body.data.forum.agreements.map((n: { id: string }) => n.id)).toContain('uz-fr-nuclear-medicine');
        const stored = await server.database.dataSource
          .getRepository(AgreementParty)
          .find({ where: { agreementId: 'uz-fr-nuclear-medicine' }, order: { position: 'ASC' } });
        expect(stored.map((p) => [p.institutionId, p.country, p.position])).toEqual([
          ['uz-ministry-of-health', 'UZ', 0],
          ['gustave-roussy', 'FR', 1],
        ]);
      });

      test('without an id it gets a UUID and starts PROPOSED', async () => {
        const { body } = await as(UZ_EDITOR)(CREATE, { input: baseInput() });
        expect(body.errors).toBeUndefined();
        expect(body.data.createAgreement.agreement).toMatchObject({ status: 'PROPOSED', version: 1, areas: [], summary: null, event: null });
        expect(body.data.createAgreement.agreement.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      });

      test('an admin may record an agreement of any partners, even of institutions that belong to no partner', async () => {
        const { body } = await admin(CREATE, { input: baseInput({ parties: [{ institutionId: 'almaty-test-hospital' }] }) });
        expect(body.errors).toBeUndefined();
        expect(body.data.createAgreement.agreement.parties).toEqual([{ institution: { id: 'almaty-test-hospital' }, role: null, representative: null }]);
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a viewer of a party’s partner', FR_VIEWER, 'FORBIDDEN'],
        ['an editor of a partner that is not a party (MC)', MC_EDITOR, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s is refused and nothing is written', async (_who, caller, code) => {
        const before = await counts();
        const { body } = await as(caller)(CREATE, { input: baseInput({ id: 'refused-agreement' }) });
        expectError(body, code);
        expect(body.data).toBeNull();
        expect(await counts()).toEqual(before);
      });

      test('an editor may not record an agreement whose parties belong to no partner', async () => {
        const { body } = await fr(CREATE, { input: baseInput({ parties: [{ institutionId: 'almaty-test-hospital' }] }) });
        expect(expectError(body, 'FORBIDDEN')).toMatch(/admins only/);
      });

      test.each([
        ['a blank title', { title: '   ' }, 'input.title', /must not be blank: give 1–300 characters/],
        ['a title over 300 characters', { title: long(301) }, 'input.title', /at most 300 characters/],
        ['a summary over 4000 characters', { summary: long(4001) }, 'input.summary', /at most 4000 characters/],
        ['a signed status at creation', { status: 'SIGNED' }, 'input.status', /PROPOSED or UNDER_DISCUSSION/],
        ['an agreed status at creation', { status: 'AGREED' }, 'input.status', /PROPOSED or UNDER_DISCUSSION/],
        ['an id that is not a lowercase slug', { id: 'Nuclear Medicine' }, 'input.id', /lowercase slug/],
        ['an id that is taken', { id: 'protocol-surgical-cooperation' }, 'input.id', /already exists/],
        ['no parties', { parties: [] }, 'input.parties', /1 to 50/],
        ['51 parties', { parties: Array.from({ length: 51 }, (_, i) => ({ institutionId: `inst-${i}` })) }, 'input.parties', /1 to 50/],
        [
          'the same institution twice',
          { parties: [{ institutionId: 'gustave-roussy' }, { institutionId: 'uz-ministry-of-health' }, { institutionId: 'gustave-roussy' }] },
          'input.parties[2].institutionId',
          /already input.parties\[0\]/,
        ],
        [
          'an institution the institutions subgraph does not know',
          { parties: [{ institutionId: 'gustave-roussy' }, { institutionId: 'no-such-hospital' }] },
          'input.parties[1].institutionId',
          /no institution with id "no-such-hospital"/,
        ],
        [
          'a representative the institutions subgraph does not know',
          { parties: [{ institutionId: 'gustave-roussy', representativeId: 'nobody-known' }] },
          'input.parties[0].representativeId',
          /no person with id "nobody-known"/,
        ],
        ['a malformed institution id', { parties: [{ institutionId: 'not an id' }] }, 'input.parties[0].institutionId', /letters, digits/],
        ['a role over 200 characters', { parties: [{ institutionId: 'gustave-roussy', role: long(201) }] }, 'input.parties[0].role', /at most 200/],
        ['an event that does not exist', { eventId: 'no-such-event' }, 'input.eventId', /no event with id "no-such-event"/],
        ['an area twice', { areas: ['ONCOLOGY', 'SURGERY', 'ONCOLOGY'] }, 'input.areas[2]', /ONCOLOGY is repeated/],
      ] as Array<[string, Record<string, unknown>, string, RegExp]>)(
        '%s is refused on its field, nothing written',
        async (_case, overrides, field, message) => {
          const before = await counts();
          const { body } = await fr(CREATE, { input: baseInput(overrides) });
          expect(expectError(body, 'BAD_USER_INPUT', field)).toMatch(message);
          expect(await counts()).toEqual(before);
        },
      );

      test('an unknown kind is refused by the schema', async () => {
        const { body } = await fr(CREATE, { input: baseInput({ kind: 'TREATY' }) });
        expect(expectError(body, 'BAD_USER_INPUT')).toMatch(/TREATY/);
      });

      test('an id with capitals is refused: MySQL would compare it case-insensitively with a taken one', async () => {
        const { body } = await fr(CREATE, { input: baseInput({ id: 'Protocol-Surgical-Cooperation' }) });
        expectError(body, 'BAD_USER_INPUT', 'input.id');
      });

      test('characters beyond the Basic Multilingual Plane count as one each', async () => {
        const { body } = await fr(CREATE, { input: baseInput({ title: '🏥'.repeat(300) }) });
        expect(body.errors).toBeUndefined();
        expect(Array.from(body.data.createAgreement.agreement.title as string)).toHaveLength(300);
      });
    });
  });
}
