import type { SubgraphServer } from '@partnership/subgraph-kit';
import { AuditEntry } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import { Agreement, AgreementArea, AgreementParty, Milestone } from '../../src/entities';
import { createAgreementsServer } from '../../src/server';
import { ADD_MILESTONE, ADD_PARTY, baseInput, CREATE, FR_EDITOR, mutationFixture } from './fixture';

for (const target of scratchTargets) {
  target.describe('agreements mutations', () => {
    const fixture$ = mutationFixture(target);
    const { expectError } = fixture$;

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
        Promise.all(
          [Agreement, AgreementArea, AgreementParty, Milestone, AuditEntry].map((entity) => offline.database.dataSource.getRepository(entity).count()),
        );

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
        const { body } = await postGraphQL<any>(
          offlineUrl,
          ADD_MILESTONE,
          { input: { agreementId: 'protocol-surgical-cooperation', title: 'Second cohort' } },
          { caller: FR_EDITOR },
        );
        expect(body.errors).toBeUndefined();
      });
    });
  });
}
