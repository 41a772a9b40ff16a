import { randomUUID } from 'node:crypto';
import { createGateway, gatewayConfigFromEnv, type Gateway } from '@partnership/gateway';
import type { Caller } from '@partnership/subgraph-kit';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import { bootFederation, type Federation } from './federation';

const redisUrl = process.env.REDIS_TEST_URL || undefined;
const testWithRedis = redisUrl ? test : test.skip;

const UZ_EDITOR: Caller = { subject: 'uz-editor', partner: 'UZ', roles: ['editor'] };
const FR_VIEWER: Caller = { subject: 'fr-viewer', partner: 'FR', roles: ['viewer'] };

// Two operations with different root fields and names: the response cache cannot serve one from the other, but the
// institutions subgraph's part of both (each party's institution, by id) is the same entity fetch.
const PARTIES_BY_TITLE = 'query PartiesByTitle($id: ID!) { agreement(id: $id) { title parties { institution { id name city } } } }';
const PARTIES_BY_STATUS = 'query PartiesByStatus($id: ID!) { agreement(id: $id) { status parties { institution { id name city } } } }';
const SOME_AGREEMENTS = 'query SomeAgreements($first: Int!) { agreements(first: $first) { nodes { id parties { institution { id name city } } } } }';

interface Answer {
  data?: any;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}

// Whether the institutions subgraph was asked is told by the SQL statements it ran.
for (const target of scratchTargets) {
  target.describe('the entity cache over the real federation', () => {
    let federation: Federation;
    let uncached: Gateway;
    let agreementIds: string[];
    const institutionStatements = () => federation.subgraphs.institutions.database.statements.count;
    const ask = async (caller: Caller | null, query: string, variables: Record<string, unknown>, url = federation.gatewayUrl): Promise<Answer> => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(caller && { authorization: `Bearer ${await federation.token(caller)}` }) },
        body: JSON.stringify({ query, variables }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Answer;
    };
    /** The answer, and whether the institutions subgraph ran any statement for it. */
    const asking = async (caller: Caller | null, query: string, variables: Record<string, unknown>, url?: string) => {
      const before = institutionStatements();
      const answer = await ask(caller, query, variables, url);
      return { answer, askedInstitutions: institutionStatements() > before };
    };

    beforeAll(async () => {
      federation = await bootFederation(target);
      // The same subgraphs behind a gateway that keeps no entities (nor answers): what every answer must equal.
      uncached = await createGateway({
        ...gatewayConfigFromEnv({ DATA_DIR: federation.dataDir, LOG_LEVEL: process.env.LOG_LEVEL, RESPONSE_CACHE: 'off' }),
        subgraphUrlOverride: (name) => federation.urls[name as keyof Federation['urls']],
      });
      await uncached.listen(0);
      const page = await ask(null, 'query Ids { agreements(first: 100) { nodes { id } } }', {});
      agreementIds = page.data.agreements.nodes.map((node: { id: string }) => node.id);
      expect(agreementIds.length).toBeGreaterThanOrEqual(3);
    });
    afterAll(async () => {
      await uncached?.stop();
      await federation?.stop();
    });

    test('entities fetched for one operation answer another without asking their subgraph', async () => {
      const id = agreementIds[0];
      const first = await asking(null, PARTIES_BY_TITLE, { id });
      expect(first.answer.errors).toBeUndefined();
      expect(first.answer.data.agreement.parties.length).toBeGreaterThan(0);
      expect(first.askedInstitutions).toBe(true);

      const second = await asking(null, PARTIES_BY_STATUS, { id });
      expect(second.answer.errors).toBeUndefined();
      expect(second.askedInstitutions).toBe(false);
      expect(second.answer.data.agreement.parties).toEqual(first.answer.data.agreement.parties);
      expect(second.answer).toEqual(await ask(null, PARTIES_BY_STATUS, { id }, uncached.url));
    });

    test('a fetch with some entities kept asks only for the others, and the answer is whole and in order', async () => {
      // Keep the parties of two agreements, then ask for a page that holds them and others.
      for (const id of agreementIds.slice(1, 3)) await ask(null, PARTIES_BY_TITLE, { id });
      const page = await asking(null, SOME_AGREEMENTS, { first: 8 });
      expect(page.answer.errors).toBeUndefined();
      expect(page.answer).toEqual(await ask(null, SOME_AGREEMENTS, { first: 8 }, uncached.url));
    });

    test('a mutation through the gateway is seen by the next read, and in its own answer', async () => {
      const id = agreementIds[0];
      // Keeps the parties' cities for signed-in callers, with the selection the mutation's answer will ask for.
      const before = await ask(UZ_EDITOR, 'query Cities($id: ID!) { agreement(id: $id) { parties { institution { id city } } } }', { id });
      const party = before.data.agreement.parties[0].institution as { id: string; city: string | null };
      const { data: read } = await ask(UZ_EDITOR, 'query Version($id: ID!) { institution(id: $id) { version } }', { id: party.id });
      const city = `${party.city ?? 'City'} (moved)`;
      // The payload reads the institution back through the agreements subgraph: an entity fetch kept just above.
      const moved = await ask(
        UZ_EDITOR,
        `mutation Move($id: ID!, $v: Int!, $city: String!) { updateInstitution(input: { id: $id, version: $v, city: $city }) {
          institution { id agreements(first: 100) { id parties { institution { id city } } } } } }`,
        { id: party.id, v: read.institution.version, city },
      );
      if (moved.errors?.[0]?.extensions?.code === 'FORBIDDEN') {
        throw new Error(`the first party of ${id} (${party.id}) is not a UZ institution: choose another agreement for this test`);
      }
      expect(moved.errors).toBeUndefined();
      const seenInPayload = moved.data.updateInstitution.institution.agreements
        .flatMap((agreement: { parties: Array<{ institution: { id: string; city: string } }> }) => agreement.parties)
        .filter((p: { institution: { id: string } }) => p.institution.id === party.id);
      expect(seenInPayload.length).toBeGreaterThan(0);
      for (const p of seenInPayload) expect(p.institution.city).toBe(city);

      const after = await asking(UZ_EDITOR, PARTIES_BY_STATUS, { id });
      expect(after.askedInstitutions).toBe(true);
      expect(after.answer.data.agreement.parties[0].institution).toMatchObject({ ...party, city });
    });

    test('anonymous and signed-in callers never share entities', async () => {
      const id = agreementIds[2];
      await ask(null, PARTIES_BY_TITLE, { id });
      expect((await asking(FR_VIEWER, PARTIES_BY_STATUS, { id })).askedInstitutions).toBe(true);
      expect((await asking(FR_VIEWER, PARTIES_BY_TITLE, { id })).askedInstitutions).toBe(false);
    });

    test('entities read through a protected field are never kept', async () => {
      const id = agreementIds[1];
      // A party's people's e-mail addresses are for viewers and editors only: the institutions subgraph answers private.
      const withEmails = (name: string) =>
        `query ${name}($id: ID!) { agreement(id: $id) { ${name === 'EmailsA' ? 'title' : 'status'} parties { institution { id people { email } } } } }`;
      const viewer = await asking(FR_VIEWER, withEmails('EmailsA'), { id });
      expect(viewer.answer.errors).toBeUndefined();
      expect(viewer.askedInstitutions).toBe(true);
      expect((await asking(FR_VIEWER, withEmails('EmailsB'), { id })).askedInstitutions).toBe(true);
      const anonymous = await asking(null, withEmails('EmailsB'), { id });
      expect(anonymous.askedInstitutions).toBe(true);
      expect(anonymous.answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    testWithRedis(
      `two gateway replicas sharing Redis share entities, and a mutation through one is seen through the other${redisUrl ? '' : ' (skipped: REDIS_TEST_URL not set)'}`,
      async () => {
        const keyPrefix = `e2e-entities-${randomUUID()}`;
        const replicas: Gateway[] = [];
        try {
          for (let i = 0; i < 2; i += 1) {
            const replica = await createGateway({
              ...gatewayConfigFromEnv({
                DATA_DIR: federation.dataDir,
                LOG_LEVEL: process.env.LOG_LEVEL,
                REDIS_URL: redisUrl,
                RESPONSE_CACHE_KEY_PREFIX: keyPrefix,
              }),
              subgraphUrlOverride: (name) => federation.urls[name as keyof Federation['urls']],
              rateLimit: { perMinute: 0, keyPrefix },
            });
            await replica.listen(0);
            replicas.push(replica);
          }
          const [one, two] = replicas.map((r) => r.url);
          const id = agreementIds[0];
          expect((await asking(null, PARTIES_BY_TITLE, { id }, one)).askedInstitutions).toBe(true);
          // The other replica finds the entities the first one kept.
          const shared = await asking(null, PARTIES_BY_STATUS, { id }, two);
          expect(shared.askedInstitutions).toBe(false);

          const party = shared.answer.data.agreement.parties[0].institution as { id: string; city: string | null };
          const { data: read } = await ask(UZ_EDITOR, 'query Version($id: ID!) { institution(id: $id) { version } }', { id: party.id }, two);
          const city = `${party.city ?? 'City'} (replica)`;
          const moved = await ask(
            UZ_EDITOR,
            'mutation Move($id: ID!, $v: Int!, $city: String!) { updateInstitution(input: { id: $id, version: $v, city: $city }) { institution { city } } }',
            { id: party.id, v: read.institution.version, city },
            two,
          );
          expect(moved.errors).toBeUndefined();
          const after = await asking(null, PARTIES_BY_TITLE, { id }, one);
          expect(after.askedInstitutions).toBe(true);
          expect(after.answer.data.agreement.parties[0].institution.city).toBe(city);
        } finally {
          for (const replica of replicas) await replica.stop();
        }
      },
      30_000,
    );
  });
}
