import type { Caller } from '@partnership/subgraph-kit';
import { postGraphQL, scratchTargets } from '@partnership/subgraph-kit/testing';
import { bootFederation, type Federation } from './federation';

const UZ_EDITOR: Caller = { subject: 'uz-editor', partner: 'UZ', roles: ['editor'] };
const FR_EDITOR: Caller = { subject: 'fr-editor', partner: 'FR', roles: ['editor'] };
const FR_VIEWER: Caller = { subject: 'fr-viewer', partner: 'FR', roles: ['viewer'] };
const ADMIN: Caller = { subject: 'secretariat-admin', partner: 'FR', roles: ['admin'] };

const ENROL = `mutation Enrol($input: EnrollTraineeInput!) { enrollTrainee(input: $input) { placement { id status } } }`;

// Partner IT writing through the one endpoint: bursts of concurrent mutations with tokens of different partners and
// roles, then the rows counted in each subgraph's own database.
for (const target of scratchTargets) {
  target.describe('mutations through the gateway', () => {
    let federation: Federation;
    const as = async (caller: Caller | null, query: string, variables?: Record<string, unknown>) =>
      postGraphQL<any>(
        federation.gatewayUrl,
        query,
        variables,
        caller === null ? {} : { headers: { authorization: `Bearer ${await federation.token(caller)}` } },
      );
    const count = async (subgraph: keyof Federation['subgraphs'], table: string) => {
      const [row] = await federation.subgraphs[subgraph].database.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
      return Number(row.n);
    };

    beforeAll(async () => {
      federation = await bootFederation(target);
    });
    afterAll(async () => {
      await federation?.stop();
    });

    test('20 concurrent enrolments of mixed callers into the cohort of five: five placements, every other one refused with its reason', async () => {
      const callers = Array.from({ length: 20 }, (_v, i) => [UZ_EDITOR, UZ_EDITOR, FR_EDITOR, FR_VIEWER, null][i % 5]);
      const results = await Promise.all(
        callers.map((caller, i) =>
          as(caller, ENROL, {
            input: { cohortId: 'surgeons-2026-03-paul-strauss', fullName: `Burst Trainee ${i}`, homeInstitutionId: 'vakhidov-surgery-center' },
          }),
        ),
      );
      const codes = results.map((r) => r.body.errors?.[0]?.extensions?.code ?? 'OK');
      // Only UZ editors own an enrolment from an Uzbek institution: 8 of them asked for 5 places.
      callers.forEach((caller, i) => {
        if (caller === null) expect(codes[i]).toBe('UNAUTHENTICATED');
        else if (caller !== UZ_EDITOR) expect(codes[i]).toBe('FORBIDDEN');
      });
      expect(codes.filter((c) => c === 'OK')).toHaveLength(5);
      const full = results.filter((r, i) => callers[i] === UZ_EDITOR && r.body.errors);
      expect(full).toHaveLength(3);
      for (const r of full)
        expect(r.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.cohortId' }, message: expect.stringMatching(/full/) });
      expect(await count('training', 'placement')).toBe(5);
      expect(await count('training', 'trainee')).toBe(5);

      const { body } = await as(
        FR_VIEWER,
        '{ trainingProgram(id: "surgeons-100-by-2030") { progress { planned enrolled remaining } cohorts { placements { trainee { fullName } } } } }',
      );
      expect(body.data.trainingProgram.progress).toEqual({ planned: 5, enrolled: 5, remaining: 100 });
      expect(body.data.trainingProgram.cohorts[0].placements).toHaveLength(5);
    });

    test('a retried enrolment with the same idempotency key writes once', async () => {
      await as(
        UZ_EDITOR,
        `mutation { scheduleCohort(input: { programId: "surgeons-100-by-2030", hostInstitutionId: "paul-strauss-center", startsOn: "2026-09", plannedSize: 5 }) { cohort { id } } }`,
      ).then(async (r) => {
        // The host's partner (FR) schedules cohorts at the Paul Strauss Center; a UZ editor may not.
        expect(r.body.errors[0].extensions.code).toBe('FORBIDDEN');
      });
      const scheduled = await as(
        FR_EDITOR,
        `mutation { scheduleCohort(input: { programId: "surgeons-100-by-2030", hostInstitutionId: "paul-strauss-center", startsOn: "2026-09", startsOnLabel: "September 2026", plannedSize: 5 }) { cohort { id } } }`,
      );
      expect(scheduled.body.errors).toBeUndefined();
      const cohortId = scheduled.body.data.scheduleCohort.cohort.id;
      const before = await count('training', 'placement');
      const input = { cohortId, fullName: 'Retried Trainee', homeInstitutionId: 'national-medical-center', idempotencyKey: 'uz-moh-2026-001' };
      const answers = await Promise.all(Array.from({ length: 5 }, () => as(UZ_EDITOR, ENROL, { input })));
      expect(answers.every((a) => a.body.errors === undefined)).toBe(true);
      expect(new Set(answers.map((a) => a.body.data.enrollTrainee.placement.id)).size).toBe(1);
      expect(await count('training', 'placement')).toBe(before + 1);
    });

    test('references are checked with the subgraph that owns them: a party that does not exist is refused, nothing written', async () => {
      const agreementsBefore = await count('agreements', 'agreement');
      const { body } = await as(
        UZ_EDITOR,
        `mutation { createAgreement(input: { title: "Cooperation in nuclear medicine", kind: COOPERATION_AGREEMENT, areas: [ONCOLOGY],
        parties: [{ institutionId: "uz-ministry-of-health", role: "Uzbek party" }, { institutionId: "no-such-hospital" }] }) { agreement { id } } }`,
      );
      expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.parties[1].institutionId' });
      expect(await count('agreements', 'agreement')).toBe(agreementsBefore);

      const created = await as(
        UZ_EDITOR,
        `mutation { createAgreement(input: { title: "Cooperation in nuclear medicine", kind: COOPERATION_AGREEMENT, areas: [ONCOLOGY],
        parties: [{ institutionId: "uz-ministry-of-health", role: "Uzbek party" }, { institutionId: "gustave-roussy", role: "French partner" }] }) { agreement { id status version parties { institution { name country } } } } }`,
      );
      expect(created.body.errors).toBeUndefined();
      expect(created.body.data.createAgreement.agreement).toMatchObject({
        status: 'PROPOSED',
        version: 1,
        parties: [
          { institution: { name: 'Ministry of Health of the Republic of Uzbekistan', country: 'UZ' } },
          { institution: { name: 'Gustave Roussy', country: 'FR' } },
        ],
      });
      expect(await count('agreements', 'agreement')).toBe(agreementsBefore + 1);
    });

    test("a partner cannot change another partner's records; the owner can, and a stale version is a CONFLICT", async () => {
      const update = (caller: Caller, version: number) =>
        as(
          caller,
          `mutation ($v: Int!) { updateInstitution(input: { id: "uz-ministry-of-health", version: $v, city: "Toshkent" }) { institution { city version } } }`,
          { v: version },
        );
      expect((await update(FR_EDITOR, 1)).body.errors[0].extensions.code).toBe('FORBIDDEN');
      const [uz, stale] = [await update(UZ_EDITOR, 1), await update(UZ_EDITOR, 1)];
      expect(uz.body.data.updateInstitution.institution).toEqual({ city: 'Toshkent', version: 2 });
      expect(stale.body.errors[0].extensions.code).toBe('CONFLICT');

      const trail = await as(
        ADMIN,
        '{ institutionsAuditTrail(recordId: "uz-ministry-of-health") { totalCount nodes { subject partner mutation before after } } }',
      );
      expect(trail.body.data.institutionsAuditTrail.totalCount).toBe(1);
      expect(trail.body.data.institutionsAuditTrail.nodes[0]).toMatchObject({ subject: 'uz-editor', partner: 'UZ', mutation: 'updateInstitution' });
      expect(JSON.parse(trail.body.data.institutionsAuditTrail.nodes[0].after).city).toBe('Toshkent');
      const denied = await as(FR_VIEWER, '{ institutionsAuditTrail { totalCount } }');
      expect(denied.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });
  });
}
