import { scratchTargets } from '@partnership/subgraph-kit/testing';
import {
  ADD_MILESTONE,
  ADD_PARTY,
  ADMIN,
  AUDIT,
  baseInput,
  Caller,
  CREATE,
  FR_EDITOR,
  FR_VIEWER,
  MC_EDITOR,
  mutationFixture,
  SET_STATUS,
  UPDATE_MILESTONE,
  UZ_EDITOR,
} from './fixture';

for (const target of scratchTargets) {
  target.describe('agreements mutations', () => {
    const fixture$ = mutationFixture(target);
    const { as, fr, admin, expectError } = fixture$;

    describe('audit trail', () => {
      test('every change leaves one entry with its author, mutation and before/after; refusals leave none', async () => {
        const { body: created } = await fr(CREATE, { input: baseInput({ id: 'audited-agreement', areas: ['SURGERY'] }) });
        expect(created.errors).toBeUndefined();
        await fr(SET_STATUS, { input: { id: 'audited-agreement', version: 1, status: 'AGREED' } }); // refused: skips a step
        await as(MC_EDITOR)(SET_STATUS, { input: { id: 'audited-agreement', version: 1, status: 'UNDER_DISCUSSION' } }); // refused: not an owner
        await as(UZ_EDITOR)(SET_STATUS, { input: { id: 'audited-agreement', version: 1, status: 'UNDER_DISCUSSION' } });
        await fr(ADD_PARTY, { input: { agreementId: 'audited-agreement', version: 2, institutionId: 'paul-strauss-center', role: 'host' } });
        const { body: milestone } = await fr(ADD_MILESTONE, { input: { agreementId: 'audited-agreement', title: 'Plan', due: '2027' } });
        const milestoneId = milestone.data.addMilestone.milestone.id;
        await as(ADMIN)(UPDATE_MILESTONE, { input: { id: milestoneId, version: 1, status: 'DONE' } });

        const { body } = await admin(AUDIT, { recordId: 'audited-agreement' });
        expect(body.errors).toBeUndefined();
        const trail = body.data.agreementsAuditTrail;
        expect(trail.totalCount).toBe(3);
        expect(trail.nodes.map((n: any) => [n.mutation, n.subject, n.partner, n.recordType])).toEqual([
          ['createAgreement', 'fr-editor', 'FR', 'Agreement'],
          ['setAgreementStatus', 'uz-editor', 'UZ', 'Agreement'],
          ['addAgreementParty', 'fr-editor', 'FR', 'Agreement'],
        ]);
        const [create, status, party] = trail.nodes;
        expect(create.before).toBeNull();
        expect(JSON.parse(create.after)).toMatchObject({
          id: 'audited-agreement',
          status: 'PROPOSED',
          version: 1,
          areas: ['SURGERY'],
          parties: [
            { institutionId: 'uz-ministry-of-health', role: 'Uzbek party', representativeId: null, country: 'UZ' },
            { institutionId: 'gustave-roussy', role: 'French partner', representativeId: 'patrick-le-dise', country: 'FR' },
          ],
        });
        expect([JSON.parse(status.before).status, JSON.parse(status.after).status]).toEqual(['PROPOSED', 'UNDER_DISCUSSION']);
        expect([JSON.parse(status.before).version, JSON.parse(status.after).version]).toEqual([1, 2]);
        expect(JSON.parse(party.before).parties).toHaveLength(2);
        expect(JSON.parse(party.after).parties[2]).toEqual({ institutionId: 'paul-strauss-center', role: 'host', representativeId: null, country: 'FR' });
        expect(JSON.parse(party.after).version).toBe(3);
        expect(trail.nodes.every((n: any) => typeof n.requestId === 'string' && n.requestId.length > 0)).toBe(true);

        const milestoneTrail = (await admin(AUDIT, { recordId: milestoneId })).body.data.agreementsAuditTrail;
        expect(milestoneTrail.nodes.map((n: any) => [n.mutation, n.subject, n.recordType])).toEqual([
          ['addMilestone', 'fr-editor', 'Milestone'],
          ['updateMilestone', 'mc-admin', 'Milestone'],
        ]);
        expect(JSON.parse(milestoneTrail.nodes[0].after)).toMatchObject({
          id: milestoneId,
          agreementId: 'audited-agreement',
          due: '2027',
          status: 'PLANNED',
          version: 1,
        });
        expect([JSON.parse(milestoneTrail.nodes[1].before).status, JSON.parse(milestoneTrail.nodes[1].after).status]).toEqual(['PLANNED', 'DONE']);
      });

      test('the whole trail pages oldest first', async () => {
        const first = (await admin(AUDIT, { first: 2 })).body.data.agreementsAuditTrail;
        expect(first.nodes).toHaveLength(2);
        expect(first.pageInfo.hasNextPage).toBe(true);
        const next = (await admin(AUDIT, { first: 2, after: first.pageInfo.endCursor })).body.data.agreementsAuditTrail;
        expect(next.nodes).toHaveLength(2);
        expect(next.totalCount).toBe(first.totalCount);
        const times = [...first.nodes, ...next.nodes].map((n: { at: string }) => n.at);
        expect([...times].sort()).toEqual(times);
      });

      test.each([
        ['an editor', FR_EDITOR, 'FORBIDDEN'],
        ['a viewer', FR_VIEWER, 'FORBIDDEN'],
        ['anonymous', null, 'UNAUTHENTICATED'],
      ] as Array<[string, Caller | null, string]>)('%s may not read it', async (_who, caller, code) => {
        const { body } = await as(caller)(AUDIT, {});
        expect(body.data).toEqual({ agreementsAuditTrail: null });
        expectError(body, code);
      });
    });
  });
}
