import type { Caller } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { bootFederation, type Federation } from './federation';

const ROWS = 300;
const MC_EDITOR: Caller = { subject: 'mc-editor', partner: 'MC', roles: ['editor'] };
const FR_EDITOR: Caller = { subject: 'fr-editor', partner: 'FR', roles: ['editor'] };
const UZ_EDITOR: Caller = { subject: 'uz-editor', partner: 'UZ', roles: ['editor'] };

// The query of the attack report: each level multiplies by the number of agreements of an institution and the number of
// parties of an agreement. Before every list was bounded it was estimated at ~22,000 and took the agreements subgraph
// from 139 MB to 1.29 GB once an editor had made 300 agreements.
const AMPLIFICATION = `{ institution(id: "gustave-roussy") { agreements { parties { institution { agreements { parties { institution { name } } } } } } } }`;

async function healthAnswersWithin(url: string): Promise<number> {
  const started = Date.now();
  const response = await fetch(url.replace(/\/graphql$/, '/health/live'), { signal: AbortSignal.timeout(5_000) });
  expect(response.ok).toBe(true);
  return Date.now() - started;
}

for (const target of scratchTargets) {
  target.describe('hostile queries against the federation', () => {
    let federation: Federation;
    const as = async (caller: Caller | null, query: string, variables?: Record<string, unknown>) =>
      postGraphQL<any>(
        federation.gatewayUrl,
        query,
        variables,
        caller === null ? {} : { headers: { authorization: `Bearer ${await federation.token(caller)}` } },
      );
    const statements = () => federation.subgraphs.agreements.database.statements.count;
    const count = async (subgraph: keyof Federation['subgraphs'], sql: string) => {
      const [row] = await federation.subgraphs[subgraph].database.dataSource.query(sql);
      return Number(row.n);
    };

    beforeAll(async () => {
      federation = await bootFederation(target);
      // 300 agreements between Gustave Roussy and the Uzbek ministry, as an editor could make them.
      const { dataSource } = federation.subgraphs.agreements.database;
      const ids = Array.from({ length: ROWS }, (_v, i) => `synthetic-amplifier-${String(i).padStart(3, '0')}`);
      await dataSource.query(
        `INSERT INTO agreement (id, title, kind, status, synthetic) VALUES ${ids.map(() => "(?, 'Generated', 'COOPERATION_AGREEMENT', 'PROPOSED', 1)").join(', ')}`,
        ids,
      );
      const parties = ids.flatMap((id) => [
        [id, 'gustave-roussy', 'FR', 0],
        [id, 'uz-ministry-of-health', 'UZ', 1],
      ]);
      await dataSource.query(
        `INSERT INTO agreement_party (agreement_id, institution_id, country, position) VALUES ${parties.map(() => '(?, ?, ?, ?)').join(', ')}`,
        parties.flat(),
      );
    });
    afterAll(async () => {
      await federation?.stop();
    });

    test('the amplification query is refused by its estimated cost before any subgraph does work', async () => {
      const before = statements();
      const { status, body } = await postGraphQL<any>(federation.gatewayUrl, AMPLIFICATION);
      expect(status).toBe(400);
      expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'cost' });
      expect(body.errors[0].extensions.actual).toBeGreaterThan(1_000_000);
      expect(statements()).toBe(before);
    });

    test('a list that grows with the data returns a bounded page: 20 by default, `first` up to 100, 101 refused', async () => {
      const page = async (first?: number) =>
        as(null, `query ($first: Int) { institution(id: "gustave-roussy") { agreements(first: $first) { id } } }`, first === undefined ? {} : { first });
      expect((await page()).body.data.institution.agreements).toHaveLength(20);
      expect((await page(100)).body.data.institution.agreements).toHaveLength(100);
      const refused = await page(101);
      expect(refused.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(refused.body.errors[0].message).toMatch(/first must be an integer from 0 to 100/);
    });

    test('the heaviest query the cost limit admits keeps the subgraph small and answering', async () => {
      // 100 agreements × 50 parties × 5 agreements: under the limit of 100,000.
      const heavy = `{ institution(id: "gustave-roussy") { agreements(first: 100) { id parties { role institution { agreements(first: 5) { id title } } } } } }`;
      const heapBefore = process.memoryUsage().heapUsed;
      const before = statements();
      const requests = Promise.all([1, 2, 3].map(() => postGraphQL<any>(federation.gatewayUrl, heavy)));
      const healthTimes: number[] = [];
      let done = false;
      void requests.finally(() => {
        done = true;
      });
      while (!done) {
        healthTimes.push(await healthAnswersWithin(federation.subgraphs.agreements.url));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const answers = await requests;
      for (const { status, body } of answers) {
        expect(status).toBe(200);
        expect(body.errors).toBeUndefined();
        expect(body.data.institution.agreements).toHaveLength(100);
        expect(body.data.institution.agreements[0].parties[0].institution.agreements).toHaveLength(5);
      }
      expect(Math.max(...healthTimes)).toBeLessThan(1_000);
      // Batched: a handful of statements per request and level, never one per agreement.
      expect(statements() - before).toBeLessThan(3 * 12);
      // All three in one process with the gateway and the other subgraphs: far below the 1.1 GB of the attack.
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(300 * 1024 * 1024);
    });

    test('a signed _entities call with 15,000 representations is refused without exhausting the subgraph', async () => {
      const representations = Array.from({ length: 15_000 }, (_v, i) => ({
        __typename: 'Institution',
        id: i % 2 === 0 ? 'gustave-roussy' : 'uz-ministry-of-health',
      }));
      const { status, body } = await postGraphQL<any>(
        federation.subgraphs.agreements.url,
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Institution { agreements(first: 100) { parties { role } } } } }',
        { r: representations },
      );
      expect(status).toBe(400);
      expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(await healthAnswersWithin(federation.subgraphs.agreements.url)).toBeLessThan(1_000);
    });

    describe('ids in another case are other ids: nothing is stored under them', () => {
      test('reads find nothing under a wrong-case id', async () => {
        const { body } = await as(
          null,
          `{ institution(id: "GUSTAVE-ROUSSY") { id } agreements(filter: { party: "GUSTAVE-ROUSSY" }) { totalCount } trainingProgram(id: "Surgeons-100-by-2030") { id } }`,
        );
        expect(body.errors).toBeUndefined();
        expect(body.data).toEqual({ institution: null, agreements: { totalCount: 0 }, trainingProgram: null });
      });

      test('scheduleCohort for "CARDIOLOGY-EXCHANGE-MONACO" is refused up front; no cohort, no audit entry; totals agree with the lists', async () => {
        const cohorts = await count('training', 'SELECT COUNT(*) AS n FROM cohort');
        const audits = await count('training', 'SELECT COUNT(*) AS n FROM audit_entry');
        const { body } = await as(MC_EDITOR, `mutation ($input: ScheduleCohortInput!) { scheduleCohort(input: $input) { cohort { id } } }`, {
          input: { programId: 'CARDIOLOGY-EXCHANGE-MONACO', hostInstitutionId: 'monaco-cardiothoracic-center', startsOn: '2026-09', plannedSize: 2 },
        });
        expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
        expect(body.errors[0].message).toMatch(/CARDIOLOGY-EXCHANGE-MONACO/);
        expect(await count('training', 'SELECT COUNT(*) AS n FROM cohort')).toBe(cohorts);
        expect(await count('training', 'SELECT COUNT(*) AS n FROM audit_entry')).toBe(audits);
        const { body: programme } = await as(null, `{ trainingProgram(id: "cardiology-exchange-monaco") { cohorts { plannedSize } progress { planned } } }`);
        const listed = programme.data.trainingProgram.cohorts.reduce((sum: number, c: { plannedSize: number | null }) => sum + (c.plannedSize ?? 0), 0);
        expect(programme.data.trainingProgram.progress.planned).toBe(listed);
      });

      test('a person, a unit and an agreement that refer to an institution in another case are refused', async () => {
        const people = await count('institutions', 'SELECT COUNT(*) AS n FROM person');
        const addPerson = await as(FR_EDITOR, `mutation { addPerson(input: { institutionId: "Gustave-Roussy", fullName: "Wrong Case" }) { person { id } } }`);
        expect(addPerson.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
        expect(await count('institutions', 'SELECT COUNT(*) AS n FROM person')).toBe(people);

        const unit = await as(
          UZ_EDITOR,
          `mutation { createInstitution(input: { name: "Wrong-case unit", kind: HOSPITAL, country: UZ, partOfId: "UZ-MINISTRY-OF-HEALTH" }) { institution { id } } }`,
        );
        expect(unit.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');

        const agreements = await count('agreements', 'SELECT COUNT(*) AS n FROM agreement');
        const agreement = await as(
          FR_EDITOR,
          `mutation { createAgreement(input: { title: "Wrong case", kind: COOPERATION_AGREEMENT, eventId: "French-Healthcare-Business-Forum-2026",
            parties: [{ institutionId: "gustave-roussy" }, { institutionId: "UZ-MINISTRY-OF-HEALTH" }] }) { agreement { id } } }`,
        );
        expect(agreement.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
        expect(await count('agreements', 'SELECT COUNT(*) AS n FROM agreement')).toBe(agreements);
      });
    });
  });
}
