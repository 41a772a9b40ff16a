import type { SubgraphServer } from '@partnership/subgraph-kit';
import { AuditEntry } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets, startEntityStub, type EntityStub, type PostOptions, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import type { EntitySubscriberInterface, InsertEvent } from 'typeorm';
import { Agreement, AgreementArea, AgreementParty, Milestone } from '../src/entities';
import { createAgreementsServer } from '../src/server';

type Caller = NonNullable<PostOptions['caller']>;

const FR_EDITOR: Caller = { subject: 'fr-editor', partner: 'FR', roles: ['editor'] };
const UZ_EDITOR: Caller = { subject: 'uz-editor', partner: 'UZ', roles: ['editor'] };
const MC_EDITOR: Caller = { subject: 'mc-editor', partner: 'MC', roles: ['editor'] };
const FR_VIEWER: Caller = { subject: 'fr-viewer', partner: 'FR', roles: ['viewer', 'analyst'] };
const ADMIN: Caller = { subject: 'mc-admin', partner: 'MC', roles: ['admin'] };

// What the institutions subgraph knows, as the stub answers it (a subgraph test never imports another subgraph).
const INSTITUTIONS = [
  { id: 'uz-ministry-of-health', country: 'UZ' },
  { id: 'tashkent-oncology-center', country: 'UZ' },
  { id: 'gustave-roussy', country: 'FR' },
  { id: 'paul-strauss-center', country: 'FR' },
  { id: 'national-academy-of-surgery', country: 'FR' },
  { id: 'monaco-cardiothoracic-center', country: 'MC' },
  { id: 'almaty-test-hospital', country: 'KZ' },
];
const PEOPLE = [{ id: 'patrick-le-dise' }, { id: 'celine-poulet' }, { id: 'asilbek-khudayarov' }];

const CREATE = `mutation ($input: CreateAgreementInput!) { createAgreement(input: $input) { agreement {
  id title kind status version signedOn summary areas synthetic event { id }
  parties { institution { id } role representative { id } } milestones { id } } } }`;
const SET_STATUS = `mutation ($input: SetAgreementStatusInput!) { setAgreementStatus(input: $input) { agreement {
  id status version signedOn concludedOn { precision label earliest } } } }`;
const ADD_PARTY = `mutation ($input: AddAgreementPartyInput!) { addAgreementParty(input: $input) { agreement {
  id version parties { institution { id } role representative { id } } } } }`;
const ADD_MILESTONE = `mutation ($input: AddMilestoneInput!) { addMilestone(input: $input) {
  milestone { id title status version due { precision label earliest latest } agreement { id } }
  agreement { id version milestones { id title } } } }`;
const UPDATE_MILESTONE = `mutation ($input: UpdateMilestoneInput!) { updateMilestone(input: $input) {
  milestone { id title status version due { precision label } } } }`;
const AUDIT = `query ($recordId: ID, $first: Int, $after: String) { agreementsAuditTrail(recordId: $recordId, first: $first, after: $after) {
  totalCount nodes { at subject partner mutation recordType recordId before after requestId } pageInfo { hasNextPage endCursor } } }`;

const baseInput = (overrides: Record<string, unknown> = {}) => ({
  title: 'Cooperation in nuclear medicine',
  kind: 'COOPERATION_AGREEMENT',
  parties: [
    { institutionId: 'uz-ministry-of-health', role: 'Uzbek party' },
    { institutionId: 'gustave-roussy', role: 'French partner', representativeId: 'patrick-le-dise' },
  ],
  ...overrides,
});

const long = (n: number) => 'é'.repeat(n);

for (const target of scratchTargets) {
  target.describe('agreements mutations', () => {
    let scratch: ScratchTarget;
    let server: SubgraphServer;
    let url: string;
    let stub: EntityStub;

    const as = (caller: Caller | null) => (query: string, variables?: Record<string, unknown>) => postGraphQL<any>(url, query, variables, { caller });
    const fr = as(FR_EDITOR);
    const admin = as(ADMIN);

    /** Row counts of every table this subgraph writes, to prove a refused or failed mutation wrote nothing. */
    const counts = async () => {
      const { dataSource } = server.database;
      const entries = await Promise.all(
        [Agreement, AgreementArea, AgreementParty, Milestone, AuditEntry].map(async (entity) => [entity.name, await dataSource.getRepository(entity).count()] as const),
      );
      return Object.fromEntries(entries);
    };

    const expectError = (body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }, code: string, field?: string) => {
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0].extensions).toEqual(field === undefined ? expect.objectContaining({ code }) : expect.objectContaining({ code, field }));
      expect(body.errors![0].message).not.toMatch(/\n\s+at /); // no stack trace
      return body.errors![0].message;
    };

    /** A fresh agreement between the Uzbek ministry (UZ) and Gustave Roussy (FR), made by an admin. */
    const newAgreement = async (overrides: Record<string, unknown> = {}) => {
      const { body } = await admin(CREATE, { input: baseInput(overrides) });
      expect(body.errors).toBeUndefined();
      return body.data.createAgreement.agreement as { id: string; version: number };
    };

    beforeAll(async () => {
      scratch = await target.open('agreements-mutations');
      stub = await startEntityStub({ Institution: INSTITUTIONS, Person: PEOPLE });
      server = await createAgreementsServer({ port: 0, databaseUrl: scratch.url, peers: stub.peers });
      url = await server.listen(0);
    });
    afterAll(async () => {
      await server?.stop();
      await stub?.stop();
      await scratch?.dispose();
    });

    describe('createAgreement', () => {
      test('an editor of a party’s partner records an agreement; queries show it, with each party’s country', async () => {
        const input = baseInput({
          id: 'uz-fr-nuclear-medicine', areas: ['ONCOLOGY', 'CARDIOLOGY'], summary: '  Joint training in nuclear medicine.  ',
          eventId: 'french-healthcare-business-forum-2026', status: 'UNDER_DISCUSSION',
        });
        const { body } = await fr(CREATE, { input });
        expect(body.errors).toBeUndefined();
        const expected = {
          id: 'uz-fr-nuclear-medicine', title: 'Cooperation in nuclear medicine', kind: 'COOPERATION_AGREEMENT', status: 'UNDER_DISCUSSION', version: 1,
          signedOn: null, summary: 'Joint training in nuclear medicine.', areas: ['CARDIOLOGY', 'ONCOLOGY'], synthetic: false,
          event: { id: 'french-healthcare-business-forum-2026' },
          parties: [
            { institution: { id: 'uz-ministry-of-health' }, role: 'Uzbek party', representative: null },
            { institution: { id: 'gustave-roussy' }, role: 'French partner', representative: { id: 'patrick-le-dise' } },
          ],
          milestones: [],
        };
        expect(body.data.createAgreement.agreement).toEqual(expected);

        const read = await postGraphQL<any>(url, `{ agreement(id: "uz-fr-nuclear-medicine") {
          id title kind status version signedOn summary areas synthetic event { id } parties { institution { id } role representative { id } } milestones { id } }
          fr: agreements(filter: { country: FR, status: UNDER_DISCUSSION, area: ONCOLOGY }) { nodes { id } }
          gr: agreements(filter: { party: "gustave-roussy" }) { nodes { id } }
          forum: event(id: "french-healthcare-business-forum-2026") { agreements { id } } }`);
        expect(read.body.errors).toBeUndefined();
        expect(read.body.data.agreement).toEqual(expected);
        expect(read.body.data.fr.nodes.map((n: { id: string }) => n.id)).toContain('uz-fr-nuclear-medicine');
        expect(read.body.data.gr.nodes.map((n: { id: string }) => n.id)).toContain('uz-fr-nuclear-medicine');
        expect(read.body.data.forum.agreements.map((n: { id: string }) => n.id)).toContain('uz-fr-nuclear-medicine');
        const stored = await server.database.dataSource.getRepository(AgreementParty).find({ where: { agreementId: 'uz-fr-nuclear-medicine' }, order: { position: 'ASC' } });
        expect(stored.map((p) => [p.institutionId, p.country, p.position])).toEqual([['uz-ministry-of-health', 'UZ', 0], ['gustave-roussy', 'FR', 1]]);
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
          'input.parties[2].institutionId', /already input.parties\[0\]/,
        ],
        [
          'an institution the institutions subgraph does not know',
          { parties: [{ institutionId: 'gustave-roussy' }, { institutionId: 'no-such-hospital' }] },
          'input.parties[1].institutionId', /no institution with id "no-such-hospital"/,
        ],
        [
          'a representative the institutions subgraph does not know',
          { parties: [{ institutionId: 'gustave-roussy', representativeId: 'nobody-known' }] },
          'input.parties[0].representativeId', /no person with id "nobody-known"/,
        ],
        ['a malformed institution id', { parties: [{ institutionId: 'not an id' }] }, 'input.parties[0].institutionId', /letters, digits/],
        ['a role over 200 characters', { parties: [{ institutionId: 'gustave-roussy', role: long(201) }] }, 'input.parties[0].role', /at most 200/],
        ['an event that does not exist', { eventId: 'no-such-event' }, 'input.eventId', /no event with id "no-such-event"/],
        ['an area twice', { areas: ['ONCOLOGY', 'SURGERY', 'ONCOLOGY'] }, 'input.areas[2]', /ONCOLOGY is repeated/],
      ] as Array<[string, Record<string, unknown>, string, RegExp]>)('%s is refused on its field, nothing written', async (_case, overrides, field, message) => {
        const before = await counts();
        const { body } = await fr(CREATE, { input: baseInput(overrides) });
        expect(expectError(body, 'BAD_USER_INPUT', field)).toMatch(message);
        expect(await counts()).toEqual(before);
      });

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

    describe('setAgreementStatus', () => {
      test('an agreement walks forward step by step, signed on a given day, to completion', async () => {
        const { id } = await newAgreement();
        const walk: Array<[string, Record<string, unknown>]> = [['UNDER_DISCUSSION', {}], ['AGREED', {}], ['SIGNED', { signedOn: '2026-01-20' }], ['ACTIVE', {}], ['COMPLETED', {}]];
        let version = 1;
        for (const [status, extra] of walk) {
          const { body } = await as(UZ_EDITOR)(SET_STATUS, { input: { id, version, status, ...extra } });
          expect(body.errors).toBeUndefined();
          expect(body.data.setAgreementStatus.agreement).toMatchObject({ id, status, version: version + 1 });
          version += 1;
        }
        const read = await postGraphQL<any>(url, `{ agreement(id: "${id}") { status version signedOn concludedOn { precision label earliest } } }`);
        expect(read.body.data.agreement).toEqual({
          status: 'COMPLETED', version: 6, signedOn: '2026-01-20', concludedOn: { precision: 'DAY', label: '2026-01-20', earliest: '2026-01-20' },
        });
        const { body } = await fr(SET_STATUS, { input: { id, version, status: 'TERMINATED' } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.status')).toMatch(/is COMPLETED: its status can no longer change/);
      });

      test('a reference agreement agreed in talks is signed by an editor of one of its partners', async () => {
        const { body } = await as(UZ_EDITOR)(SET_STATUS, { input: { id: 'disability-rehabilitation-cooperation', version: 1, status: 'SIGNED' } });
        expect(body.errors).toBeUndefined();
        // No day given: the agreement keeps what the sources said about when it was concluded.
        expect(body.data.setAgreementStatus.agreement).toEqual({
          id: 'disability-rehabilitation-cooperation', status: 'SIGNED', version: 2, signedOn: null,
          concludedOn: { precision: 'MONTH', label: '19–21 January 2026, French Healthcare & Business Forum', earliest: '2026-01-01' },
        });
      });

      test('any open agreement may be TERMINATED; a terminated one stays terminated', async () => {
        const { id } = await newAgreement();
        const { body } = await fr(SET_STATUS, { input: { id, version: 1, status: 'TERMINATED' } });
        expect(body.data.setAgreementStatus.agreement).toMatchObject({ status: 'TERMINATED', version: 2 });
        const again = await fr(SET_STATUS, { input: { id, version: 2, status: 'UNDER_DISCUSSION' } });
        expect(expectError(again.body, 'BAD_USER_INPUT', 'input.status')).toMatch(/TERMINATED: its status can no longer change/);
      });

      test.each([
        ['skipping a step', 'AGREED', /PROPOSED: it can move to UNDER_DISCUSSION or TERMINATED only \(not AGREED\)/],
        ['jumping to signed', 'SIGNED', /it can move to UNDER_DISCUSSION or TERMINATED only/],
        ['staying where it is', 'PROPOSED', /it can move to UNDER_DISCUSSION or TERMINATED only \(not PROPOSED\)/],
      ])('%s is refused, naming the allowed next statuses', async (_case, status, message) => {
        const { id } = await newAgreement();
        const before = await counts();
        const { body } = await fr(SET_STATUS, { input: { id, version: 1, status } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.status')).toMatch(message);
        expect(await counts()).toEqual(before);
      });

      test('going backwards is refused', async () => {
        const { body } = await fr(SET_STATUS, { input: { id: 'mfa-healthcare-cooperation', version: 1, status: 'UNDER_DISCUSSION' } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.status')).toMatch(/AGREED: it can move to SIGNED or TERMINATED only/);
      });

      test.each([
        ['a day in the future', { status: 'SIGNED', signedOn: '2999-01-01' }, /must not be in the future/],
        ['a day that does not exist', { status: 'SIGNED', signedOn: '2026-02-30' }, /calendar date YYYY-MM-DD/],
        ['a day with another status', { status: 'TERMINATED', signedOn: '2026-01-20' }, /only when the status becomes SIGNED/],
      ])('signedOn with %s is refused', async (_case, input, message) => {
        const { id } = await newAgreement({ status: 'UNDER_DISCUSSION' });
        await fr(SET_STATUS, { input: { id, version: 1, status: 'AGREED' } });
        const { body } = await fr(SET_STATUS, { input: { id, version: 2, ...input } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.signedOn')).toMatch(message);
      });

      test('a stale version gets CONFLICT and changes nothing', async () => {
        const { id } = await newAgreement();
        await fr(SET_STATUS, { input: { id, version: 1, status: 'UNDER_DISCUSSION' } });
        const before = await counts();
        const { body } = await as(UZ_EDITOR)(SET_STATUS, { input: { id, version: 1, status: 'TERMINATED' } });
        expect(expectError(body, 'CONFLICT')).toMatch(/version 2, you sent 1/);
        expect(await counts()).toEqual(before);
        const read = await postGraphQL<any>(url, `{ agreement(id: "${id}") { status version } }`);
        expect(read.body.data.agreement).toEqual({ status: 'UNDER_DISCUSSION', version: 2 });
      });

      test('two writers with the same version: one wins, the other gets CONFLICT', async () => {
        const { id } = await newAgreement();
        const results = await Promise.all([
          fr(SET_STATUS, { input: { id, version: 1, status: 'UNDER_DISCUSSION' } }),
          as(UZ_EDITOR)(SET_STATUS, { input: { id, version: 1, status: 'TERMINATED' } }),
        ]);
        const codes = results.map((r) => (r.body.errors ? r.body.errors[0].extensions!.code : 'OK')).sort();
        expect(codes).toEqual(['CONFLICT', 'OK']);
        const read = await postGraphQL<any>(url, `{ agreement(id: "${id}") { version } }`);
        expect(read.body.data.agreement.version).toBe(2);
      });

      test('an unknown agreement is refused on input.id', async () => {
        const { body } = await fr(SET_STATUS, { input: { id: 'no-such-agreement', version: 1, status: 'TERMINATED' } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.id')).toMatch(/no agreement with id "no-such-agreement"/);
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a viewer', FR_VIEWER, 'FORBIDDEN'],
        ['an editor of a partner that is not a party (MC)', MC_EDITOR, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s may not change the status', async (_who, caller, code) => {
        const before = await counts();
        const { body } = await as(caller)(SET_STATUS, { input: { id: 'protocol-surgical-cooperation', version: 1, status: 'ACTIVE' } });
        expectError(body, code);
        expect(await counts()).toEqual(before);
      });

      test('the Monaco editor may change the talks with Monaco', async () => {
        const { body } = await as(MC_EDITOR)(SET_STATUS, { input: { id: 'monaco-cardiothoracic-cooperation', version: 1, status: 'AGREED' } });
        expect(body.errors).toBeUndefined();
        expect(body.data.setAgreementStatus.agreement).toMatchObject({ status: 'AGREED', version: 2 });
      });
    });

    describe('addAgreementParty', () => {
      test('an editor of an existing party adds an institution; the version moves on and the country is kept', async () => {
        const { id } = await newAgreement();
        const { body } = await fr(ADD_PARTY, { input: { agreementId: id, version: 1, institutionId: 'paul-strauss-center', role: '  host centre ', representativeId: null } });
        expect(body.errors).toBeUndefined();
        expect(body.data.addAgreementParty.agreement).toEqual({
          id, version: 2,
          parties: [
            { institution: { id: 'uz-ministry-of-health' }, role: 'Uzbek party', representative: null },
            { institution: { id: 'gustave-roussy' }, role: 'French partner', representative: { id: 'patrick-le-dise' } },
            { institution: { id: 'paul-strauss-center' }, role: 'host centre', representative: null },
          ],
        });
        const read = await postGraphQL<any>(url, `{ agreements(filter: { party: "paul-strauss-center", country: FR }) { nodes { id version } } }`);
        expect(read.body.data.agreements.nodes).toContainEqual({ id, version: 2 });
      });

      test('a new party makes its partner an owner', async () => {
        const { id } = await newAgreement();
        const added = await as(UZ_EDITOR)(ADD_PARTY, { input: { agreementId: id, version: 1, institutionId: 'monaco-cardiothoracic-center' } });
        expect(added.body.errors).toBeUndefined();
        const { body } = await as(MC_EDITOR)(SET_STATUS, { input: { id, version: 2, status: 'UNDER_DISCUSSION' } });
        expect(body.errors).toBeUndefined();
      });

      test('a partner that is not yet a party may not add itself, and the institutions subgraph is not even asked', async () => {
        const { id } = await newAgreement();
        const before = await counts();
        const calls = stub.calls;
        const { body } = await as(MC_EDITOR)(ADD_PARTY, { input: { agreementId: id, version: 1, institutionId: 'monaco-cardiothoracic-center' } });
        expect(expectError(body, 'FORBIDDEN')).toMatch(/UZ, FR/);
        expect(stub.calls).toBe(calls);
        expect(await counts()).toEqual(before);
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a viewer', FR_VIEWER, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s may not add a party', async (_who, caller, code) => {
        const { body } = await as(caller)(ADD_PARTY, { input: { agreementId: 'protocol-surgical-cooperation', version: 1, institutionId: 'paul-strauss-center' } });
        expectError(body, code);
      });

      test.each([
        ['an institution already a party', { institutionId: 'gustave-roussy' }, 'input.institutionId', /already a party/],
        ['an unknown institution', { institutionId: 'no-such-hospital' }, 'input.institutionId', /no institution with id/],
        ['an unknown representative', { institutionId: 'paul-strauss-center', representativeId: 'nobody-known' }, 'input.representativeId', /no person with id/],
        ['a role over 200 characters', { institutionId: 'paul-strauss-center', role: long(201) }, 'input.role', /at most 200/],
        ['an unknown agreement', { agreementId: 'no-such-agreement', institutionId: 'paul-strauss-center' }, 'input.agreementId', /no agreement/],
      ] as Array<[string, Record<string, unknown>, string, RegExp]>)('%s is refused on its field', async (_case, input, field, message) => {
        const { id } = await newAgreement();
        const before = await counts();
        const { body } = await fr(ADD_PARTY, { input: { agreementId: id, version: 1, ...input } });
        expect(expectError(body, 'BAD_USER_INPUT', field)).toMatch(message);
        expect(await counts()).toEqual(before);
      });

      test('a stale version gets CONFLICT', async () => {
        const { id } = await newAgreement();
        await fr(ADD_PARTY, { input: { agreementId: id, version: 1, institutionId: 'paul-strauss-center' } });
        const { body } = await fr(ADD_PARTY, { input: { agreementId: id, version: 1, institutionId: 'national-academy-of-surgery' } });
        expectError(body, 'CONFLICT');
      });

      test('a terminated agreement takes no new party', async () => {
        const { id } = await newAgreement();
        await fr(SET_STATUS, { input: { id, version: 1, status: 'TERMINATED' } });
        const { body } = await fr(ADD_PARTY, { input: { agreementId: id, version: 2, institutionId: 'paul-strauss-center' } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.agreementId')).toMatch(/TERMINATED: it takes no new parties/);
      });
    });

    describe('milestones', () => {
      test('addMilestone appends a milestone due in a quarter; updateMilestone changes it', async () => {
        const { id } = await newAgreement();
        const added = await fr(ADD_MILESTONE, { input: { agreementId: id, title: ' Joint action plan ', due: '2026-Q1', dueLabel: 'first quarter of 2026' } });
        expect(added.body.errors).toBeUndefined();
        const milestone = added.body.data.addMilestone.milestone;
        expect(milestone).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/), title: 'Joint action plan', status: 'PLANNED', version: 1, agreement: { id },
          due: { precision: 'QUARTER', label: 'first quarter of 2026', earliest: '2026-01-01', latest: '2026-03-31' },
        });
        // The agreement's own version does not move: its milestones carry their own.
        expect(added.body.data.addMilestone.agreement).toEqual({ id, version: 1, milestones: [{ id: milestone.id, title: 'Joint action plan' }] });

        const second = await as(UZ_EDITOR)(ADD_MILESTONE, { input: { agreementId: id, title: 'Centre opened', status: 'IN_PROGRESS' } });
        expect(second.body.data.addMilestone.milestone).toMatchObject({ status: 'IN_PROGRESS', due: null });
        expect(second.body.data.addMilestone.agreement.milestones.map((m: { title: string }) => m.title)).toEqual(['Joint action plan', 'Centre opened']);

        const updated = await fr(UPDATE_MILESTONE, { input: { id: milestone.id, version: 1, status: 'IN_PROGRESS', due: '2026-03' } });
        expect(updated.body.errors).toBeUndefined();
        // A new date without a label drops the old label, which described the old date.
        expect(updated.body.data.updateMilestone.milestone).toEqual({
          id: milestone.id, title: 'Joint action plan', status: 'IN_PROGRESS', version: 2, due: { precision: 'MONTH', label: 'March 2026' },
        });
        const labelled = await fr(UPDATE_MILESTONE, { input: { id: milestone.id, version: 2, dueLabel: 'by the end of March 2026', title: 'Joint action plan adopted' } });
        expect(labelled.body.data.updateMilestone.milestone).toMatchObject({ title: 'Joint action plan adopted', version: 3, due: { label: 'by the end of March 2026' } });
        const cleared = await fr(UPDATE_MILESTONE, { input: { id: milestone.id, version: 3, due: null, status: 'DONE' } });
        expect(cleared.body.data.updateMilestone.milestone).toMatchObject({ status: 'DONE', version: 4, due: null });

        const read = await postGraphQL<any>(url, `{ agreement(id: "${id}") { milestones { title status version due { label } } } }`);
        expect(read.body.data.agreement.milestones).toEqual([
          { title: 'Joint action plan adopted', status: 'DONE', version: 4, due: null },
          { title: 'Centre opened', status: 'IN_PROGRESS', version: 1, due: null },
        ]);
      });

      test('a reference milestone is updated by an editor of its agreement’s partners only', async () => {
        const input = { id: 'protocol-surgical-cooperation-first-five', version: 1, status: 'IN_PROGRESS' };
        expectError((await as(MC_EDITOR)(UPDATE_MILESTONE, { input })).body, 'FORBIDDEN');
        expectError((await as(null)(UPDATE_MILESTONE, { input })).body, 'UNAUTHENTICATED');
        expectError((await as(FR_VIEWER)(UPDATE_MILESTONE, { input })).body, 'FORBIDDEN');
        const { body } = await fr(UPDATE_MILESTONE, { input });
        expect(body.data.updateMilestone.milestone).toEqual({
          id: 'protocol-surgical-cooperation-first-five', title: 'First five Uzbek surgeons begin training at the Paul Strauss Center, Strasbourg',
          status: 'IN_PROGRESS', version: 2, due: { precision: 'MONTH', label: 'March 2026' },
        });
      });

      test('concurrent additions get distinct, ordered positions', async () => {
        const { id } = await newAgreement();
        const titles = ['one', 'two', 'three', 'four', 'five'];
        const results = await Promise.all(titles.map((title) => fr(ADD_MILESTONE, { input: { agreementId: id, title } })));
        expect(results.every((r) => r.body.errors === undefined)).toBe(true);
        const rows = await server.database.dataSource.getRepository(Milestone).find({ where: { agreementId: id }, order: { position: 'ASC' } });
        expect(rows.map((r) => r.position)).toEqual([0, 1, 2, 3, 4]);
        expect([...rows.map((r) => r.title)].sort()).toEqual([...titles].sort());
      });

      test.each([
        ['a blank title', { title: '' }, 'input.title', /must not be blank/],
        ['a title over 300 characters', { title: long(301) }, 'input.title', /at most 300/],
        ['a due date that is not a partial date', { due: '2026-13' }, 'input.due', /"2030", "2026-Q1", "2026-03" or "2026-03-15"/],
        ['a due date in words', { due: 'Q1 2026' }, 'input.due', /"2026-Q1"/],
        ['a label without a due date', { dueLabel: 'soon' }, 'input.dueLabel', /needs input.due/],
        ['a label over 200 characters', { due: '2030', dueLabel: long(201) }, 'input.dueLabel', /at most 200/],
        ['an unknown agreement', { agreementId: 'no-such-agreement' }, 'input.agreementId', /no agreement/],
      ] as Array<[string, Record<string, unknown>, string, RegExp]>)('addMilestone with %s is refused on its field', async (_case, input, field, message) => {
        const before = await counts();
        const { body } = await fr(ADD_MILESTONE, { input: { agreementId: 'protocol-surgical-cooperation', title: 'A milestone', ...input } });
        expect(expectError(body, 'BAD_USER_INPUT', field)).toMatch(message);
        expect(await counts()).toEqual(before);
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a viewer', FR_VIEWER, 'FORBIDDEN'],
        ['an editor of a partner that is not a party (MC)', MC_EDITOR, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s may not add a milestone', async (_who, caller, code) => {
        const before = await counts();
        expectError((await as(caller)(ADD_MILESTONE, { input: { agreementId: 'protocol-surgical-cooperation', title: 'Refused' } })).body, code);
        expect(await counts()).toEqual(before);
      });

      test('a completed or terminated agreement takes no new milestone', async () => {
        const { id } = await newAgreement();
        await fr(SET_STATUS, { input: { id, version: 1, status: 'TERMINATED' } });
        const { body } = await fr(ADD_MILESTONE, { input: { agreementId: id, title: 'Too late' } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.agreementId')).toMatch(/TERMINATED: it takes no new milestones/);
      });

      test.each([
        ['nothing to change', {}, 'input', /at least one of/],
        ['a blank title', { title: ' ' }, 'input.title', /must not be blank/],
        ['a null status', { status: null }, 'input.status', /omit it to keep/],
        ['a bad due date', { due: '2026-Q5' }, 'input.due', /"2026-Q1"/],
        ['a label for an undated milestone', { dueLabel: 'soon' }, 'input.dueLabel', /needs a due date/],
        ['a label with the date cleared', { due: null, dueLabel: 'never' }, 'input.dueLabel', /needs a due date/],
      ] as Array<[string, Record<string, unknown>, string, RegExp]>)('updateMilestone with %s is refused on its field', async (_case, input, field, message) => {
        const before = await counts();
        const { body } = await fr(UPDATE_MILESTONE, { input: { id: 'gustave-roussy-licensing-agreement-expert-training', version: 1, ...input } });
        expect(expectError(body, 'BAD_USER_INPUT', field)).toMatch(message);
        expect(await counts()).toEqual(before);
      });

      test('updateMilestone with a stale version gets CONFLICT; an unknown id is refused on input.id', async () => {
        const { id } = await newAgreement();
        const { body: added } = await fr(ADD_MILESTONE, { input: { agreementId: id, title: 'Plan' } });
        const milestoneId = added.data.addMilestone.milestone.id;
        await fr(UPDATE_MILESTONE, { input: { id: milestoneId, version: 1, status: 'DONE' } });
        expect(expectError((await fr(UPDATE_MILESTONE, { input: { id: milestoneId, version: 1, status: 'CANCELLED' } })).body, 'CONFLICT')).toMatch(/version 2, you sent 1/);
        expectError((await fr(UPDATE_MILESTONE, { input: { id: 'no-such-milestone', version: 1, status: 'DONE' } })).body, 'BAD_USER_INPUT', 'input.id');
      });
    });

    test('mutations of one request see each other’s changes, never records cached before them', async () => {
      const { body } = await fr(`mutation {
        first: createAgreement(input: { id: "two-steps", title: "Two steps", kind: PROTOCOL, parties: [{ institutionId: "uz-ministry-of-health" }, { institutionId: "gustave-roussy" }] }) {
          agreement { version parties { institution { id } } } }
        second: addAgreementParty(input: { agreementId: "two-steps", version: 1, institutionId: "paul-strauss-center" }) {
          agreement { version parties { institution { id } } } }
        third: addMilestone(input: { agreementId: "two-steps", title: "Kick-off" }) { agreement { version parties { institution { id } } milestones { title } } } }`);
      expect(body.errors).toBeUndefined();
      const ids = (agreement: { parties: Array<{ institution: { id: string } }> }) => agreement.parties.map((p) => p.institution.id);
      expect(ids(body.data.first.agreement)).toEqual(['uz-ministry-of-health', 'gustave-roussy']);
      expect(body.data.second.agreement.version).toBe(2);
      expect(ids(body.data.second.agreement)).toEqual(['uz-ministry-of-health', 'gustave-roussy', 'paul-strauss-center']);
      expect(body.data.third.agreement).toMatchObject({ version: 2, milestones: [{ title: 'Kick-off' }] });
      expect(ids(body.data.third.agreement)).toHaveLength(3);
    });

    describe('audit trail', () => {
      test('every change leaves one entry with its author, mutation and before/after; refusals leave none', async () => {
        const { body: created } = await fr(CREATE, { input: baseInput({ id: 'audited-agreement', areas: ['SURGERY'] }) });
        expect(created.errors).toBeUndefined();
        await fr(SET_STATUS, { input: { id: 'audited-agreement', version: 1, status: 'AGREED' } }); // refused: skips a step
        await as(MC_EDITOR)(SET_STATUS, { input: { id: 'audited-agreement', version: 1, status: 'UNDER_DISCUSSION' } }); // refused: not an owner
        await as(UZ_EDITOR)(SET_STATUS, { input: { id: 'audited-agreement', version: 1, status: 'UNDER_DISCUSSION' } });
        await fr(ADD_PARTY, { input: { agreementId: 'audited-agreement', version: 2, institutionId: 'paul-strauss-center', role: 'host' } });
        const { body: milestone } = await fr(ADD_MILESTONE, { input: { agreementId: 'audited-agreement', title: 'Plan', due: '2027' } });
        const milestoneId = milestone.data.addMilestone.milestone.id;
        await as(ADMIN)(UPDATE_MILESTONE, { input: { id: milestoneId, version: 1, status: 'DONE' } });

        const { body } = await admin(AUDIT, { recordId: 'audited-agreement' });
        expect(body.errors).toBeUndefined();
        const trail = body.data.agreementsAuditTrail;
        expect(trail.totalCount).toBe(3);
        expect(trail.nodes.map((n: any) => [n.mutation, n.subject, n.partner, n.recordType])).toEqual([
          ['createAgreement', 'fr-editor', 'FR', 'Agreement'],
          ['setAgreementStatus', 'uz-editor', 'UZ', 'Agreement'],
          ['addAgreementParty', 'fr-editor', 'FR', 'Agreement'],
        ]);
        const [create, status, party] = trail.nodes;
        expect(create.before).toBeNull();
        expect(JSON.parse(create.after)).toMatchObject({ id: 'audited-agreement', status: 'PROPOSED', version: 1, areas: ['SURGERY'], parties: [
          { institutionId: 'uz-ministry-of-health', role: 'Uzbek party', representativeId: null, country: 'UZ' },
          { institutionId: 'gustave-roussy', role: 'French partner', representativeId: 'patrick-le-dise', country: 'FR' },
        ] });
        expect([JSON.parse(status.before).status, JSON.parse(status.after).status]).toEqual(['PROPOSED', 'UNDER_DISCUSSION']);
        expect([JSON.parse(status.before).version, JSON.parse(status.after).version]).toEqual([1, 2]);
        expect(JSON.parse(party.before).parties).toHaveLength(2);
        expect(JSON.parse(party.after).parties[2]).toEqual({ institutionId: 'paul-strauss-center', role: 'host', representativeId: null, country: 'FR' });
        expect(JSON.parse(party.after).version).toBe(3);
        expect(trail.nodes.every((n: any) => typeof n.requestId === 'string' && n.requestId.length > 0)).toBe(true);

        const milestoneTrail = (await admin(AUDIT, { recordId: milestoneId })).body.data.agreementsAuditTrail;
        expect(milestoneTrail.nodes.map((n: any) => [n.mutation, n.subject, n.recordType])).toEqual([
          ['addMilestone', 'fr-editor', 'Milestone'],
          ['updateMilestone', 'mc-admin', 'Milestone'],
        ]);
        expect(JSON.parse(milestoneTrail.nodes[0].after)).toMatchObject({ id: milestoneId, agreementId: 'audited-agreement', due: '2027', status: 'PLANNED', version: 1 });
        expect([JSON.parse(milestoneTrail.nodes[1].before).status, JSON.parse(milestoneTrail.nodes[1].after).status]).toEqual(['PLANNED', 'DONE']);
      });

      test('the whole trail pages oldest first', async () => {
        const first = (await admin(AUDIT, { first: 2 })).body.data.agreementsAuditTrail;
        expect(first.nodes).toHaveLength(2);
        expect(first.pageInfo.hasNextPage).toBe(true);
        const next = (await admin(AUDIT, { first: 2, after: first.pageInfo.endCursor })).body.data.agreementsAuditTrail;
        expect(next.nodes).toHaveLength(2);
        expect(next.totalCount).toBe(first.totalCount);
        const times = [...first.nodes, ...next.nodes].map((n: { at: string }) => n.at);
        expect([...times].sort()).toEqual(times);
      });

      test.each([
        ['an editor', FR_EDITOR, 'FORBIDDEN'],
        ['a viewer', FR_VIEWER, 'FORBIDDEN'],
        ['anonymous', null, 'UNAUTHENTICATED'],
      ] as Array<[string, Caller | null, string]>)('%s may not read it', async (_who, caller, code) => {
        const { body } = await as(caller)(AUDIT, {});
        expect(body.data).toEqual({ agreementsAuditTrail: null });
        expectError(body, code);
      });
    });

    describe('a failure in the middle of a write', () => {
      /** Makes inserts of one entity fail, as a crash or constraint failure mid-transaction would. */
      const failingInsert = <T>(entity: new () => T, when: (row: T) => boolean): EntitySubscriberInterface<T> => ({
        listenTo: () => entity,
        beforeInsert: (event: InsertEvent<T>) => {
          if (when(event.entity)) throw new Error('simulated failure in the middle of a write');
        },
      });

      const withFailure = async <T>(subscriber: EntitySubscriberInterface<T>, work: () => Promise<void>) => {
        const subscribers = server.database.dataSource.subscribers as EntitySubscriberInterface<unknown>[];
        const level = server.logger.level;
        subscribers.push(subscriber as EntitySubscriberInterface<unknown>);
        server.logger.level = 'silent'; // the service logs the simulated failure as an internal error: expected here
        try {
          await work();
        } finally {
          subscribers.splice(subscribers.indexOf(subscriber as EntitySubscriberInterface<unknown>), 1);
          server.logger.level = level;
        }
      };

      test('createAgreement failing at its second party leaves no agreement, area, party or audit entry', async () => {
        const before = await counts();
        await withFailure(failingInsert(AgreementParty, (party) => party.position === 1), async () => {
          const { body } = await fr(CREATE, { input: baseInput({ id: 'half-written', areas: ['SURGERY'] }) });
          expect(expectError(body, 'INTERNAL_SERVER_ERROR')).toBe('Internal server error');
        });
        expect(await counts()).toEqual(before);
        expect(await server.database.dataSource.getRepository(Agreement).existsBy({ id: 'half-written' })).toBe(false);
        // The same request succeeds once the failure is gone: nothing half-written stands in its way.
        const { body } = await fr(CREATE, { input: baseInput({ id: 'half-written', areas: ['SURGERY'] }) });
        expect(body.errors).toBeUndefined();
      });

      test('addAgreementParty failing at its audit entry leaves neither the party nor a new version', async () => {
        const { id } = await newAgreement();
        const before = await counts();
        await withFailure(failingInsert(AuditEntry, () => true), async () => {
          const { body } = await fr(ADD_PARTY, { input: { agreementId: id, version: 1, institutionId: 'paul-strauss-center' } });
          expectError(body, 'INTERNAL_SERVER_ERROR');
        });
        expect(await counts()).toEqual(before);
        const read = await postGraphQL<any>(url, `{ agreement(id: "${id}") { version parties { institution { id } } } }`);
        expect(read.body.data.agreement).toEqual({ version: 1, parties: [{ institution: { id: 'uz-ministry-of-health' } }, { institution: { id: 'gustave-roussy' } }] });
      });

      test('updateMilestone failing at its audit entry leaves the milestone as it was', async () => {
        const before = await counts();
        await withFailure(failingInsert(AuditEntry, () => true), async () => {
          const { body } = await fr(UPDATE_MILESTONE, { input: { id: 'gustave-roussy-licensing-agreement-joint-action-plan', version: 1, status: 'DONE' } });
          expectError(body, 'INTERNAL_SERVER_ERROR');
        });
        expect(await counts()).toEqual(before);
        const row = await server.database.dataSource.getRepository(Milestone).findOneByOrFail({ id: 'gustave-roussy-licensing-agreement-joint-action-plan' });
        expect([row.status, row.version]).toEqual(['PLANNED', 1]);
      });
    });

    describe('when the institutions subgraph cannot be asked', () => {
      let offline: SubgraphServer;
      let offlineScratch: ScratchTarget;
      let offlineUrl: string;

      beforeAll(async () => {
        offlineScratch = await target.open('agreements-offline');
        // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
        offline = await createAgreementsServer({ port: 0, databaseUrl: offlineScratch.url, peers: { institutions: 'http://127.0.0.1:9/graphql' } });
        offlineUrl = await offline.listen(0);
      });
      afterAll(async () => {
        await offline?.stop();
        await offlineScratch?.dispose();
      });

      const offlineCounts = async () =>
        Promise.all([Agreement, AgreementArea, AgreementParty, Milestone, AuditEntry].map((entity) => offline.database.dataSource.getRepository(entity).count()));

      test.each([
        ['createAgreement', CREATE, { input: baseInput() }],
        ['addAgreementParty', ADD_PARTY, { input: { agreementId: 'protocol-surgical-cooperation', version: 1, institutionId: 'paul-strauss-center' } }],
      ])('%s gets SERVICE_UNAVAILABLE and writes nothing', async (_mutation, query, variables) => {
        const before = await offlineCounts();
        const { body } = await postGraphQL<any>(offlineUrl, query, variables, { caller: FR_EDITOR });
        expect(expectError(body, 'SERVICE_UNAVAILABLE')).toMatch(/nothing was written/);
        expect(await offlineCounts()).toEqual(before);
      });

      test('mutations that need no other subgraph still work', async () => {
        const { body } = await postGraphQL<any>(offlineUrl, ADD_MILESTONE, { input: { agreementId: 'protocol-surgical-cooperation', title: 'Second cohort' } }, { caller: FR_EDITOR });
        expect(body.errors).toBeUndefined();
      });
    });
  });
}
