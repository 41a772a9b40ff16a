import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { Milestone } from '../../src/entities';
import { ADD_MILESTONE, Caller, FR_VIEWER, long, MC_EDITOR, mutationFixture, SET_STATUS, UPDATE_MILESTONE, UZ_EDITOR } from './fixture';

for (const target of scratchTargets) {
  target.describe('agreements mutations', () => {
    const fixture$ = mutationFixture(target);
    const { as, fr, counts, expectError, newAgreement } = fixture$;
    let server: ReturnType<typeof mutationFixture>['server'];
    let url: ReturnType<typeof mutationFixture>['url'];
    beforeAll(() => {
      server = fixture$.server;
      url = fixture$.url;
    });

    describe('milestones', () => {
      test('addMilestone appends a milestone due in a quarter; updateMilestone changes it', async () => {
        const { id } = await newAgreement();
        const added = await fr(ADD_MILESTONE, { input: { agreementId: id, title: ' Joint action plan ', due: '2026-Q1', dueLabel: 'first quarter of 2026' } });
        expect(added.body.errors).toBeUndefined();
        const milestone = added.body.data.addMilestone.milestone;
        expect(milestone).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          title: 'Joint action plan',
          status: 'PLANNED',
          version: 1,
          agreement: { id },
          due: { precision: 'QUARTER', label: 'first quarter of 2026', earliest: '2026-01-01', latest: '2026-03-31' },
        });
        // The agreement's own version does not move: its milestones carry their own.
        expect(added.body.data.addMilestone.agreement).toEqual({ id, version: 1, milestones: [{ id: milestone.id, title: 'Joint action plan' }] });

        const second = await as(UZ_EDITOR)(ADD_MILESTONE, { input: { agreementId: id, title: 'Centre opened', status: 'IN_PROGRESS' } });
        expect(second.body.data.addMilestone.milestone).toMatchObject({ status: 'IN_PROGRESS', due: null });
        expect(second.body.data.addMilestone.agreement.milestones.map((m: { title: string }) => m.title)).toEqual(['Joint action plan', 'Centre opened']);

        const updated = await fr(UPDATE_MILESTONE, { input: { id: milestone.id, version: 1, status: 'IN_PROGRESS', due: '2026-03' } });
        expect(updated.body.errors).toBeUndefined();
        // A new date without a label drops the old label, which described the old date.
        expect(updated.body.data.updateMilestone.milestone).toEqual({
          id: milestone.id,
          title: 'Joint action plan',
          status: 'IN_PROGRESS',
          version: 2,
          due: { precision: 'MONTH', label: 'March 2026' },
        });
        const labelled = await fr(UPDATE_MILESTONE, {
          input: { id: milestone.id, version: 2, dueLabel: 'by the end of March 2026', title: 'Joint action plan adopted' },
        });
        expect(labelled.body.data.updateMilestone.milestone).toMatchObject({
          title: 'Joint action plan adopted',
          version: 3,
          due: { label: 'by the end of March 2026' },
        });
        const cleared = await fr(UPDATE_MILESTONE, { input: { id: milestone.id, version: 3, due: null, status: 'DONE' } });
        expect(cleared.body.data.updateMilestone.milestone).toMatchObject({ status: 'DONE', version: 4, due: null });

        const read = await postGraphQL<any>(url, `{ agreement(id: "${id}") { milestones { title status version due { label } } } }`);
        expect(read.body.data.agreement.milestones).toEqual([
          { title: 'Joint action plan adopted', status: 'DONE', version: 4, due: null },
          { title: 'Centre opened', status: 'IN_PROGRESS', version: 1, due: null },
        ]);
      });

      test('a reference milestone is updated by an editor of its agreement’s partners only', async () => {
        const input = { id: 'protocol-surgical-cooperation-first-five', version: 1, status: 'IN_PROGRESS' };
        expectError((await as(MC_EDITOR)(UPDATE_MILESTONE, { input })).body, 'FORBIDDEN');
        expectError((await as(null)(UPDATE_MILESTONE, { input })).body, 'UNAUTHENTICATED');
        expectError((await as(FR_VIEWER)(UPDATE_MILESTONE, { input })).body, 'FORBIDDEN');
        const { body } = await fr(UPDATE_MILESTONE, { input });
        expect(body.data.updateMilestone.milestone).toEqual({
          id: 'protocol-surgical-cooperation-first-five',
          title: 'First five Uzbek surgeons begin training at the Paul Strauss Center, Strasbourg',
          status: 'IN_PROGRESS',
          version: 2,
          due: { precision: 'MONTH', label: 'March 2026' },
        });
      });

      test('concurrent additions get distinct, ordered positions', async () => {
        const { id } = await newAgreement();
        const titles = ['one', 'two', 'three', 'four', 'five'];
        const results = await Promise.all(titles.map((title) => fr(ADD_MILESTONE, { input: { agreementId: id, title } })));
        expect(results.every((r) => r.body.errors === undefined)).toBe(true);
        const rows = await server.database.dataSource.getRepository(Milestone).find({ where: { agreementId: id }, order: { position: 'ASC' } });
        expect(rows.map((r) => r.position)).toEqual([0, 1, 2, 3, 4]);
        expect([...rows.map((r) => r.title)].sort()).toEqual([...titles].sort());
      });

      test.each([
        ['a blank title', { title: '' }, 'input.title', /must not be blank/],
        ['a title over 300 characters', { title: long(301) }, 'input.title', /at most 300/],
        ['a due date that is not a partial date', { due: '2026-13' }, 'input.due', /"2030", "2026-Q1", "2026-03" or "2026-03-15"/],
        ['a due date in words', { due: 'Q1 2026' }, 'input.due', /"2026-Q1"/],
        ['a label without a due date', { dueLabel: 'soon' }, 'input.dueLabel', /needs input.due/],
        ['a label over 200 characters', { due: '2030', dueLabel: long(201) }, 'input.dueLabel', /at most 200/],
        ['an unknown agreement', { agreementId: 'no-such-agreement' }, 'input.agreementId', /no agreement/],
      ] as Array<[string, Record<string, unknown>, string, RegExp]>)('addMilestone with %s is refused on its field', async (_case, input, field, message) => {
        const before = await counts();
        const { body } = await fr(ADD_MILESTONE, { input: { agreementId: 'protocol-surgical-cooperation', title: 'A milestone', ...input } });
        expect(expectError(body, 'BAD_USER_INPUT', field)).toMatch(message);
        expect(await counts()).toEqual(before);
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a viewer', FR_VIEWER, 'FORBIDDEN'],
        ['an editor of a partner that is not a party (MC)', MC_EDITOR, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s may not add a milestone', async (_who, caller, code) => {
        const before = await counts();
        expectError((await as(caller)(ADD_MILESTONE, { input: { agreementId: 'protocol-surgical-cooperation', title: 'Refused' } })).body, code);
        expect(await counts()).toEqual(before);
      });

      test('a completed or terminated agreement takes no new milestone', async () => {
        const { id } = await newAgreement();
        await fr(SET_STATUS, { input: { id, version: 1, status: 'TERMINATED' } });
        const { body } = await fr(ADD_MILESTONE, { input: { agreementId: id, title: 'Too late' } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.agreementId')).toMatch(/TERMINATED: it takes no new milestones/);
      });

      test.each([
        ['nothing to change', {}, 'input', /at least one of/],
        ['a blank title', { title: ' ' }, 'input.title', /must not be blank/],
        ['a null status', { status: null }, 'input.status', /omit it to keep/],
        ['a bad due date', { due: '2026-Q5' }, 'input.due', /"2026-Q1"/],
        ['a label for an undated milestone', { dueLabel: 'soon' }, 'input.dueLabel', /needs a due date/],
        ['a label with the date cleared', { due: null, dueLabel: 'never' }, 'input.dueLabel', /needs a due date/],
      ] as Array<[string, Record<string, unknown>, string, RegExp]>)(
        'updateMilestone with %s is refused on its field',
        async (_case, input, field, message) => {
          const before = await counts();
          const { body } = await fr(UPDATE_MILESTONE, { input: { id: 'gustave-roussy-licensing-agreement-expert-training', version: 1, ...input } });
          expect(expectError(body, 'BAD_USER_INPUT', field)).toMatch(message);
          expect(await counts()).toEqual(before);
        },
      );

      test('updateMilestone with a stale version gets CONFLICT; an unknown id is refused on input.id', async () => {
        const { id } = await newAgreement();
        const { body: added } = await fr(ADD_MILESTONE, { input: { agreementId: id, title: 'Plan' } });
        const milestoneId = added.data.addMilestone.milestone.id;
        await fr(UPDATE_MILESTONE, { input: { id: milestoneId, version: 1, status: 'DONE' } });
        expect(expectError((await fr(UPDATE_MILESTONE, { input: { id: milestoneId, version: 1, status: 'CANCELLED' } })).body, 'CONFLICT')).toMatch(
          /version 2, you sent 1/,
        );
        expectError((await fr(UPDATE_MILESTONE, { input: { id: 'no-such-milestone', version: 1, status: 'DONE' } })).body, 'BAD_USER_INPUT', 'input.id');
      });
    });
  });
}
