import { parsePartialDate, recordLoader, relationLoader, type Database, type RequestContext } from '@partnership/subgraph-kit';
import { In, type DataSource } from 'typeorm';
import { Cohort, Placement, Trainee, TrainingProgram, TrainingProgramHost } from './entities';
import type { ProgressCounts } from './progress';

/** Per-request state: fresh DataLoaders (each batch is a constant number of queries) and the clock. */
export interface TrainingContext extends RequestContext {
  database: Database;
  loaders: ReturnType<typeof createLoaders>;
  /** The current time; progress measures `onTrack` against it. Tests fix it. */
  now: () => Date;
}

function createLoaders({ dataSource }: Database) {
  const programmes = dataSource.getRepository(TrainingProgram);
  const hosts = dataSource.getRepository(TrainingProgramHost);
  const cohorts = dataSource.getRepository(Cohort);
  const trainees = dataSource.getRepository(Trainee);
  const placements = dataSource.getRepository(Placement);
  return {
    program: recordLoader((ids) => programmes.findBy({ id: In([...ids]) }), (p) => p.id),
    cohort: recordLoader((ids) => cohorts.findBy({ id: In([...ids]) }), (c) => c.id),
    trainee: recordLoader((ids) => trainees.findBy({ id: In([...ids]) }), (t) => t.id),
    hostsOfProgram: relationLoader(
      (ids) => hosts.find({ where: { programId: In([...ids]) }, order: { institutionId: 'ASC' } }),
      (h) => h.programId,
    ),
    programmesHostedBy: relationLoader(
      (ids) => hosts.find({ where: { institutionId: In([...ids]) }, order: { programId: 'ASC' } }),
      (h) => h.institutionId,
    ),
    programmesOfAgreement: relationLoader(
      (ids) => programmes.find({ where: { agreementId: In([...ids]) }, order: { id: 'ASC' } }),
      (p) => p.agreementId ?? '',
    ),
    cohortsOfProgram: relationLoader(
      async (ids) => earliestFirst(await cohorts.find({ where: { programId: In([...ids]) }, order: { id: 'ASC' } })),
      (c) => c.programId,
    ),
    cohortsHostedBy: relationLoader(
      (ids) => cohorts.find({ where: { hostInstitutionId: In([...ids]) }, order: { id: 'ASC' } }),
      (c) => c.hostInstitutionId,
    ),
    placementsOfCohort: relationLoader(
      (ids) => placements.find({ where: { cohortId: In([...ids]) }, order: { id: 'ASC' } }),
      (p) => p.cohortId,
    ),
    // Counted afresh on every request, so a placement written a moment ago shows at once.
    progressCounts: recordLoader((ids) => progressCounts(dataSource, ids), (c) => c.programId),
  };
}

// Canonical partial dates do not sort as strings ("2026-Q1" after "2026-03"): compare their first day; unknown last.
function earliestFirst(rows: Cohort[]): Cohort[] {
  const firstDay = (c: Cohort) => (c.startsOn ? parsePartialDate(c.startsOn).earliest : '9999-12-31');
  return [...rows].sort((a, b) => firstDay(a).localeCompare(firstDay(b)) || a.id.localeCompare(b.id));
}

/** Planned places, enrolled and completed trainees of each programme: two GROUP BY statements per batch. */
async function progressCounts(dataSource: DataSource, ids: readonly string[]): Promise<Array<ProgressCounts & { programId: string }>> {
  const planned = (await dataSource
    .createQueryBuilder()
    .select('c.program_id', 'programId')
    .addSelect('SUM(c.planned_size)', 'planned')
    .from(Cohort, 'c')
    .where('c.program_id IN (:...ids)', { ids })
    .groupBy('c.program_id')
    .getRawMany()) as Array<{ programId: string; planned: string | number | null }>;
  const placed = (await dataSource
    .createQueryBuilder()
    .select('c.program_id', 'programId')
    .addSelect("SUM(CASE WHEN p.status <> 'WITHDRAWN' THEN 1 ELSE 0 END)", 'enrolled')
    .addSelect("SUM(CASE WHEN p.status = 'COMPLETED' THEN 1 ELSE 0 END)", 'completed')
    .from(Placement, 'p')
    .innerJoin(Cohort, 'c', 'c.id = p.cohort_id')
    .where('c.program_id IN (:...ids)', { ids })
    .groupBy('c.program_id')
    .getRawMany()) as Array<{ programId: string; enrolled: string | number | null; completed: string | number | null }>;
  // MySQL returns SUM as a decimal string; programmes without cohorts or placements count zero.
  const counts = new Map(ids.map((id) => [id, { programId: id, planned: 0, enrolled: 0, completed: 0 }]));
  for (const row of planned) {
    const entry = counts.get(row.programId);
    if (entry) entry.planned = Number(row.planned ?? 0);
  }
  for (const row of placed) {
    const entry = counts.get(row.programId);
    if (entry) Object.assign(entry, { enrolled: Number(row.enrolled ?? 0), completed: Number(row.completed ?? 0) });
  }
  return [...counts.values()];
}

export function createContext(database: Database, now: () => Date = () => new Date()): Omit<TrainingContext, keyof RequestContext> {
  return { database, loaders: createLoaders(database), now };
}
