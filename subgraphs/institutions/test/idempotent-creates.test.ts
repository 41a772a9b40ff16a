import { AuditEntry, IdempotentRequest, type Caller, type SubgraphServer } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import { Institution, InstitutionSpecialty, Person } from '../src/entities';
import { createInstitutionsServer } from '../src/server';

const FR_EDITOR: Caller = { subject: 'fr-editor', partner: 'FR', roles: ['editor'] };

const CREATE_INSTITUTION = `mutation ($input: CreateInstitutionInput!) { createInstitution(input: $input) { institution { id name partOf { id } specialties version } } }`;
const ADD_PERSON = `mutation ($input: AddPersonInput!) { addPerson(input: $input) { person { id fullName institution { id } version } } }`;

interface Create {
  mutation: 'createInstitution' | 'addPerson';
  query: string;
  input(): Record<string, unknown>;
  changed: Record<string, unknown>;
  idOf(data: any): string;
  /** The rows one create writes, by entity. */
  writes: Record<string, number>;
}

// Both creates of the registry take an idempotency key: retries, changed input and races, on SQLite and MySQL.
for (const target of scratchTargets) {
  target.describe('institutions creates with an idempotency key', () => {
    let scratch: ScratchTarget;
    let server: SubgraphServer;
    let url: string;

    beforeAll(async () => {
      scratch = await target.open('institutions-idempotent');
      server = await createInstitutionsServer({ port: 0, databaseUrl: scratch.url });
      url = await server.listen(0);
    });
    afterAll(async () => {
      await server?.stop();
      await scratch?.dispose();
    });

    const gql = (query: string, input: Record<string, unknown>, caller: Caller = FR_EDITOR) => postGraphQL<any>(url, query, { input }, { caller });
    const manager = () => server.database.dataSource.manager;
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(
          [Institution, InstitutionSpecialty, Person, AuditEntry, IdempotentRequest].map(async (e) => [e.name, await manager().count(e)] as const),
        ),
      );
    const plus = (before: Record<string, number>, writes: Record<string, number>) =>
      Object.fromEntries(Object.entries(before).map(([k, n]) => [k, n + (writes[k] ?? 0)]));

    const creates: Create[] = [
      {
        mutation: 'createInstitution',
        query: CREATE_INSTITUTION,
        input: () => ({
          name: 'Lyon Heart Institute',
          kind: 'HOSPITAL',
          country: 'FR',
          city: 'Lyon',
          specialties: ['CARDIOLOGY', 'SURGERY'],
          partOfId: 'gustave-roussy',
        }),
        changed: { city: 'Bron' },
        idOf: (data) => data.createInstitution.institution.id,
        writes: { Institution: 1, InstitutionSpecialty: 2, AuditEntry: 1 },
      },
      {
        mutation: 'addPerson',
        query: ADD_PERSON,
        input: () => ({ institutionId: 'gustave-roussy', fullName: 'Hélène Idempotent', email: 'helene.idempotent@example.org' }),
        changed: { email: 'h.idempotent@example.org' },
        idOf: (data) => data.addPerson.person.id,
        writes: { Person: 1, AuditEntry: 1 },
      },
    ];

    describe.each(creates)('$mutation', (create) => {
      test('a retry with the same key returns the same record and writes once, audit entries included', async () => {
        const input = { ...create.input(), idempotencyKey: `retry-${create.mutation}` };
        const before = await counts();
        const first = await gql(create.query, input);
        expect(first.body.errors).toBeUndefined();
        const afterFirst = await counts();
        expect(afterFirst).toEqual(plus(before, { ...create.writes, IdempotentRequest: 1 }));
        for (let retry = 0; retry < 3; retry += 1) expect((await gql(create.query, input)).body).toEqual(first.body);
        // Spaces around a name are trimmed before it is compared, as before it is stored: still the same request.
        const spaced = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, k === 'name' || k === 'fullName' ? ` ${v} ` : v]));
        expect((await gql(create.query, spaced)).body).toEqual(first.body);
        expect(await counts()).toEqual(afterFirst);
      });

      test('the same key with different input is BAD_USER_INPUT saying so, and writes nothing', async () => {
        const input = { ...create.input(), idempotencyKey: `changed-${create.mutation}` };
        expect((await gql(create.query, input)).body.errors).toBeUndefined();
        const before = await counts();
        const { body } = await gql(create.query, { ...input, ...create.changed });
        expect(body.errors).toEqual([
          expect.objectContaining({
            message: expect.stringMatching(/already used for a different/),
            extensions: { code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' },
          }),
        ]);
        expect(await counts()).toEqual(before);
      });

      test('10 concurrent calls with one key write one record and all answer with it', async () => {
        const input = { ...create.input(), idempotencyKey: `raced-${create.mutation}` };
        const before = await counts();
        const responses = await Promise.all(Array.from({ length: 10 }, () => gql(create.query, input)));
        for (const { body } of responses) expect(body.errors).toBeUndefined();
        expect(new Set(responses.map((r) => create.idOf(r.body.data))).size).toBe(1);
        expect(await counts()).toEqual(plus(before, { ...create.writes, IdempotentRequest: 1 }));
      });
    });

    test('a refused create keeps no claim on its key: the corrected request may send it again', async () => {
      const input = { ...creates[1].input(), institutionId: 'no-such-institution', idempotencyKey: 'refused-first' };
      const before = await counts();
      expect((await gql(ADD_PERSON, input)).body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.institutionId' });
      expect(await counts()).toEqual(before);
      const fixed = await gql(ADD_PERSON, { ...input, institutionId: 'gustave-roussy' });
      expect(fixed.body.errors).toBeUndefined();
    });

    test('ids in another case are unknown: nothing is written', async () => {
      const before = await counts();
      const parent = await gql(CREATE_INSTITUTION, { ...creates[0].input(), partOfId: 'Gustave-Roussy' });
      expect(parent.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.partOfId' });
      const employer = await gql(ADD_PERSON, { ...creates[1].input(), institutionId: 'GUSTAVE-ROUSSY' });
      expect(employer.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.institutionId' });
      expect(await counts()).toEqual(before);
    });
  });
}
