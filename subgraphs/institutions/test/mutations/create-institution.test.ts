import type { Caller } from '@partnership/subgraph-kit';
import { expectNoRowsWritten, failingInsert, scratchTargets, withSubscriber } from '@partnership/subgraph-kit/testing';
import { InstitutionSpecialty } from '../../src/entities';
import { admin, CREATE_INSTITUTION, frAnalyst, frEditor, frViewer, mcEditor, mutationFixture, UUID, uzEditor } from './fixture';

for (const target of scratchTargets) {
  target.describe('institutions mutations', () => {
    const fixture$ = mutationFixture(target);
    const { gql, rowCounts, expectRefused, createInstitution, auditOf } = fixture$;
    let server: ReturnType<typeof mutationFixture>['server'];
    beforeAll(() => {
      server = fixture$.server;
    });

    describe('createInstitution', () => {
      test('an FR editor records a French institution; queries and search see it', async () => {
        const created = await createInstitution({
          id: 'lyon-heart-institute',
          name: '  Lyon Heart Institute ',
          localName: 'Institut Cœur de Lyon',
          country: 'FR',
          city: 'Lyon',
          description: 'Synthetic test record.',
          partOfId: 'gustave-roussy',
          specialties: ['SURGERY', 'CARDIOLOGY'],
        });
        expect(created).toEqual({
          id: 'lyon-heart-institute',
          name: 'Lyon Heart Institute',
          localName: 'Institut Cœur de Lyon',
          kind: 'HOSPITAL',
          status: 'OPERATING',
          country: 'FR',
          city: 'Lyon',
          brand: null,
          description: 'Synthetic test record.',
          partOf: { id: 'gustave-roussy' },
          specialties: ['CARDIOLOGY', 'SURGERY'],
          version: 1,
          synthetic: false,
        });
        const { body } = await gql(
          null,
          `{
          institution(id: "lyon-heart-institute") { name specialties }
          bySearch: institutions(filter: { search: "COEUR DE" }) { nodes { id } }
          bySpecialty: institutions(filter: { specialty: CARDIOLOGY, country: FR }) { nodes { id } }
          parent: institution(id: "gustave-roussy") { units { id } }
        }`,
        );
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
        const error = await expectRefused(
          frEditor,
          CREATE_INSTITUTION,
          { name: 'Valid Name', kind: 'HOSPITAL', country: 'FR', ...change },
          'BAD_USER_INPUT',
          field,
        );
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
        for (const lost of results.filter((r) => r.body.errors !== undefined))
          expect(lost.body.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.id' });
        expect((await auditOf('race-institution')).totalCount).toBe(1);
      });

      test('a failure in the middle of the write leaves no row behind, audit entry included', async () => {
        await withSubscriber(
          server,
          failingInsert(InstitutionSpecialty, (_row, before) => before === 1),
          () =>
            expectNoRowsWritten(rowCounts, async () => {
              const { body } = await gql(frEditor, CREATE_INSTITUTION, {
                input: { id: 'half-written', name: 'Half Written', kind: 'HOSPITAL', country: 'FR', specialties: ['ONCOLOGY', 'SURGERY'] },
              });
              expect(body.errors![0].extensions!.code).toBe('INTERNAL_SERVER_ERROR');
              expect(body.errors![0].message).toBe('Internal server error');
            }),
        );
        expect((await gql(null, '{ institution(id: "half-written") { id } }')).body.data.institution).toBeNull();
      });
    });
  });
}
