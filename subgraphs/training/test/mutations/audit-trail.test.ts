import { scratchTargets } from '@partnership/subgraph-kit/testing';
import { callers, expectRefused, mutationFixture } from './fixture';

for (const target of scratchTargets) {
  target.describe('training mutations', () => {
    const fixture$ = mutationFixture(target);
    const { createProgramme } = fixture$;
    let fixture: ReturnType<typeof mutationFixture>['fixture'];
    let gql: ReturnType<typeof mutationFixture>['gql'];
    beforeAll(() => {
      fixture = fixture$.fixture;
      gql = fixture$.gql;
    });

    describe('the audit trail', () => {
      // Its own scratch database: a dozen writes, so the trail spans several pages of 7.
      beforeAll(async () => {
        for (let i = 0; i < 12; i += 1) await createProgramme(callers.frEditor);
      });

      test('is for admins only', async () => {
        const query = '{ trainingAuditTrail { totalCount } }';
        expectRefused((await gql(query, undefined, null)).body, 'UNAUTHENTICATED');
        for (const caller of [callers.uzEditor, callers.uzViewer, callers.uzAnalyst]) expectRefused((await gql(query, undefined, caller)).body, 'FORBIDDEN');
      });

      test('pages through every entry, oldest first, one per record written', async () => {
        const total = (await fixture.rowCounts()).audit_entry;
        expect(total).toBeGreaterThan(10);
        const seen: string[] = [];
        let after: string | null = null;
        for (;;) {
          const { body }: { body: any } = await gql(
            'query ($after: String) { trainingAuditTrail(first: 7, after: $after) { totalCount nodes { id at } pageInfo { hasNextPage endCursor } } }',
            { after },
            callers.admin,
          );
          expect(body.data.trainingAuditTrail.totalCount).toBe(total);
          seen.push(...body.data.trainingAuditTrail.nodes.map((n: { id: string }) => n.id));
          if (!body.data.trainingAuditTrail.pageInfo.hasNextPage) break;
          after = body.data.trainingAuditTrail.pageInfo.endCursor;
        }
        expect(seen).toHaveLength(total);
        expect([...seen].sort()).toEqual(seen);
      });
    });
  });
}
