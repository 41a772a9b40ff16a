import type { Caller } from '@partnership/subgraph-kit';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import { admin, frAnalyst, frEditor, frViewer, mutationFixture, UPDATE_PERSON, uzEditor } from './fixture';

for (const target of scratchTargets) {
  target.describe('institutions mutations', () => {
    const fixture$ = mutationFixture(target);
    const { gql, expectRefused, addPerson } = fixture$;

    describe('updatePerson', () => {
      test('an FR editor changes a contact; search follows, version goes up, cleared fields are null', async () => {
        await addPerson({ id: 'marie-update', institutionId: 'gustave-roussy', fullName: 'Marie Update', title: 'Nurse', phone: '+33 1 00 00 00 00' });
        const { body } = await gql(frEditor, UPDATE_PERSON, {
          input: { id: 'marie-update', version: 1, fullName: 'Marie-Thérèse Update', email: 'mt@example.org', phone: null },
        });
        expect(body.errors).toBeUndefined();
        expect(body.data.updatePerson.person).toEqual({
          id: 'marie-update',
          fullName: 'Marie-Thérèse Update',
          title: 'Nurse',
          email: 'mt@example.org',
          phone: null,
          institution: { id: 'gustave-roussy' },
          version: 2,
          synthetic: false,
        });
        const { body: read } = await gql(
          null,
          '{ a: people(filter: { search: "therese" }) { nodes { id } } b: person(id: "marie-update") { fullName version } }',
        );
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
        const { body: people } = await gql(
          null,
          '{ a: people(filter: { institution: "paul-strauss-center" }) { nodes { id } } b: people(filter: { institution: "uz-ministry-of-health" }) { nodes { id } } }',
        );
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
  });
}
