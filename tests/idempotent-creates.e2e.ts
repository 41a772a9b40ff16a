import type { Caller } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { bootFederation, type Federation, type SubgraphName } from './federation';

const UZ_EDITOR: Caller = { subject: 'uz-editor', partner: 'UZ', roles: ['editor'] };
const FR_EDITOR: Caller = { subject: 'fr-editor', partner: 'FR', roles: ['editor'] };

/** One create of each subgraph, as a client sends it through the gateway. */
const creates: Array<{
  mutation: string;
  subgraph: SubgraphName;
  table: string;
  caller: Caller;
  query: string;
  input: Record<string, unknown>;
  changed: Record<string, unknown>;
}> = [
  {
    mutation: 'createInstitution',
    subgraph: 'institutions',
    table: 'institution',
    caller: FR_EDITOR,
    query: 'mutation ($input: CreateInstitutionInput!) { createInstitution(input: $input) { institution { id name } } }',
    input: { name: 'Lyon Heart Institute', kind: 'HOSPITAL', country: 'FR', city: 'Lyon', specialties: ['CARDIOLOGY'] },
    changed: { city: 'Bron' },
  },
  {
    mutation: 'createAgreement',
    subgraph: 'agreements',
    table: 'agreement',
    caller: UZ_EDITOR,
    query: 'mutation ($input: CreateAgreementInput!) { createAgreement(input: $input) { agreement { id parties { institution { name } } } } }',
    input: {
      title: 'Cooperation in nuclear medicine',
      kind: 'COOPERATION_AGREEMENT',
      parties: [{ institutionId: 'uz-ministry-of-health' }, { institutionId: 'gustave-roussy' }],
    },
    changed: { title: 'Cooperation in radiology' },
  },
  {
    mutation: 'scheduleCohort',
    subgraph: 'training',
    table: 'cohort',
    caller: FR_EDITOR,
    query: 'mutation ($input: ScheduleCohortInput!) { scheduleCohort(input: $input) { cohort { id hostInstitution { name } program { id } } } }',
    input: { programId: 'surgeons-100-by-2030', hostInstitutionId: 'paul-strauss-center', startsOn: '2026-09', plannedSize: 5 },
    changed: { plannedSize: 6 },
  },
];

// A client whose write timed out sends it again with the same key: through the gateway, each subgraph answers the
// first record and keeps one row, however the retries overlap.
for (const target of scratchTargets) {
  target.describe('idempotent creates through the gateway', () => {
    let federation: Federation;
    const as = async (caller: Caller, query: string, variables: Record<string, unknown>) =>
      postGraphQL<any>(federation.gatewayUrl, query, variables, { headers: { authorization: `Bearer ${await federation.token(caller)}` } });
    const count = async (subgraph: SubgraphName, table: string) =>
      Number((await federation.subgraphs[subgraph].database.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);

    beforeAll(async () => {
      federation = await bootFederation(target);
    });
    afterAll(async () => {
      await federation?.stop();
    });

    test.each(creates)('$mutation retried with one key returns the same record and writes one row', async (create) => {
      const before = await count(create.subgraph, create.table);
      const input = { ...create.input, idempotencyKey: `e2e-${create.mutation}` };
      const send = () => as(create.caller, create.query, { input });
      // Three retries overlapping the first attempt, then one after they all answered.
      const answers = [...(await Promise.all([send(), send(), send()])), await send()];
      for (const { body } of answers) expect(body.errors).toBeUndefined();
      expect(new Set(answers.map((a) => JSON.stringify(a.body.data))).size).toBe(1);
      expect(await count(create.subgraph, create.table)).toBe(before + 1);

      const { body } = await as(create.caller, create.query, { input: { ...input, ...create.changed } });
      expect(body.errors[0]).toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' },
        message: expect.stringMatching(/already used/),
      });
      expect(await count(create.subgraph, create.table)).toBe(before + 1);
    });
  });
}
