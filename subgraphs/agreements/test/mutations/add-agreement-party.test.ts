import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { ADD_PARTY, Caller, FR_VIEWER, long, MC_EDITOR, mutationFixture, SET_STATUS, UZ_EDITOR } from './fixture';

for (const target of scratchTargets) {
  target.describe('agreements mutations', () => {
    const fixture$ = mutationFixture(target);
    const { as, fr, counts, expectError, newAgreement } = fixture$;
    let url: ReturnType<typeof mutationFixture>['url'];
    let stub: ReturnType<typeof mutationFixture>['stub'];
    beforeAll(() => {
      url = fixture$.url;
      stub = fixture$.stub;
    });

    describe('addAgreementParty', () => {
      test('an editor of an existing party adds an institution; the version moves on and the country is kept', async () => {
        const { id } = await newAgreement();
        const { body } = await fr(ADD_PARTY, {
          input: { agreementId: id, version: 1, institutionId: 'paul-strauss-center', role: '  host centre ', representativeId: null },
        });
        expect(body.errors).toBeUndefined();
        expect(body.data.addAgreementParty.agreement).toEqual({
          id,
          version: 2,
          parties: [
            { institution: { id: 'uz-ministry-of-health' }, role: 'Uzbek party', representative: null },
            { institution: { id: 'gustave-roussy' }, role: 'French partner', representative: { id: 'patrick-le-dise' } },
            { institution: { id: 'paul-strauss-center' }, role: 'host centre', representative: null },
          ],
        });
        const read = await postGraphQL<any>(url, `{ agreements(filter: { party: "paul-strauss-center", country: FR }) { nodes { id version } } }`);
        expect(read.body.data.agreements.nodes).toContainEqual({ id, version: 2 });
      });

      test('a new party makes its partner an owner', async () => {
        const { id } = await newAgreement();
        const added = await as(UZ_EDITOR)(ADD_PARTY, { input: { agreementId: id, version: 1, institutionId: 'monaco-cardiothoracic-center' } });
        expect(added.body.errors).toBeUndefined();
        const { body } = await as(MC_EDITOR)(SET_STATUS, { input: { id, version: 2, status: 'UNDER_DISCUSSION' } });
        expect(body.errors).toBeUndefined();
      });

      test('a partner that is not yet a party may not add itself, and the institutions subgraph is not even asked', async () => {
        const { id } = await newAgreement();
        const before = await counts();
        const calls = stub.calls;
        const { body } = await as(MC_EDITOR)(ADD_PARTY, { input: { agreementId: id, version: 1, institutionId: 'monaco-cardiothoracic-center' } });
        expect(expectError(body, 'FORBIDDEN')).toMatch(/UZ, FR/);
        expect(stub.calls).toBe(calls);
        expect(await counts()).toEqual(before);
      });

      test.each([
        ['anonymous', null, 'UNAUTHENTICATED'],
        ['a viewer', FR_VIEWER, 'FORBIDDEN'],
      ] as Array<[string, Caller | null, string]>)('%s may not add a party', async (_who, caller, code) => {
        const { body } = await as(caller)(ADD_PARTY, {
          input: { agreementId: 'protocol-surgical-cooperation', version: 1, institutionId: 'paul-strauss-center' },
        });
        expectError(body, code);
      });

      test.each([
        ['an institution already a party', { institutionId: 'gustave-roussy' }, 'input.institutionId', /already a party/],
        ['an unknown institution', { institutionId: 'no-such-hospital' }, 'input.institutionId', /no institution with id/],
        [
          'an unknown representative',
          { institutionId: 'paul-strauss-center', representativeId: 'nobody-known' },
          'input.representativeId',
          /no person with id/,
        ],
        ['a role over 200 characters', { institutionId: 'paul-strauss-center', role: long(201) }, 'input.role', /at most 200/],
        ['an unknown agreement', { agreementId: 'no-such-agreement', institutionId: 'paul-strauss-center' }, 'input.agreementId', /no agreement/],
      ] as Array<[string, Record<string, unknown>, string, RegExp]>)('%s is refused on its field', async (_case, input, field, message) => {
        const { id } = await newAgreement();
        const before = await counts();
        const { body } = await fr(ADD_PARTY, { input: { agreementId: id, version: 1, ...input } });
        expect(expectError(body, 'BAD_USER_INPUT', field)).toMatch(message);
        expect(await counts()).toEqual(before);
      });

      test('a stale version gets CONFLICT', async () => {
        const { id } = await newAgreement();
        await fr(ADD_PARTY, { input: { agreementId: id, version: 1, institutionId: 'paul-strauss-center' } });
        const { body } = await fr(ADD_PARTY, { input: { agreementId: id, version: 1, institutionId: 'national-academy-of-surgery' } });
        expectError(body, 'CONFLICT');
      });

      test('a terminated agreement takes no new party', async () => {
        const { id } = await newAgreement();
        await fr(SET_STATUS, { input: { id, version: 1, status: 'TERMINATED' } });
        const { body } = await fr(ADD_PARTY, { input: { agreementId: id, version: 2, institutionId: 'paul-strauss-center' } });
        expect(expectError(body, 'BAD_USER_INPUT', 'input.agreementId')).toMatch(/TERMINATED: it takes no new parties/);
      });
    });
  });
}
