import type { Caller } from '@partnership/subgraph-kit';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import { admin, AUDIT_TRAIL, frEditor, frViewer, mutationFixture, UPDATE_INSTITUTION, UPDATE_PERSON, uzEditor } from './fixture';

for (const target of scratchTargets) {
  target.describe('institutions mutations', () => {
    const fixture$ = mutationFixture(target);
    const { gql, createInstitution, addPerson, auditOf } = fixture$;

    describe('audit trail', () => {
      test('every change is recorded with who, which mutation, before and after', async () => {
        await createInstitution({ id: 'audited-institution', name: 'Audited Institution', specialties: ['ONCOLOGY'] });
        await gql(frEditor, UPDATE_INSTITUTION, { input: { id: 'audited-institution', version: 1, name: 'Audited Again', specialties: [] } });
        const trail = await auditOf('audited-institution');
        expect(trail.totalCount).toBe(2);
        const [created, updated] = trail.nodes;
        expect(created).toMatchObject({
          subject: frEditor.subject,
          partner: 'FR',
          mutation: 'createInstitution',
          recordType: 'Institution',
          recordId: 'audited-institution',
          before: null,
        });
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
        expect(trail.nodes.map((e: { mutation: string; recordType: string }) => [e.mutation, e.recordType])).toEqual([
          ['addPerson', 'Person'],
          ['updatePerson', 'Person'],
        ]);
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
