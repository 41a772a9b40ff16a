import type { Caller } from '@partnership/subgraph-kit';
import { expectNoRowsWritten, failingInsert, scratchTargets, withSubscriber } from '@partnership/subgraph-kit/testing';
import { AuditEntry } from '../../src/entities';
import { ADD_PERSON, admin, frEditor, frViewer, mutationFixture, UUID, uzEditor } from './fixture';

for (const target of scratchTargets) {
  target.describe('institutions mutations', () => {
    const fixture$ = mutationFixture(target);
    const { gql, rowCounts, expectRefused, addPerson } = fixture$;
    let server: ReturnType<typeof mutationFixture>['server'];
    beforeAll(() => {
      server = fixture$.server;
    });

    describe('addPerson', () => {
      test('an FR editor adds a contact to Gustave Roussy; queries and search see it', async () => {
        const person = await addPerson({
          id: 'helene-test',
          institutionId: 'gustave-roussy',
          fullName: ' Hélène Test ',
          title: 'Head of Partnerships',
          email: 'helene.test@example.org',
          phone: '+33 (1) 42-11-42-11',
        });
        expect(person).toEqual({
          id: 'helene-test',
          fullName: 'Hélène Test',
          title: 'Head of Partnerships',
          email: 'helene.test@example.org',
          phone: '+33 (1) 42-11-42-11',
          institution: { id: 'gustave-roussy' },
          version: 1,
          synthetic: false,
        });
        const { body } = await gql(
          frViewer,
          '{ people(filter: { search: "HELENE" }) { nodes { id email } } institution(id: "gustave-roussy") { people { id } } }',
        );
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
        const error = await expectRefused(
          frEditor,
          ADD_PERSON,
          { institutionId: 'gustave-roussy', fullName: 'Valid Name', ...change },
          'BAD_USER_INPUT',
          field,
        );
        expect(error.message).toMatch(message);
      });

      test('an e-mail of exactly 254 characters is accepted', async () => {
        const email = `${'a'.repeat(242)}@example.org`;
        expect(email).toHaveLength(254);
        expect((await addPerson({ institutionId: 'gustave-roussy', fullName: 'Long Mail', email })).email).toBe(email);
      });

      test('when the audit entry cannot be written, the person is not written either', async () => {
        await withSubscriber(
          server,
          failingInsert(AuditEntry, (_row, before) => before === 0),
          () =>
            expectNoRowsWritten(rowCounts, async () => {
              const { body } = await gql(frEditor, ADD_PERSON, { input: { id: 'unaudited-person', institutionId: 'gustave-roussy', fullName: 'Unaudited' } });
              expect(body.errors![0].extensions!.code).toBe('INTERNAL_SERVER_ERROR');
            }),
        );
        expect((await gql(null, '{ person(id: "unaudited-person") { id } }')).body.data.person).toBeNull();
      });
    });
  });
}
