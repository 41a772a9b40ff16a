import { AuditEntry } from '@partnership/subgraph-kit';
import { failingInsert, postGraphQL, scratchTargets, withSubscriber } from '@partnership/subgraph-kit/testing';
import { Agreement, AgreementParty, Milestone } from '../../src/entities';
import { ADD_PARTY, baseInput, CREATE, mutationFixture, UPDATE_MILESTONE } from './fixture';

for (const target of scratchTargets) {
  target.describe('agreements mutations', () => {
    const fixture$ = mutationFixture(target);
    const { fr, counts, expectError, newAgreement } = fixture$;
    let server: ReturnType<typeof mutationFixture>['server'];
    let url: ReturnType<typeof mutationFixture>['url'];
    beforeAll(() => {
      server = fixture$.server;
      url = fixture$.url;
    });

    describe('a failure in the middle of a write', () => {
      // The kit's failingInsert makes inserts of one entity fail, as a crash or constraint failure mid-transaction would.
      const withFailure = (subscriber: object, work: () => Promise<void>) => withSubscriber(server, subscriber, work);

      test('createAgreement failing at its second party leaves no agreement, area, party or audit entry', async () => {
        const before = await counts();
        await withFailure(
          failingInsert(AgreementParty, (party) => party.position === 1),
          async () => {
            const { body } = await fr(CREATE, { input: baseInput({ id: 'half-written', areas: ['SURGERY'] }) });
            expect(expectError(body, 'INTERNAL_SERVER_ERROR')).toBe('Internal server error');
          },
        );
        expect(await counts()).toEqual(before);
        expect(await server.database.dataSource.getRepository(Agreement).existsBy({ id: 'half-written' })).toBe(false);
        // The same request succeeds once the failure is gone: nothing half-written stands in its way.
        const { body } = await fr(CREATE, { input: baseInput({ id: 'half-written', areas: ['SURGERY'] }) });
        expect(body.errors).toBeUndefined();
      });

      test('addAgreementParty failing at its audit entry leaves neither the party nor a new version', async () => {
        const { id } = await newAgreement();
        const before = await counts();
        await withFailure(
          failingInsert(AuditEntry, () => true),
          async () => {
            const { body } = await fr(ADD_PARTY, { input: { agreementId: id, version: 1, institutionId: 'paul-strauss-center' } });
            expectError(body, 'INTERNAL_SERVER_ERROR');
          },
        );
        expect(await counts()).toEqual(before);
        const read = await postGraphQL<any>(url, `{ agreement(id: "${id}") { version parties { institution { id } } } }`);
        expect(read.body.data.agreement).toEqual({
          version: 1,
          parties: [{ institution: { id: 'uz-ministry-of-health' } }, { institution: { id: 'gustave-roussy' } }],
        });
      });

      test('updateMilestone failing at its audit entry leaves the milestone as it was', async () => {
        const before = await counts();
        await withFailure(
          failingInsert(AuditEntry, () => true),
          async () => {
            const { body } = await fr(UPDATE_MILESTONE, { input: { id: 'gustave-roussy-licensing-agreement-joint-action-plan', version: 1, status: 'DONE' } });
            expectError(body, 'INTERNAL_SERVER_ERROR');
          },
        );
        expect(await counts()).toEqual(before);
        const row = await server.database.dataSource.getRepository(Milestone).findOneByOrFail({ id: 'gustave-roussy-licensing-agreement-joint-action-plan' });
        expect([row.status, row.version]).toEqual(['PLANNED', 1]);
      });
    });
  });
}
