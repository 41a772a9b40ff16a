import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { Caller, FR_VIEWER, MC_EDITOR, mutationFixture, SET_STATUS, UZ_EDITOR } from './fixture';

for (const target of scratchTargets) {
  target.describe('agreements mutations', () => {
    const fixture$ = mutationFixture(target);
    const { as, fr, counts, expectError, newAgreement } = fixture$;
    let url: ReturnType<typeof mutationFixture>['url'];
    beforeAll(() => {
      url = fixture$.url;
    });

    describe('setAgreementStatus', () => {
      test('an agreement walks forward step by step, signed on a given day, to completion', async () => {
        const { id } = await newAgreement();
        const walk: Array<[string, Record<string, unknown>]> = [
          ['UNDER_DISCUSSION', {}],
          ['AGREED', {}],
          ['SIGNED', { signedOn: '2026-01-20' }],
          ['ACTIVE', {}],
          ['COMPLETED', {}],
        ];
        let version = 1;
        for (const [status, extra] of walk) {
          const { body } = await as(UZ_EDITOR)(SET_STATUS, { input: { id, version, status, ...extra } });
          expect(body.errors).toBeUndefined();
          expect(body.data.setAgreementStatus.agreement).toMatchObject({ id, status, version: version + 1 });
          version += 1;
        }
        const read = await postGraphQL<any>(url, `{ agreement(id: "${id}") { status version signedOn concludedOn { precision label earliest } } }`);
        expect(read.body.data.agreement).toEqual({
          status: 'COMPLETED',
          version: 6,
          signedOn: '2026-01-20',
          concludedOn: { precision: 'DAY', label: '2026-01-20', earliest: '2026-01-20' },
        });
        const { body } = await fr(SET_STATUS, { input: { id, version, status: 'TERMINATED' } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.status')).toMatch(/is COMPLETED: its status can no longer change/);
      });

      test('a reference agreement agreed in talks is signed by an editor of one of its partners', async () => {
        const { body } = await as(UZ_EDITOR)(SET_STATUS, { input: { id: 'disability-rehabilitation-cooperation', version: 1, status: 'SIGNED' } });
        expect(body.errors).toBeUndefined();
        // No day given: the agreement keeps what the sources said about when it was concluded.
        expect(body.data.setAgreementStatus.agreement).toEqual({
          id: 'disability-rehabilitation-cooperation',
          status: 'SIGNED',
          version: 2,
          signedOn: null,
          concludedOn: { precision: 'MONTH', label: '19–21 January 2026, French Healthcare & Business Forum', earliest: '2026-01-01' },
        });
      });

      test('any open agreement may be TERMINATED; a terminated one stays terminated', async () => {
        const { id } = await newAgreement();
        const { body } = await fr(SET_STATUS, { input: { id, version: 1, status: 'TERMINATED' } });
        expect(body.data.setAgreementStatus.agreement).toMatchObject({ status: 'TERMINATED', version: 2 });
        const again = await fr(SET_STATUS, { input: { id, version: 2, status: 'UNDER_DISCUSSION' } });
        expect(expectError(again.body, 'BAD_USER_INPUT', 'input.status')).toMatch(/TERMINATED: its status can no longer change/);
      });

      test.each([
        ['skipping a step', 'AGREED', /PROPOSED: it can move to UNDER_DISCUSSION or TERMINATED only \(not AGREED\)/],
        ['jumping to signed', 'SIGNED', /it can move to UNDER_DISCUSSION or TERMINATED only/],
        ['staying where it is', 'PROPOSED', /it can move to UNDER_DISCUSSION or TERMINATED only \(not PROPOSED\)/],
      ])('%s is refused, naming the allowed next statuses', async (_case, status, message) => {
        const { id } = await newAgreement();
        const before = await counts();
        const { body } = await fr(SET_STATUS, { input: { id, version: 1, status } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.status')).toMatch(message);
        expect(await counts()).toEqual(before);
      });

      test('going backwards is refused', async () => {
        const { body } = await fr(SET_STATUS, { input: { id: 'mfa-healthcare-cooperation', version: 1, status: 'UNDER_DISCUSSION' } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.status')).toMatch(/AGREED: it can move to SIGNED or TERMINATED only/);
      });

      test.each([
        ['a day in the future', { status: 'SIGNED', signedOn: '2999-01-01' }, /must not be in the future/],
        ['a day that does not exist', { status: 'SIGNED', signedOn: '2026-02-30' }, /calendar date YYYY-MM-DD/],
        ['a day with another status', { status: 'TERMINATED', signedOn: '2026-01-20' }, /only when the status becomes SIGNED/],
      ])('signedOn with %s is refused', async (_case, input, message) => {
        const { id } = await newAgreement({ status: 'UNDER_DISCUSSION' });
        await fr(SET_STATUS, { input: { id, version: 1, status: 'AGREED' } });
        const { body } = await fr(SET_STATUS, { input: { id, version: 2, ...input } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.signedOn')).toMatch(message);
      });

      test('a stale version gets CONFLICT and changes nothing', async () => {
        const { id } = await newAgreement();
        await fr(SET_STATUS, { input: { id, version: 1, status: 'UNDER_DISCUSSION' } });
        const before = await counts();
        const { body } = await as(UZ_EDITOR)(SET_STATUS, { input: { id, version: 1, status: 'TERMINATED' } });
        expect(expectError(body, 'CONFLICT')).toMatch(/version 2, you sent 1/);
        expect(await counts()).toEqual(before);
        const read = await postGraphQL<any>(url, `{ agreement(id: "${id}") { status version } }`);
        expect(read.body.data.agreement).toEqual({ status: 'UNDER_DISCUSSION', version: 2 });
      });

      test('two writers with the same version: one wins, the other gets CONFLICT', async () => {
        const { id } = await newAgreement();
        const results = await Promise.all([
          fr(SET_STATUS, { input: { id, version: 1, status: 'UNDER_DISCUSSION' } }),
          as(UZ_EDITOR)(SET_STATUS, { input: { id, version: 1, status: 'TERMINATED' } }),
        ]);
        const codes = results.map((r) => (r.body.errors ? r.body.errors[0].extensions!.code : 'OK')).sort();
        expect(codes).toEqual(['CONFLICT', 'OK']);
        const read = await postGraphQL<any>(url, `{ agreement(id: "${id}") { version } }`);
        expect(read.body.data.agreement.version).toBe(2);
      });

      test('an unknown agreement is refused on input.id', async () => {
        const { body } = await fr(SET_STATUS, { input: { id: 'no-such-agreement', version: 1, status: 'TERMINATED' } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.id')).toMatch(/no agreement with id "no-such-agreement"/);
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a viewer', FR_VIEWER, 'FORBIDDEN'],
        ['an editor of a partner that is not a party (MC)', MC_EDITOR, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s may not change the status', async (_who, caller, code) => {
        const before = await counts();
        const { body } = await as(caller)(SET_STATUS, { input: { id: 'protocol-surgical-cooperation', version: 1, status: 'ACTIVE' } });
        expectError(body, code);
        expect(await counts()).toEqual(before);
      });

      test('the Monaco editor may change the talks with Monaco', async () => {
        const { body } = await as(MC_EDITOR)(SET_STATUS, { input: { id: 'monaco-cardiothoracic-cooperation', version: 1, status: 'AGREED' } });
        expect(body.errors).toBeUndefined();
        expect(body.data.setAgreementStatus.agreement).toMatchObject({ status: 'AGREED', version: 2 });
      });
    });
  });
}
