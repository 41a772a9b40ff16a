import { syntheticCountsFromArgs, syntheticPlan, DEFAULT_SYNTHETIC_COUNTS } from '../src/synthetic-plan';

describe('syntheticPlan', () => {
  const counts = { institutions: 10, peoplePerInstitution: 2, agreements: 7, programmes: 5, cohortsPerProgramme: 3, traineesPerCohort: 4 };

  test('is deterministic, so every subgraph derives the same ids and links', () => {
    expect(syntheticPlan(counts)).toEqual(syntheticPlan(counts));
  });

  test('links only to records of the plan, all marked synthetic by id', () => {
    const plan = syntheticPlan(counts);
    const institutions = new Set(plan.institutions.map((i) => i.id));
    expect(plan.people).toHaveLength(20);
    expect(plan.agreements.flatMap((a) => a.partyIds).every((id) => institutions.has(id))).toBe(true);
    const cohorts = plan.programmes.flatMap((p) => p.cohorts);
    expect(cohorts).toHaveLength(15);
    expect(cohorts.every((c) => institutions.has(c.hostInstitutionId) && c.traineeIds.length === 4 && c.plannedSize >= 4)).toBe(true);
    const ids = [...plan.institutions, ...plan.people, ...plan.agreements, ...plan.programmes, ...cohorts].map((r) => r.id);
    expect(ids.every((id) => id.startsWith('synthetic-'))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('refuses impossible counts', () => {
    expect(() => syntheticPlan({ ...counts, institutions: -1 })).toThrow(/institutions must be a whole number/);
    expect(() => syntheticPlan({ ...counts, institutions: 1 })).toThrow(/at least 2 institutions/);
  });

  test('reads counts from command-line options', () => {
    expect(syntheticCountsFromArgs(['--institutions', '500', '--trainees-per-cohort', '3'])).toEqual({
      ...DEFAULT_SYNTHETIC_COUNTS,
      institutions: 500,
      traineesPerCohort: 3,
    });
    expect(() => syntheticCountsFromArgs(['--colour', '1'])).toThrow(/unknown option --colour/);
  });
});
