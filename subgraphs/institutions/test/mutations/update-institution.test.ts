import type { Caller } from '@partnership/subgraph-kit';
import { expectNoRowsWritten, failingInsert, scratchTargets, withSubscriber } from '@partnership/subgraph-kit/testing';
import { InstitutionSpecialty } from '../../src/entities';
import { admin, frEditor, frViewer, mutationFixture, UPDATE_INSTITUTION, uzEditor } from './fixture';

for (const target of scratchTargets) {
  target.describe('institutions mutations', () => {
    const fixture$ = mutationFixture(target);
    const { gql, rowCounts, expectRefused, createInstitution, auditOf } = fixture$;
    let server: ReturnType<typeof mutationFixture>['server'];
    beforeAll(() => {
      server = fixture$.server;
    });

    test('reference institutions and people start at version 1', async () => {
      const { body } = await gql(null, '{ institution(id: "gustave-roussy") { version } person(id: "celine-poulet") { version } }');
      expect(body.data).toEqual({ institution: { version: 1 }, person: { version: 1 } });
    });

    describe('updateInstitution', () => {
      test('an FR editor changes names, specialties and clears a field; search follows, version goes up', async () => {
        await createInstitution({
          id: 'nice-test-hospital',
          name: 'Nice Test Hospital',
          localName: 'Hôpital de Nice',
          city: 'Nice',
          specialties: ['ONCOLOGY'],
        });
        const { body } = await gql(frEditor, UPDATE_INSTITUTION, {
          input: {
            id: 'nice-test-hospital',
            version: 1,
            name: 'Côte d’Azur Hospital',
            localName: 'Hôpital Côte d’Azur',
            city: null,
            specialties: ['REHABILITATION', 'SURGERY'],
            status: 'PLANNED',
          },
        });
        expect(body.errors).toBeUndefined();
        expect(body.data.updateInstitution.institution).toMatchObject({
          id: 'nice-test-hospital',
          name: 'Côte d’Azur Hospital',
          localName: 'Hôpital Côte d’Azur',
          city: null,
          status: 'PLANNED',
          country: 'FR',
          specialties: ['REHABILITATION', 'SURGERY'],
          version: 2,
        });
        const search = async (term: string) =>
          (await gql(null, 'query ($s: String) { institutions(filter: { search: $s }) { nodes { id } } }', { s: term })).body.data.institutions.nodes;
        expect(await search("cote d'azur")).toEqual([{ id: 'nice-test-hospital' }]);
        expect(await search('hopital de nice')).toEqual([]);
        const { body: read } = await gql(
          null,
          '{ institution(id: "nice-test-hospital") { version specialties city } institutions(filter: { specialty: ONCOLOGY, country: FR }) { nodes { id } } }',
        );
        expect(read.data.institution).toEqual({ version: 2, specialties: ['REHABILITATION', 'SURGERY'], city: null });
        expect(read.data.institutions.nodes.map((n: { id: string }) => n.id)).not.toContain('nice-test-hospital');
      });

      test('fields left out keep their value', async () => {
        await createInstitution({ id: 'keep-fields', name: 'Keep Fields', city: 'Paris', brand: 'Brand', specialties: ['ONCOLOGY'] });
        const { body } = await gql(frEditor, UPDATE_INSTITUTION, { input: { id: 'keep-fields', version: 1, description: 'Now described.' } });
        expect(body.data.updateInstitution.institution).toMatchObject({
          name: 'Keep Fields',
          city: 'Paris',
          brand: 'Brand',
          specialties: ['ONCOLOGY'],
          description: 'Now described.',
          version: 2,
        });
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
        const results = await Promise.all(
          ['A', 'B', 'C'].map((n) => gql(frEditor, UPDATE_INSTITUTION, { input: { id: 'concurrent-target', version: 1, name: `Writer ${n}` } })),
        );
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
        const direct = await expectRefused(
          frEditor,
          UPDATE_INSTITUTION,
          { id: 'cycle-a', version: 1, partOfId: 'cycle-a' },
          'BAD_USER_INPUT',
          'input.partOfId',
        );
        expect(direct.message).toMatch(/cannot be the institution itself/);
        const indirect = await expectRefused(
          frEditor,
          UPDATE_INSTITUTION,
          { id: 'cycle-a', version: 1, partOfId: 'cycle-c' },
          'BAD_USER_INPUT',
          'input.partOfId',
        );
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
        await withSubscriber(
          server,
          failingInsert(InstitutionSpecialty, (_row, before) => before === 1),
          () =>
            expectNoRowsWritten(rowCounts, async () => {
              const { body } = await gql(frEditor, UPDATE_INSTITUTION, {
                input: { id: 'half-updated', version: 1, name: 'Renamed', specialties: ['CARDIOLOGY', 'SURGERY'] },
              });
              expect(body.errors![0].extensions!.code).toBe('INTERNAL_SERVER_ERROR');
            }),
        );
        const { body } = await gql(null, '{ institution(id: "half-updated") { name version specialties } }');
        expect(body.data.institution).toEqual({ name: 'Half Updated', version: 1, specialties: ['ONCOLOGY'] });
        expect((await auditOf('half-updated')).nodes.map((e: { mutation: string }) => e.mutation)).toEqual(['createInstitution']);
      });
    });
  });
}
