import { AuditEntry, IdempotentRequest, type Caller, type SubgraphServer } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets, startEntityStub, type EntityStub, type ScratchTarget } from '@partnership/subgraph-kit/testing';
import { Agreement, AgreementArea, AgreementParty, Milestone } from '../src/entities';
import { LIMITS } from '../src/mutations/input';
import { createAgreementsServer } from '../src/server';

const UZ_EDITOR: Caller = { subject: 'uz-editor', partner: 'UZ', roles: ['editor'] };
const ADMIN: Caller = { subject: 'admin', partner: 'FR', roles: ['admin'] };

const CREATE = `mutation ($input: CreateAgreementInput!) { createAgreement(input: $input) { agreement { id title version event { id } parties { institution { id } } } } }`;
const ADD_MILESTONE = `mutation ($input: AddMilestoneInput!) { addMilestone(input: $input) { milestone { id title version agreement { id } } agreement { id } } }`;
const ADD_PARTY = `mutation ($input: AddAgreementPartyInput!) { addAgreementParty(input: $input) { agreement { id version } } }`;

interface Create {
  mutation: 'createAgreement' | 'addMilestone';
  query: string;
  input(): Record<string, unknown>;
  changed: Record<string, unknown>;
  idOf(data: any): string;
  /** The rows one create writes, by entity. */
  writes: Record<string, number>;
}

// Every create of this subgraph takes an idempotency key; an agreement holds at most 50 parties and 50 milestones.
for (const target of scratchTargets) {
  target.describe('agreements creates with an idempotency key', () => {
    let scratch: ScratchTarget;
    let server: SubgraphServer;
    let url: string;
    let stub: EntityStub;
    let sequence = 0;

    beforeAll(async () => {
      scratch = await target.open('agreements-idempotent');
      stub = await startEntityStub({
        Institution: [
          { id: 'uz-ministry-of-health', country: 'UZ' },
          { id: 'gustave-roussy', country: 'FR' },
          { id: 'paul-strauss-center', country: 'FR' },
        ],
        Person: [],
      });
      server = await createAgreementsServer({ port: 0, databaseUrl: scratch.url, peers: stub.peers });
      url = await server.listen(0);
    });
    afterAll(async () => {
      await server?.stop();
      await stub?.stop();
      await scratch?.dispose();
    });

    const gql = (query: string, input: Record<string, unknown>, caller: Caller = UZ_EDITOR) => postGraphQL<any>(url, query, { input }, { caller });
    const manager = () => server.database.dataSource.manager;
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(
          [Agreement, AgreementArea, AgreementParty, Milestone, AuditEntry, IdempotentRequest].map(async (e) => [e.name, await manager().count(e)] as const),
        ),
      );
    const plus = (before: Record<string, number>, writes: Record<string, number>) =>
      Object.fromEntries(Object.entries(before).map(([k, n]) => [k, n + (writes[k] ?? 0)]));
    /** An agreement of the Uzbek ministry and Gustave Roussy, written directly with `parties` and `milestones` rows. */
    const agreementWith = async (parties: number, milestones: number) => {
      const id = `test-agreement-${(sequence += 1)}`;
      await manager().insert(Agreement, {
        id,
        title: 'Capped',
        kind: 'PROTOCOL',
        status: 'PROPOSED',
        signedOn: null,
        concludedOn: null,
        concludedOnLabel: null,
        eventId: null,
        summary: null,
        synthetic: false,
        version: 1,
      });
      await manager().insert(
        AgreementParty,
        Array.from({ length: parties }, (_v, i) => ({
          agreementId: id,
          position: i,
          institutionId: i === 0 ? 'uz-ministry-of-health' : `test-institution-${i}`,
          role: null,
          representativeId: null,
          country: i === 0 ? 'UZ' : 'FR',
        })),
      );
      if (milestones > 0) {
        await manager().insert(
          Milestone,
          Array.from({ length: milestones }, (_v, i) => ({
            id: `${id}-m${i}`,
            agreementId: id,
            title: `M${i}`,
            due: null,
            dueLabel: null,
            status: 'PLANNED',
            position: i,
            version: 1,
          })),
        );
      }
      return id;
    };

    const creates: Create[] = [
      {
        mutation: 'createAgreement',
        query: CREATE,
        input: () => ({
          title: 'Cooperation in nuclear medicine',
          kind: 'COOPERATION_AGREEMENT',
          parties: [{ institutionId: 'uz-ministry-of-health' }, { institutionId: 'gustave-roussy', role: 'French partner' }],
        }),
        changed: { title: 'Cooperation in radiology' },
        idOf: (data) => data.createAgreement.agreement.id,
        writes: { Agreement: 1, AgreementParty: 2, AuditEntry: 1 },
      },
      {
        mutation: 'addMilestone',
        query: ADD_MILESTONE,
        input: () => ({ agreementId: 'protocol-surgical-cooperation', title: 'Second group of surgeons trained', due: '2027' }),
        changed: { due: '2028' },
        idOf: (data) => data.addMilestone.milestone.id,
        writes: { Milestone: 1, AuditEntry: 1 },
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

    test('a retried create with a chosen id replays it instead of calling the id taken', async () => {
      const input = { ...creates[0].input(), id: 'uz-fr-idempotent-agreement', idempotencyKey: 'chosen-id' };
      const first = await gql(CREATE, input);
      expect(first.body.data.createAgreement.agreement.id).toBe('uz-fr-idempotent-agreement');
      expect((await gql(CREATE, input)).body).toEqual(first.body);
      const { body } = await gql(CREATE, { ...input, idempotencyKey: 'another-key' });
      expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.id' });
    });

    test(`the ${LIMITS.parties}th party is added, the next refused naming the field and the maximum`, async () => {
      const id = await agreementWith(LIMITS.parties - 1, 0);
      expect((await gql(ADD_PARTY, { agreementId: id, version: 1, institutionId: 'gustave-roussy' }, ADMIN)).body.errors).toBeUndefined();
      const before = await counts();
      const { body } = await gql(ADD_PARTY, { agreementId: id, version: 2, institutionId: 'paul-strauss-center' }, ADMIN);
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: `input.agreementId: agreement "${id}" has 50 parties, the most an agreement may have (50)`,
          extensions: { code: 'BAD_USER_INPUT', field: 'input.agreementId' },
        }),
      ]);
      expect(await counts()).toEqual(before);
    });

    test(`the ${LIMITS.milestones}th milestone is added, the next refused naming the field and the maximum`, async () => {
      const id = await agreementWith(1, LIMITS.milestones - 1);
      expect((await gql(ADD_MILESTONE, { agreementId: id, title: 'Fiftieth' })).body.errors).toBeUndefined();
      const before = await counts();
      const { body } = await gql(ADD_MILESTONE, { agreementId: id, title: 'Fifty-first' });
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: `input.agreementId: agreement "${id}" has 50 milestones, the most an agreement may have (50)`,
          extensions: { code: 'BAD_USER_INPUT', field: 'input.agreementId' },
        }),
      ]);
      expect(await counts()).toEqual(before);
    });

    test('concurrent milestones never take an agreement past 50', async () => {
      const id = await agreementWith(1, LIMITS.milestones - 2);
      const responses = await Promise.all(Array.from({ length: 6 }, (_v, i) => gql(ADD_MILESTONE, { agreementId: id, title: `Raced ${i}` })));
      expect(responses.filter((r) => r.body.errors === undefined)).toHaveLength(2);
      expect(await manager().countBy(Milestone, { agreementId: id })).toBe(LIMITS.milestones);
    });

    test('ids in another case are unknown, and references are stored as their owners have them', async () => {
      const before = await counts();
      const wrongAgreement = await gql(ADD_MILESTONE, { agreementId: 'PROTOCOL-SURGICAL-COOPERATION', title: 'Wrong case' });
      expect(wrongAgreement.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.agreementId' });
      const wrongEvent = await gql(CREATE, { ...creates[0].input(), eventId: 'FRENCH-HEALTHCARE-BUSINESS-FORUM-2026' });
      expect(wrongEvent.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.eventId' });
      const wrongParty = await gql(CREATE, { ...creates[0].input(), parties: [{ institutionId: 'UZ-MINISTRY-OF-HEALTH' }] });
      expect(wrongParty.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.parties[0].institutionId' });
      expect(await counts()).toEqual(before);

      const { body } = await gql(CREATE, { ...creates[0].input(), eventId: 'french-healthcare-business-forum-2026' });
      expect(body.data.createAgreement.agreement).toMatchObject({
        event: { id: 'french-healthcare-business-forum-2026' },
        parties: [{ institution: { id: 'uz-ministry-of-health' } }, { institution: { id: 'gustave-roussy' } }],
      });
    });
  });
}
