import type { Caller } from '@partnership/subgraph-kit';
import type { SubgraphServer } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import type { EntitySubscriberInterface } from 'typeorm';
import { AuditEntry, InstitutionSpecialty } from '../src/entities';
import { createInstitutionsServer } from '../src/server';

const caller = (partner: Caller['partner'], roles: Caller['roles']): Caller => ({ subject: `${partner.toLowerCase()}-${roles.join('-')}`, partner, roles });
const frEditor = caller('FR', ['editor']);
const uzEditor = caller('UZ', ['editor']);
const mcEditor = caller('MC', ['editor']);
const frViewer = caller('FR', ['viewer']);
const frAnalyst = caller('FR', ['analyst']);
const admin = caller('UZ', ['admin']);

const INSTITUTION_FIELDS = 'id name localName kind status country city brand description partOf { id } specialties version synthetic';
const CREATE_INSTITUTION = `mutation ($input: CreateInstitutionInput!) { createInstitution(input: $input) { institution { ${INSTITUTION_FIELDS} } } }`;
const UPDATE_INSTITUTION = `mutation ($input: UpdateInstitutionInput!) { updateInstitution(input: $input) { institution { ${INSTITUTION_FIELDS} } } }`;
const PERSON_FIELDS = 'id fullName title email phone institution { id } version synthetic';
const ADD_PERSON = `mutation ($input: AddPersonInput!) { addPerson(input: $input) { person { ${PERSON_FIELDS} } } }`;
const UPDATE_PERSON = `mutation ($input: UpdatePersonInput!) { updatePerson(input: $input) { person { ${PERSON_FIELDS} } } }`;
const AUDIT_TRAIL = 'query ($id: ID) { institutionsAuditTrail(recordId: $id, first: 100) { totalCount nodes { subject partner mutation recordType recordId before after requestId at } } }';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A subscriber that makes the n-th insert of one entity fail, as a crash in the middle of a write would. */
function failingInsert(entity: Function, failAt: number): EntitySubscriberInterface {
  let inserts = 0;
  return {
    listenTo: () => entity,
    beforeInsert: () => {
      inserts += 1;
      if (inserts === failAt) throw new Error(`simulated failure on insert ${failAt} of ${entity.name}`);
    },
  };
}

for (const target of scratchTargets) {
  target.describe('institutions mutations', () => {
    let scratch: ScratchTarget;
    let server: SubgraphServer;
    let url: string;

    beforeAll(async () => {
      scratch = await target.open('institutions_mutations');
      server = await createInstitutionsServer({ port: 0, databaseUrl: scratch.url });
      url = await server.listen(0);
    });
    afterAll(async () => {
      await server?.stop();
      await scratch?.dispose();
    });

    const gql = (who: Caller | null, query: string, variables?: Record<string, unknown>) => postGraphQL<any>(url, query, variables, { caller: who });
    const rowCounts = async () => {
      const { dataSource } = server.database;
      const counts: Record<string, number> = {};
      for (const meta of dataSource.entityMetadatas) counts[meta.tableName] = await dataSource.getRepository(meta.target).count();
      return counts;
    };
    /** Runs a write that must be refused and checks that nothing at all was written. */
    const expectRefused = async (who: Caller | null, query: string, input: Record<string, unknown>, code: string, field?: string, httpStatus = 200) => {
      const before = await rowCounts();
      const { status, body } = await gql(who, query, { input });
      expect(status).toBe(httpStatus);
      expect(body.data ?? null).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0].extensions!.code).toBe(code);
      if (field !== undefined) expect(body.errors![0].extensions!.field).toBe(field);
      expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|stack/i);
      expect(await rowCounts()).toEqual(before);
      return body.errors![0] as { message: string; extensions: Record<string, unknown> };
    };
    const createInstitution = async (input: Record<string, unknown>, who: Caller = frEditor) => {
      const { body } = await gql(who, CREATE_INSTITUTION, { input: { kind: 'HOSPITAL', country: 'FR', ...input } });
      expect(body.errors).toBeUndefined();
      return body.data.createInstitution.institution;
    };
    const addPerson = async (input: Record<string, unknown>, who: Caller = frEditor) => {
      const { body } = await gql(who, ADD_PERSON, { input });
      expect(body.errors).toBeUndefined();
      return body.data.addPerson.person;
    };
    const auditOf = async (id: string) => (await gql(admin, AUDIT_TRAIL, { id })).body.data.institutionsAuditTrail;

    test('reference institutions and people start at version 1', async () => {
      const { body } = await gql(null, '{ institution(id: "gustave-roussy") { version } person(id: "celine-poulet") { version } }');
      expect(body.data).toEqual({ institution: { version: 1 }, person: { version: 1 } });
    });

    describe('createInstitution', () => {
      test('an FR editor records a French institution; queries and search see it', async () => {
        const created = await createInstitution({
          id: 'lyon-heart-institute', name: '  Lyon Heart Institute ', localName: 'Institut Cœur de Lyon', country: 'FR', city: 'Lyon',
          description: 'Synthetic test record.', partOfId: 'gustave-roussy', specialties: ['SURGERY', 'CARDIOLOGY'],
        });
        expect(created).toEqual({
          id: 'lyon-heart-institute', name: 'Lyon Heart Institute', localName: 'Institut Cœur de Lyon', kind: 'HOSPITAL', status: 'OPERATING', country: 'FR',
          city: 'Lyon', brand: null, description: 'Synthetic test record.', partOf: { id: 'gustave-roussy' }, specialties: ['CARDIOLOGY', 'SURGERY'], version: 1, synthetic: false,
        });
        const { body } = await gql(null, `{
          institution(id: "lyon-heart-institute") { name specialties }
          bySearch: institutions(filter: { search: "COEUR DE" }) { nodes { id } }
          bySpecialty: institutions(filter: { specialty: CARDIOLOGY, country: FR }) { nodes { id } }
          parent: institution(id: "gustave-roussy") { units { id } }
        }`);
        expect(body.data.institution).toEqual({ name: 'Lyon Heart Institute', specialties: ['CARDIOLOGY', 'SURGERY'] });
        expect(body.data.bySearch.nodes).toEqual([{ id: 'lyon-heart-institute' }]);
        expect(body.data.bySpecialty.nodes).toEqual([{ id: 'lyon-heart-institute' }]);
        expect(body.data.parent.units).toEqual([{ id: 'lyon-heart-institute' }]);
      });

      test('without an id it gets a UUID; a UZ editor records an Uzbek institution, an MC editor a Monégasque one', async () => {
        const uz = await createInstitution({ name: 'Samarkand Regional Hospital', country: 'UZ', status: 'PLANNED' }, uzEditor);
        expect(uz.id).toMatch(UUID);
        expect(uz).toMatchObject({ country: 'UZ', status: 'PLANNED', specialties: [], partOf: null, version: 1 });
        const mc = await createInstitution({ name: 'Monaco Test Clinic', country: 'MC' }, mcEditor);
        expect(mc.country).toBe('MC');
      });

      test('institutions of countries with no partner are for admins only', async () => {
        const error = await expectRefused(frEditor, CREATE_INSTITUTION, { name: 'Almaty Clinic', kind: 'HOSPITAL', country: 'KZ' }, 'FORBIDDEN');
        expect(error.message).toMatch(/no partner \(admins only\)/);
        const kz = await createInstitution({ name: 'Almaty Clinic', country: 'KZ' }, admin);
        expect(kz.country).toBe('KZ');
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a UZ editor', uzEditor, 'FORBIDDEN'],
        ['an FR viewer', frViewer, 'FORBIDDEN'],
        ['an FR analyst', frAnalyst, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s cannot record a French institution', async (_who, who, code) => {
        await expectRefused(who, CREATE_INSTITUTION, { id: 'refused-institution', name: 'Refused', kind: 'HOSPITAL', country: 'FR' }, code);
      });

      test.each([
        ['a blank name', { name: '   ' }, 'input.name', /must not be blank: give 1–300 characters/],
        ['a name over 300 characters', { name: 'x'.repeat(301) }, 'input.name', /at most 300 characters/],
        ['a local name over 300 characters', { localName: 'é'.repeat(301) }, 'input.localName', /at most 300/],
        ['a city over 120 characters', { city: 'c'.repeat(121) }, 'input.city', /at most 120/],
        ['a brand over 200 characters', { brand: 'b'.repeat(201) }, 'input.brand', /at most 200/],
        ['a description over 4000 characters', { description: 'd'.repeat(4001) }, 'input.description', /at most 4000/],
        ['an id that is not a slug', { id: 'not a slug!' }, 'input.id', /letters, digits/],
        ['an id already used', { id: 'gustave-roussy' }, 'input.id', /already used/],
        ['a parent that does not exist', { partOfId: 'no-such-institution' }, 'input.partOfId', /no institution "no-such-institution"/],
        ['a specialty twice', { specialties: ['ONCOLOGY', 'SURGERY', 'ONCOLOGY'] }, 'input.specialties[2]', /at most once: ONCOLOGY/],
      ])('%s is refused with BAD_USER_INPUT', async (_case, change, field, message) => {
        const error = await expectRefused(frEditor, CREATE_INSTITUTION, { name: 'Valid Name', kind: 'HOSPITAL', country: 'FR', ...change }, 'BAD_USER_INPUT', field);
        expect(error.message).toMatch(message);
      });

      test('a character count, not a byte count: 300 accented letters fit', async () => {
        const created = await createInstitution({ name: 'é'.repeat(300) });
        expect(created.name).toHaveLength(300);
      });

      // GraphQL itself refuses variables that do not fit the input type, before any resolver (HTTP 400).
      test('an unknown enum value or a null status is refused by GraphQL', async () => {
        const unknown = await expectRefused(frEditor, CREATE_INSTITUTION, { name: 'X', kind: 'SPACESHIP', country: 'FR' }, 'BAD_USER_INPUT', undefined, 400);
        expect(unknown.message).toMatch(/"SPACESHIP"/);
        await expectRefused(frEditor, CREATE_INSTITUTION, { name: 'X', kind: 'HOSPITAL', country: 'FR', status: null }, 'BAD_USER_INPUT', undefined, 400);
      });

      test('two creates with the same id at once: one wins, the other is told the id is taken', async () => {
        const input = { id: 'race-institution', name: 'Race', kind: 'HOSPITAL', country: 'FR' };
        const results = await Promise.all([1, 2, 3].map(() => gql(frEditor, CREATE_INSTITUTION, { input })));
        const won = results.filter((r) => r.body.errors === undefined);
        expect(won).toHaveLength(1);
        for (const lost of results.filter((r) => r.body.errors !== undefined)) expect(lost.body.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.id' });
        expect((await auditOf('race-institution')).totalCount).toBe(1);
      });

      test('a failure in the middle of the write leaves no row behind, audit entry included', async () => {
        const subscriber = failingInsert(InstitutionSpecialty, 2);
        const { subscribers } = server.database.dataSource;
        const level = server.logger.level;
        server.logger.level = 'silent';
        subscribers.push(subscriber);
        try {
          const before = await rowCounts();
          const { body } = await gql(frEditor, CREATE_INSTITUTION, { input: { id: 'half-written', name: 'Half Written', kind: 'HOSPITAL', country: 'FR', specialties: ['ONCOLOGY', 'SURGERY'] } });
          expect(body.errors![0].extensions!.code).toBe('INTERNAL_SERVER_ERROR');
          expect(body.errors![0].message).toBe('Internal server error');
          expect(await rowCounts()).toEqual(before);
        } finally {
          subscribers.splice(subscribers.indexOf(subscriber), 1);
          server.logger.level = level;
        }
        expect((await gql(null, '{ institution(id: "half-written") { id } }')).body.data.institution).toBeNull();
      });
    });

    describe('updateInstitution', () => {
      test('an FR editor changes names, specialties and clears a field; search follows, version goes up', async () => {
        await createInstitution({ id: 'nice-test-hospital', name: 'Nice Test Hospital', localName: 'Hôpital de Nice', city: 'Nice', specialties: ['ONCOLOGY'] });
        const { body } = await gql(frEditor, UPDATE_INSTITUTION, {
          input: { id: 'nice-test-hospital', version: 1, name: 'Côte d’Azur Hospital', localName: 'Hôpital Côte d’Azur', city: null, specialties: ['REHABILITATION', 'SURGERY'], status: 'PLANNED' },
        });
        expect(body.errors).toBeUndefined();
        expect(body.data.updateInstitution.institution).toMatchObject({
          id: 'nice-test-hospital', name: 'Côte d’Azur Hospital', localName: 'Hôpital Côte d’Azur', city: null, status: 'PLANNED', country: 'FR',
          specialties: ['REHABILITATION', 'SURGERY'], version: 2,
        });
        const search = async (term: string) => (await gql(null, 'query ($s: String) { institutions(filter: { search: $s }) { nodes { id } } }', { s: term })).body.data.institutions.nodes;
        expect(await search("cote d'azur")).toEqual([{ id: 'nice-test-hospital' }]);
        expect(await search('hopital de nice')).toEqual([]);
        const { body: read } = await gql(null, '{ institution(id: "nice-test-hospital") { version specialties city } institutions(filter: { specialty: ONCOLOGY, country: FR }) { nodes { id } } }');
        expect(read.data.institution).toEqual({ version: 2, specialties: ['REHABILITATION', 'SURGERY'], city: null });
        expect(read.data.institutions.nodes.map((n: { id: string }) => n.id)).not.toContain('nice-test-hospital');
      });

      test('fields left out keep their value', async () => {
        await createInstitution({ id: 'keep-fields', name: 'Keep Fields', city: 'Paris', brand: 'Brand', specialties: ['ONCOLOGY'] });
        const { body } = await gql(frEditor, UPDATE_INSTITUTION, { input: { id: 'keep-fields', version: 1, description: 'Now described.' } });
        expect(body.data.updateInstitution.institution).toMatchObject({ name: 'Keep Fields', city: 'Paris', brand: 'Brand', specialties: ['ONCOLOGY'], description: 'Now described.', version: 2 });
      });

      test('a stale version gets CONFLICT and changes nothing', async () => {
        await createInstitution({ id: 'stale-target', name: 'Stale Target' });
        expect((await gql(frEditor, UPDATE_INSTITUTION, { input: { id: 'stale-target', version: 1, name: 'First Writer' } })).body.errors).toBeUndefined();
        const error = await expectRefused(frEditor, UPDATE_INSTITUTION, { id: 'stale-target', version: 1, name: 'Second Writer' }, 'CONFLICT');
        expect(error.message).toMatch(/version 2, you sent 1/);
        expect((await gql(null, '{ institution(id: "stale-target") { name version } }')).body.data.institution).toEqual({ name: 'First Writer', version: 2 });
      });

      test('two updates from the same version at once: exactly one wins, the other gets CONFLICT', async () => {
        await createInstitution({ id: 'concurrent-target', name: 'Concurrent Target' });
        const results = await Promise.all(['A', 'B', 'C'].map((n) => gql(frEditor, UPDATE_INSTITUTION, { input: { id: 'concurrent-target', version: 1, name: `Writer ${n}` } })));
        expect(results.filter((r) => r.body.errors === undefined)).toHaveLength(1);
        expect(results.filter((r) => r.body.errors?.[0].extensions!.code === 'CONFLICT')).toHaveLength(2);
        expect((await gql(null, '{ institution(id: "concurrent-target") { version } }')).body.data.institution.version).toBe(2);
        expect((await auditOf('concurrent-target')).totalCount).toBe(2);
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a UZ editor', uzEditor, 'FORBIDDEN'],
        ['an FR viewer', frViewer, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s cannot change a French institution', async (_who, who, code) => {
        await expectRefused(who, UPDATE_INSTITUTION, { id: 'gustave-roussy', version: 1, name: 'Hijacked' }, code);
      });

      test('moving to another country needs that country’s partner too: an FR editor cannot, an admin can', async () => {
        await createInstitution({ id: 'moving-institution', name: 'Moving Institution' });
        const error = await expectRefused(frEditor, UPDATE_INSTITUTION, { id: 'moving-institution', version: 1, country: 'UZ' }, 'FORBIDDEN');
        expect(error.message).toMatch(/an institution in UZ belongs to UZ/);
        await expectRefused(uzEditor, UPDATE_INSTITUTION, { id: 'moving-institution', version: 1, country: 'UZ' }, 'FORBIDDEN');
        const { body } = await gql(admin, UPDATE_INSTITUTION, { input: { id: 'moving-institution', version: 1, country: 'UZ' } });
        expect(body.data.updateInstitution.institution).toMatchObject({ country: 'UZ', version: 2 });
        // Now Uzbek: its UZ editors may change it, the FR editors no longer.
        await expectRefused(frEditor, UPDATE_INSTITUTION, { id: 'moving-institution', version: 2, city: 'Bukhara' }, 'FORBIDDEN');
        expect((await gql(uzEditor, UPDATE_INSTITUTION, { input: { id: 'moving-institution', version: 2, city: 'Bukhara' } })).body.errors).toBeUndefined();
      });

      test('an institution cannot be part of itself, directly or indirectly', async () => {
        await createInstitution({ id: 'cycle-a', name: 'Cycle A' });
        await createInstitution({ id: 'cycle-b', name: 'Cycle B', partOfId: 'cycle-a' });
        await createInstitution({ id: 'cycle-c', name: 'Cycle C', partOfId: 'cycle-b' });
        const direct = await expectRefused(frEditor, UPDATE_INSTITUTION, { id: 'cycle-a', version: 1, partOfId: 'cycle-a' }, 'BAD_USER_INPUT', 'input.partOfId');
        expect(direct.message).toMatch(/cannot be the institution itself/);
        const indirect = await expectRefused(frEditor, UPDATE_INSTITUTION, { id: 'cycle-a', version: 1, partOfId: 'cycle-c' }, 'BAD_USER_INPUT', 'input.partOfId');
        expect(indirect.message).toMatch(/"cycle-c" is itself part of "cycle-a"/);
        // Re-parenting without a loop is fine, and so is clearing the parent.
        const { body } = await gql(frEditor, UPDATE_INSTITUTION, { input: { id: 'cycle-c', version: 1, partOfId: 'cycle-a' } });
        expect(body.data.updateInstitution.institution.partOf).toEqual({ id: 'cycle-a' });
        const { body: cleared } = await gql(frEditor, UPDATE_INSTITUTION, { input: { id: 'cycle-c', version: 2, partOfId: null } });
        expect(cleared.data.updateInstitution.institution.partOf).toBeNull();
      });

      test.each([
        ['an institution that does not exist', { id: 'no-such-institution' }, 'input.id'],
        ['an id that is not a slug', { id: 'bad id' }, 'input.id'],
        ['a null name', { name: null }, 'input.name'],
        ['a blank name', { name: ' ' }, 'input.name'],
        ['a null country', { country: null }, 'input.country'],
        ['null specialties', { specialties: null }, 'input.specialties'],
        ['a specialty twice', { specialties: ['SURGERY', 'SURGERY'] }, 'input.specialties[1]'],
        ['a city over 120 characters', { city: 'c'.repeat(121) }, 'input.city'],
        ['a parent that does not exist', { partOfId: 'no-such-parent' }, 'input.partOfId'],
      ])('%s is refused with BAD_USER_INPUT', async (_case, change, field) => {
        await expectRefused(frEditor, UPDATE_INSTITUTION, { id: 'paul-strauss-center', version: 1, ...change }, 'BAD_USER_INPUT', field);
      });

      test('a failure in the middle of replacing specialties leaves the institution as it was', async () => {
        await createInstitution({ id: 'half-updated', name: 'Half Updated', specialties: ['ONCOLOGY'] });
        const subscriber = failingInsert(InstitutionSpecialty, 2);
        const { subscribers } = server.database.dataSource;
        const level = server.logger.level;
        server.logger.level = 'silent';
        subscribers.push(subscriber);
        try {
          const before = await rowCounts();
          const { body } = await gql(frEditor, UPDATE_INSTITUTION, { input: { id: 'half-updated', version: 1, name: 'Renamed', specialties: ['CARDIOLOGY', 'SURGERY'] } });
          expect(body.errors![0].extensions!.code).toBe('INTERNAL_SERVER_ERROR');
          expect(await rowCounts()).toEqual(before);
        } finally {
          subscribers.splice(subscribers.indexOf(subscriber), 1);
          server.logger.level = level;
        }
        const { body } = await gql(null, '{ institution(id: "half-updated") { name version specialties } }');
        expect(body.data.institution).toEqual({ name: 'Half Updated', version: 1, specialties: ['ONCOLOGY'] });
        expect((await auditOf('half-updated')).nodes.map((e: { mutation: string }) => e.mutation)).toEqual(['createInstitution']);
      });
    });

    describe('addPerson', () => {
      test('an FR editor adds a contact to Gustave Roussy; queries and search see it', async () => {
        const person = await addPerson({ id: 'helene-test', institutionId: 'gustave-roussy', fullName: ' Hélène Test ', title: 'Head of Partnerships', email: 'helene.test@example.org', phone: '+33 (1) 42-11-42-11' });
        expect(person).toEqual({
          id: 'helene-test', fullName: 'Hélène Test', title: 'Head of Partnerships', email: 'helene.test@example.org', phone: '+33 (1) 42-11-42-11',
          institution: { id: 'gustave-roussy' }, version: 1, synthetic: false,
        });
        const { body } = await gql(frViewer, '{ people(filter: { search: "HELENE" }) { nodes { id email } } institution(id: "gustave-roussy") { people { id } } }');
        expect(body.data.people.nodes).toEqual([{ id: 'helene-test', email: 'helene.test@example.org' }]);
        expect(body.data.institution.people.map((p: { id: string }) => p.id)).toContain('helene-test');
      });

      test('without an id the person gets a UUID; contact details are optional', async () => {
        const person = await addPerson({ institutionId: 'uz-ministry-of-health', fullName: 'Dilnoza Testova' }, uzEditor);
        expect(person).toMatchObject({ title: null, email: null, phone: null, institution: { id: 'uz-ministry-of-health' }, version: 1 });
        expect(person.id).toMatch(UUID);
      });

      test('a person with no institution, or of an institution in a country with no partner, is for admins only', async () => {
        await expectRefused(frEditor, ADD_PERSON, { id: 'nobody-test', fullName: 'Nobody Test' }, 'FORBIDDEN');
        const person = await addPerson({ id: 'nobody-test', fullName: 'Nobody Test' }, admin);
        expect(person.institution).toBeNull();
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a UZ editor', uzEditor, 'FORBIDDEN'],
        ['an FR viewer', frViewer, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s cannot add a contact to a French institution', async (_who, who, code) => {
        await expectRefused(who, ADD_PERSON, { institutionId: 'gustave-roussy', fullName: 'Refused Person' }, code);
      });

      test.each([
        ['a blank full name', { fullName: '' }, 'input.fullName', /must not be blank: give 1–200 characters/],
        ['a full name over 200 characters', { fullName: 'n'.repeat(201) }, 'input.fullName', /at most 200/],
        ['a title over 300 characters', { title: 't'.repeat(301) }, 'input.title', /at most 300/],
        ['an e-mail without @', { email: 'helene.example.org' }, 'input.email', /e-mail address/],
        ['an e-mail with a space', { email: 'helene test@example.org' }, 'input.email', /e-mail address/],
        ['an e-mail without a domain dot', { email: 'helene@localhost' }, 'input.email', /e-mail address/],
        ['an e-mail over 254 characters', { email: `${'a'.repeat(243)}@example.org` }, 'input.email', /at most 254/],
        ['a telephone number with letters', { phone: '+33 1 CALL ME' }, 'input.phone', /digits, spaces and \+ - \( \)/],
        ['a telephone number over 40 characters', { phone: '1'.repeat(41) }, 'input.phone', /at most 40/],
        ['a telephone number with too few digits', { phone: '+()' }, 'input.phone', /at least 3 digits/],
        ['an institution that does not exist', { institutionId: 'no-such-institution' }, 'input.institutionId', /no institution "no-such-institution"/],
        ['an id already used', { id: 'celine-poulet' }, 'input.id', /already used/],
        ['an id that is not a slug', { id: 'céline' }, 'input.id', /letters, digits/],
      ])('%s is refused with BAD_USER_INPUT', async (_case, change, field, message) => {
        const error = await expectRefused(frEditor, ADD_PERSON, { institutionId: 'gustave-roussy', fullName: 'Valid Name', ...change }, 'BAD_USER_INPUT', field);
        expect(error.message).toMatch(message);
      });

      test('an e-mail of exactly 254 characters is accepted', async () => {
        const email = `${'a'.repeat(242)}@example.org`;
        expect(email).toHaveLength(254);
        expect((await addPerson({ institutionId: 'gustave-roussy', fullName: 'Long Mail', email })).email).toBe(email);
      });

      test('when the audit entry cannot be written, the person is not written either', async () => {
        const subscriber = failingInsert(AuditEntry, 1);
        const { subscribers } = server.database.dataSource;
        const level = server.logger.level;
        server.logger.level = 'silent';
        subscribers.push(subscriber);
        try {
          const before = await rowCounts();
          const { body } = await gql(frEditor, ADD_PERSON, { input: { id: 'unaudited-person', institutionId: 'gustave-roussy', fullName: 'Unaudited' } });
          expect(body.errors![0].extensions!.code).toBe('INTERNAL_SERVER_ERROR');
          expect(await rowCounts()).toEqual(before);
        } finally {
          subscribers.splice(subscribers.indexOf(subscriber), 1);
          server.logger.level = level;
        }
        expect((await gql(null, '{ person(id: "unaudited-person") { id } }')).body.data.person).toBeNull();
      });
    });

    describe('updatePerson', () => {
      test('an FR editor changes a contact; search follows, version goes up, cleared fields are null', async () => {
        await addPerson({ id: 'marie-update', institutionId: 'gustave-roussy', fullName: 'Marie Update', title: 'Nurse', phone: '+33 1 00 00 00 00' });
        const { body } = await gql(frEditor, UPDATE_PERSON, { input: { id: 'marie-update', version: 1, fullName: 'Marie-Thérèse Update', email: 'mt@example.org', phone: null } });
        expect(body.errors).toBeUndefined();
        expect(body.data.updatePerson.person).toEqual({
          id: 'marie-update', fullName: 'Marie-Thérèse Update', title: 'Nurse', email: 'mt@example.org', phone: null, institution: { id: 'gustave-roussy' }, version: 2, synthetic: false,
        });
        const { body: read } = await gql(null, '{ a: people(filter: { search: "therese" }) { nodes { id } } b: person(id: "marie-update") { fullName version } }');
        expect(read.data.a.nodes).toEqual([{ id: 'marie-update' }]);
        expect(read.data.b).toEqual({ fullName: 'Marie-Thérèse Update', version: 2 });
      });

      test('moving within the partner is allowed; to another partner’s institution it needs that partner too', async () => {
        await addPerson({ id: 'moving-person', institutionId: 'gustave-roussy', fullName: 'Moving Person' });
        const { body } = await gql(frEditor, UPDATE_PERSON, { input: { id: 'moving-person', version: 1, institutionId: 'paul-strauss-center' } });
        expect(body.data.updatePerson.person).toMatchObject({ institution: { id: 'paul-strauss-center' }, version: 2 });
        await expectRefused(frEditor, UPDATE_PERSON, { id: 'moving-person', version: 2, institutionId: 'uz-ministry-of-health' }, 'FORBIDDEN');
        await expectRefused(uzEditor, UPDATE_PERSON, { id: 'moving-person', version: 2, institutionId: 'uz-ministry-of-health' }, 'FORBIDDEN');
        await expectRefused(frEditor, UPDATE_PERSON, { id: 'moving-person', version: 2, institutionId: null }, 'FORBIDDEN');
        const { body: moved } = await gql(admin, UPDATE_PERSON, { input: { id: 'moving-person', version: 2, institutionId: 'uz-ministry-of-health' } });
        expect(moved.data.updatePerson.person).toMatchObject({ institution: { id: 'uz-ministry-of-health' }, version: 3 });
        const { body: people } = await gql(null, '{ a: people(filter: { institution: "paul-strauss-center" }) { nodes { id } } b: people(filter: { institution: "uz-ministry-of-health" }) { nodes { id } } }');
        expect(people.data.a.nodes).toEqual([]);
        expect(people.data.b.nodes.map((n: { id: string }) => n.id)).toContain('moving-person');
      });

      test('a person with no institution is for admins only', async () => {
        await expectRefused(uzEditor, UPDATE_PERSON, { id: 'shavkat-mirziyoyev', version: 1, title: 'Changed' }, 'FORBIDDEN');
        const { body } = await gql(admin, UPDATE_PERSON, { input: { id: 'shavkat-mirziyoyev', version: 1, institutionId: 'uz-ministry-of-health' } });
        expect(body.data.updatePerson.person).toMatchObject({ institution: { id: 'uz-ministry-of-health' }, version: 2 });
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a UZ editor', uzEditor, 'FORBIDDEN'],
        ['an FR viewer', frViewer, 'FORBIDDEN'],
        ['an FR analyst', frAnalyst, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s cannot change a French contact', async (_who, who, code) => {
        await expectRefused(who, UPDATE_PERSON, { id: 'patrick-le-dise', version: 1, title: 'Hijacked' }, code);
      });

      test('a stale version gets CONFLICT and changes nothing', async () => {
        await addPerson({ id: 'stale-person', institutionId: 'gustave-roussy', fullName: 'Stale Person' });
        expect((await gql(frEditor, UPDATE_PERSON, { input: { id: 'stale-person', version: 1, title: 'First' } })).body.errors).toBeUndefined();
        await expectRefused(frEditor, UPDATE_PERSON, { id: 'stale-person', version: 1, title: 'Second' }, 'CONFLICT');
        expect((await gql(null, '{ person(id: "stale-person") { title version } }')).body.data.person).toEqual({ title: 'First', version: 2 });
      });

      test.each([
        ['a person that does not exist', { id: 'no-such-person' }, 'input.id'],
        ['a null full name', { fullName: null }, 'input.fullName'],
        ['a full name over 200 characters', { fullName: 'n'.repeat(201) }, 'input.fullName'],
        ['a bad e-mail', { email: 'not-an-email' }, 'input.email'],
        ['a bad telephone number', { phone: 'call me' }, 'input.phone'],
        ['an institution that does not exist', { institutionId: 'no-such-institution' }, 'input.institutionId'],
      ])('%s is refused with BAD_USER_INPUT', async (_case, change, field) => {
        await expectRefused(frEditor, UPDATE_PERSON, { id: 'patrick-le-dise', version: 1, ...change }, 'BAD_USER_INPUT', field);
      });
    });

    describe('audit trail', () => {
      test('every change is recorded with who, which mutation, before and after', async () => {
        await createInstitution({ id: 'audited-institution', name: 'Audited Institution', specialties: ['ONCOLOGY'] });
        await gql(frEditor, UPDATE_INSTITUTION, { input: { id: 'audited-institution', version: 1, name: 'Audited Again', specialties: [] } });
        const trail = await auditOf('audited-institution');
        expect(trail.totalCount).toBe(2);
        const [created, updated] = trail.nodes;
        expect(created).toMatchObject({ subject: frEditor.subject, partner: 'FR', mutation: 'createInstitution', recordType: 'Institution', recordId: 'audited-institution', before: null });
        expect(JSON.parse(created.after)).toMatchObject({ id: 'audited-institution', name: 'Audited Institution', specialties: ['ONCOLOGY'], version: 1 });
        expect(updated.mutation).toBe('updateInstitution');
        expect(JSON.parse(updated.before)).toMatchObject({ name: 'Audited Institution', specialties: ['ONCOLOGY'], version: 1 });
        expect(JSON.parse(updated.after)).toMatchObject({ name: 'Audited Again', specialties: [], version: 2 });
        expect(created.requestId).toEqual(expect.any(String));
        expect(Date.parse(created.at)).not.toBeNaN();
      });

      test('people changes are recorded too', async () => {
        await addPerson({ id: 'audited-person', institutionId: 'gustave-roussy', fullName: 'Audited Person' });
        await gql(frEditor, UPDATE_PERSON, { input: { id: 'audited-person', version: 1, title: 'Director' } });
        const trail = await auditOf('audited-person');
        expect(trail.nodes.map((e: { mutation: string; recordType: string }) => [e.mutation, e.recordType])).toEqual([['addPerson', 'Person'], ['updatePerson', 'Person']]);
        expect(JSON.parse(trail.nodes[1].before)).toMatchObject({ title: null, version: 1 });
        expect(JSON.parse(trail.nodes[1].after)).toMatchObject({ title: 'Director', version: 2, institutionId: 'gustave-roussy' });
      });

      test('refused writes leave no audit entry', async () => {
        await gql(uzEditor, UPDATE_INSTITUTION, { input: { id: 'paul-strauss-center', version: 1, name: 'Nope' } });
        expect((await auditOf('paul-strauss-center')).totalCount).toBe(0);
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['an FR editor', frEditor, 'FORBIDDEN'],
        ['an FR viewer', frViewer, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s cannot read the audit trail', async (_who, who, code) => {
        const { body } = await gql(who, AUDIT_TRAIL, {});
        expect(body.data.institutionsAuditTrail).toBeNull();
        expect(body.errors![0].extensions!.code).toBe(code);
      });

      test('the whole trail pages and the recordId argument is validated', async () => {
        const { body } = await gql(admin, '{ institutionsAuditTrail(first: 2) { totalCount nodes { id } pageInfo { hasNextPage } } }');
        expect(body.data.institutionsAuditTrail.totalCount).toBeGreaterThan(2);
        expect(body.data.institutionsAuditTrail.nodes).toHaveLength(2);
        expect(body.data.institutionsAuditTrail.pageInfo.hasNextPage).toBe(true);
        const { body: bad } = await gql(admin, '{ institutionsAuditTrail(recordId: "bad id") { totalCount } }');
        expect(bad.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'recordId' });
      });
    });
  });
}
