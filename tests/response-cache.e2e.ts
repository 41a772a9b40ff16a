import { randomUUID } from 'node:crypto';
import type { Caller } from '@partnership/subgraph-kit';
import { scratchTargets } from '@partnership/subgraph-kit/testing';
import { createGateway, gatewayConfigFromEnv, type Gateway } from '@partnership/gateway';
import { bootFederation, type Federation } from './federation';
import { freePort } from './processes';

const redisUrl = process.env.REDIS_TEST_URL || undefined;
const testWithRedis = redisUrl ? test : test.skip;

const UZ_EDITOR: Caller = { subject: 'uz-editor', partner: 'UZ', roles: ['editor'] };
const FR_VIEWER: Caller = { subject: 'fr-viewer', partner: 'FR', roles: ['viewer'] };
const FR_ANALYST: Caller = { subject: 'fr-analyst', partner: 'FR', roles: ['analyst'] };

const CITY = 'query City { institution(id: "uz-ministry-of-health") { name city version } }';
const UPDATE_CITY =
  'mutation ($v: Int!, $city: String!) { updateInstitution(input: { id: "uz-ministry-of-health", version: $v, city: $city }) { institution { city version } } }';

interface Answer {
  status: number;
  age: string | null;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

// The gateway's answers are read as a client reads them; whether the subgraphs were asked is told by the SQL
// statements the three of them ran.
for (const target of scratchTargets) {
  target.describe('the response cache over the real federation', () => {
    let federation: Federation;
    const statements = () => Object.values(federation.subgraphs).reduce((sum, s) => sum + s.database.statements.count, 0);
    const as = async (caller: Caller | null, query: string, variables?: Record<string, unknown>, url = federation.gatewayUrl): Promise<Answer> => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(caller && { authorization: `Bearer ${await federation.token(caller)}` }) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, age: response.headers.get('age'), body: (await response.json()) as Answer['body'] };
    };
    /** The answer, and whether the subgraphs ran any statement for it. */
    const asking = async (caller: Caller | null, query: string, variables?: Record<string, unknown>, url?: string) => {
      const before = statements();
      const answer = await as(caller, query, variables, url);
      return { ...answer, askedSubgraphs: statements() > before };
    };

    beforeAll(async () => {
      federation = await bootFederation(target);
    });
    afterAll(async () => {
      await federation?.stop();
    });

    test('a public answer is served from the cache, and a mutation through the gateway is visible on the next read', async () => {
      const first = await asking(null, CITY);
      expect(first.body.errors).toBeUndefined();
      expect(first.askedSubgraphs).toBe(true);
      const again = await asking(null, CITY);
      expect(again).toMatchObject({ askedSubgraphs: false, body: first.body });
      expect(again.age).not.toBeNull();

      const { version } = first.body.data.institution;
      const changed = await as(UZ_EDITOR, UPDATE_CITY, { v: version, city: 'Toshkent' });
      expect(changed.body.errors).toBeUndefined();
      const after = await asking(null, CITY);
      expect(after.askedSubgraphs).toBe(true);
      expect(after.body.data.institution).toEqual({ ...first.body.data.institution, city: 'Toshkent', version: version + 1 });
    });

    test('a refused mutation drops nothing from the cache', async () => {
      await as(null, CITY);
      const refused = await as(FR_VIEWER, UPDATE_CITY, { v: 1, city: 'Nowhere' });
      expect(refused.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await asking(null, CITY)).askedSubgraphs).toBe(false);
    });

    test('an answer with a protected field is kept for its caller only; refusals are never kept', async () => {
      const email = `${randomUUID()}@health.uz`;
      const added = await as(
        UZ_EDITOR,
        `mutation ($email: String!) { addPerson(input: { institutionId: "uz-ministry-of-health", fullName: "Cache Witness", email: $email }) { person { id } } }`,
        {
          email,
        },
      );
      expect(added.body.errors).toBeUndefined();
      const PEOPLE = 'query People { institution(id: "uz-ministry-of-health") { people { fullName email } } }';
      const witness = (answer: Answer) => answer.body.data?.institution?.people?.find((p: { fullName: string }) => p.fullName === 'Cache Witness');

      const viewer = await asking(FR_VIEWER, PEOPLE);
      expect(witness(viewer)).toEqual({ fullName: 'Cache Witness', email });
      expect(viewer.askedSubgraphs).toBe(true);
      expect((await asking(FR_VIEWER, PEOPLE)).askedSubgraphs).toBe(false);

      // Another caller with the same right gets the same facts, asked for him, never the viewer's cached answer.
      const editor = await asking(UZ_EDITOR, PEOPLE);
      expect(editor.askedSubgraphs).toBe(true);
      expect(witness(editor)).toEqual({ fullName: 'Cache Witness', email });

      for (const [caller, code] of [
        [null, 'UNAUTHENTICATED'],
        [FR_ANALYST, 'FORBIDDEN'],
      ] as const) {
        for (let i = 0; i < 2; i += 1) {
          const refused = await asking(caller, PEOPLE);
          expect(refused.askedSubgraphs).toBe(true);
          expect(refused.body.errors?.[0].extensions?.code).toBe(code);
          expect(JSON.stringify(refused.body)).not.toContain(email);
        }
      }
    });

    test('anonymous and signed-in callers never share an entry, even for public data', async () => {
      const query = 'query Name { institution(id: "gustave-roussy") { name } }';
      expect((await asking(null, query)).askedSubgraphs).toBe(true);
      expect((await asking(FR_VIEWER, query)).askedSubgraphs).toBe(true);
      expect((await asking(FR_VIEWER, query)).askedSubgraphs).toBe(false);
      expect((await asking(null, query)).askedSubgraphs).toBe(false);
    });

    test('RESPONSE_CACHE=off: every read asks the subgraphs', async () => {
      const uncached = await createGateway({
        ...gatewayConfigFromEnv({ DATA_DIR: federation.dataDir, LOG_LEVEL: process.env.LOG_LEVEL, RESPONSE_CACHE: 'off' }),
        subgraphUrlOverride: (name) => federation.urls[name as keyof Federation['urls']],
      });
      try {
        const url = await uncached.listen(0);
        for (let i = 0; i < 2; i += 1) expect((await asking(null, CITY, undefined, url)).askedSubgraphs).toBe(true);
      } finally {
        await uncached.stop();
      }
    });

    test('with its Redis unreachable, the gateway answers every read from the subgraphs and every mutation', async () => {
      const nobody = await freePort();
      const stranded = await createGateway({
        ...gatewayConfigFromEnv({
          DATA_DIR: federation.dataDir,
          LOG_LEVEL: process.env.LOG_LEVEL,
          REDIS_URL: `redis://127.0.0.1:${nobody}`,
          OPERATION_USAGE: 'off',
        }),
        subgraphUrlOverride: (name) => federation.urls[name as keyof Federation['urls']],
        rateLimit: { perMinute: 0, keyPrefix: 'e2e-stranded' },
      });
      try {
        const url = await stranded.listen(0);
        const answers = [];
        for (let i = 0; i < 2; i += 1) answers.push(await asking(null, CITY, undefined, url));
        for (const answer of answers) expect(answer).toMatchObject({ status: 200, askedSubgraphs: true });
        const { version, city } = answers[1].body.data.institution;
        const changed = await as(UZ_EDITOR, UPDATE_CITY, { v: version, city: `${city}!` }, url);
        expect(changed.body.data.updateInstitution.institution.version).toBe(version + 1);
      } finally {
        await stranded.stop();
      }
    });

    testWithRedis(
      `two gateway replicas sharing Redis share answers and invalidations${redisUrl ? '' : ' (skipped: REDIS_TEST_URL not set)'}`,
      async () => {
        const keyPrefix = `e2e-cache-${randomUUID()}`;
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
          const first = await asking(null, CITY, undefined, one);
          expect(first.askedSubgraphs).toBe(true);
          // The second replica serves what the first one kept.
          expect(await asking(null, CITY, undefined, two)).toMatchObject({ askedSubgraphs: false, body: first.body });

          const { version, city } = first.body.data.institution;
          const newCity = city === 'Tashkent' ? 'Toshkent' : 'Tashkent';
          expect((await as(UZ_EDITOR, UPDATE_CITY, { v: version, city: newCity }, one)).body.errors).toBeUndefined();
          const after = await asking(null, CITY, undefined, two);
          expect(after.askedSubgraphs).toBe(true);
          expect(after.body.data.institution).toMatchObject({ city: newCity, version: version + 1 });
        } finally {
          for (const replica of replicas) await replica.stop();
        }
      },
      30_000,
    );
  });
}
