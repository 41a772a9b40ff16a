import { scratchTargets } from '@partnership/subgraph-kit/testing';
import { mutationFixture } from './fixture';

for (const target of scratchTargets) {
  target.describe('agreements mutations', () => {
    const fixture$ = mutationFixture(target);
    const { fr } = fixture$;

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
  });
}
