/**
 * The one plan of synthetic data shared by the three subgraphs, so that a synthetic agreement's parties and a
 * synthetic programme's hosts are synthetic institutions that the institutions subgraph really holds.
 * Every id starts with `synthetic-`; every record is also flagged `synthetic` in its table.
 * Nothing synthetic ever loads by default: only tests, benchmarks and `npm run synthetic` call this.
 */
export interface SyntheticCounts {
  institutions: number;
  peoplePerInstitution: number;
  agreements: number;
  programmes: number;
  cohortsPerProgramme: number;
  traineesPerCohort: number;
}

export const DEFAULT_SYNTHETIC_COUNTS: SyntheticCounts = {
  institutions: 50,
  peoplePerInstitution: 2,
  agreements: 40,
  programmes: 30,
  cohortsPerProgramme: 2,
  traineesPerCohort: 5,
};

export const SYNTHETIC_ID_PREFIX = 'synthetic-';

export function syntheticId(kind: string, index: number): string {
  return `${SYNTHETIC_ID_PREFIX}${kind}-${String(index).padStart(6, '0')}`;
}

const COUNTRIES = ['UZ', 'FR', 'MC'] as const;
const SPECIALTIES = [
  'ONCOLOGY',
  'CARDIOLOGY',
  'SURGERY',
  'EMERGENCY_MEDICINE',
  'BLOOD_TRANSFUSION',
  'REHABILITATION',
  'SOCIAL_WORK',
  'CARDIAC_SURGERY',
] as const;

export interface SyntheticInstitution {
  id: string;
  index: number;
  country: (typeof COUNTRIES)[number];
  specialty: (typeof SPECIALTIES)[number];
}
export interface SyntheticPerson {
  id: string;
  index: number;
  institutionId: string;
}
export interface SyntheticAgreement {
  id: string;
  index: number;
  partyIds: [string, string];
  area: (typeof SPECIALTIES)[number];
}
export interface SyntheticCohort {
  id: string;
  programmeId: string;
  hostInstitutionId: string;
  plannedSize: number;
  traineeIds: string[];
}
export interface SyntheticProgramme {
  id: string;
  index: number;
  agreementId: string | null;
  specialty: (typeof SPECIALTIES)[number];
  cohorts: SyntheticCohort[];
}

export interface SyntheticPlan {
  institutions: SyntheticInstitution[];
  people: SyntheticPerson[];
  agreements: SyntheticAgreement[];
  programmes: SyntheticProgramme[];
}

/** Deterministic: the same counts give the same ids and links in every subgraph. */
export function syntheticPlan(counts: SyntheticCounts): SyntheticPlan {
  for (const [key, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 0 || value > 1_000_000) throw new Error(`${key} must be a whole number from 0 to 1000000 (got ${value})`);
  }
  if (counts.institutions < 2 && (counts.agreements > 0 || counts.programmes > 0)) {
    throw new Error('synthetic agreements and programmes need at least 2 institutions');
  }
  const institutions = range(counts.institutions).map((i) => ({
    id: syntheticId('institution', i),
    index: i,
    country: COUNTRIES[i % COUNTRIES.length],
    specialty: SPECIALTIES[i % SPECIALTIES.length],
  }));
  const people = institutions.flatMap((institution) =>
    range(counts.peoplePerInstitution).map((p) => {
      const index = institution.index * counts.peoplePerInstitution + p;
      return { id: syntheticId('person', index), index, institutionId: institution.id };
    }),
  );
  const agreements = range(counts.agreements).map(
    (i): SyntheticAgreement => ({
      id: syntheticId('agreement', i),
      index: i,
      partyIds: [institutions[i % institutions.length].id, institutions[(i + 1) % institutions.length].id],
      area: SPECIALTIES[i % SPECIALTIES.length],
    }),
  );
  let trainee = 0;
  const programmes = range(counts.programmes).map((i): SyntheticProgramme => {
    const id = syntheticId('programme', i);
    return {
      id,
      index: i,
      agreementId: agreements.length > 0 ? agreements[i % agreements.length].id : null,
      specialty: SPECIALTIES[i % SPECIALTIES.length],
      cohorts: range(counts.cohortsPerProgramme).map((c) => ({
        id: syntheticId('cohort', i * counts.cohortsPerProgramme + c),
        programmeId: id,
        hostInstitutionId: institutions[(i + c) % institutions.length].id,
        plannedSize: counts.traineesPerCohort + 1,
        traineeIds: range(counts.traineesPerCohort).map(() => syntheticId('trainee', trainee++)),
      })),
    };
  });
  return { institutions, people, agreements, programmes };
}

/** Parses `--institutions 100 --agreements 20 ...` into counts, starting from the defaults. */
export function syntheticCountsFromArgs(args: readonly string[]): SyntheticCounts {
  const counts: SyntheticCounts = { ...DEFAULT_SYNTHETIC_COUNTS };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i].replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()) as keyof SyntheticCounts;
    if (!(key in counts))
      throw new Error(
        `unknown option ${args[i]}; known: ${Object.keys(counts)
          .map((k) => `--${k}`)
          .join(' ')}`,
      );
    counts[key] = Number(args[i + 1]);
  }
  return counts;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_v, i) => i);
}

/** `npm run synthetic` options to counts and plan, for the kit's `runSyntheticCli`. */
export function syntheticPlanFromArgs(args: readonly string[]): { counts: SyntheticCounts; plan: SyntheticPlan } {
  const counts = syntheticCountsFromArgs(args);
  return { counts, plan: syntheticPlan(counts) };
}
