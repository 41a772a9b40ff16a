import {
  firstPerOwnerLoader,
  firstRecordsPerOwnerLoader,
  parsePartialDate,
  recordLoader,
  recordsOfPairs,
  relationLoader,
  type Database,
  type RequestContext,
} from '@partnership/subgraph-kit';
import { In, type DataSource } from 'typeorm';
import { Cohort, Placement, Trainee, TrainingProgram, TrainingProgramHost } from './entities';
import { LIMITS } from './mutations/input';
import type { ProgressCounts } from './progress';

/** The documented maximum of a programme's lists (their `@listSize` in schema.graphql), enforced by the mutations. */
export const LIST_BOUNDS = { hosts: LIMITS.hosts, cohorts: LIMITS.cohorts } as const;

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
    program: recordLoader(
      (ids) => programmes.findBy({ id: In([...ids]) }),
      (p) => p.id,
    ),
    cohort: recordLoader(
      (ids) => cohorts.findBy({ id: In([...ids]) }),
      (c) => c.id,
    ),
    trainee: recordLoader(
      (ids) => trainees.findBy({ id: In([...ids]) }),
      (t) => t.id,
    ),
    hostsOfProgram: relationLoader(
      (ids) => hosts.find({ where: { programId: In([...ids]) }, order: { institutionId: 'ASC' } }),
      (h) => h.programId,
      LIST_BOUNDS.hosts,
    ),
    /** The first `first` programmes an institution hosts, by programme id. */
    programmesHostedBy: firstRecordsPerOwnerLoader(
      dataSource,
      { entity: TrainingProgramHost, owner: 'institutionId', value: 'programId', orderBy: ['programId'] },
      (found) => programmes.findBy({ id: In(found) }),
    ),
    /** The first `first` programmes an agreement provides for, by id. */
    programmesOfAgreement: firstRecordsPerOwnerLoader(dataSource, { entity: TrainingProgram, owner: 'agreementId', value: 'id', orderBy: ['id'] }, (found) =>
      programmes.findBy({ id: In(found) }),
    ),
    cohortsOfProgram: relationLoader(
      async (ids) => earliestFirst(await cohorts.find({ where: { programId: In([...ids]) }, order: { id: 'ASC' } })),
      (c) => c.programId,
      LIST_BOUNDS.cohorts,
    ),
    /** The first `first` placements of a cohort, by id. */
    placementsOfCohort: firstRecordsPerOwnerLoader(dataSource, { entity: Placement, owner: 'cohortId', value: 'id', orderBy: ['id'] }, (found) =>
      placements.findBy({ id: In(found) }),
    ),
    /** The first `first` placements in cohorts an institution hosts, by id. */
    placementsHostedBy: firstPerOwnerLoader(async (ids, limit) =>
      recordsOfPairs(await placementsPerHost(dataSource, ids, limit), (found) => placements.findBy({ id: In(found) })),
    ),
    // Counted afresh on every request, so a placement written a moment ago shows at once.
    progressCounts: recordLoader(
      (ids) => progressCounts(dataSource, ids),
      (c) => c.programId,
    ),
  };
}

// Canonical partial dates do not sort as strings ("2026-Q1" after "2026-03"): compare their first day; unknown last.
function earliestFirst(rows: Cohort[]): Cohort[] {
  const firstDay = (c: Cohort) => (c.startsOn ? parsePartialDate(c.startsOn).earliest : '9999-12-31');
  return [...rows].sort((a, b) => firstDay(a).localeCompare(firstDay(b)) || a.id.localeCompare(b.id));
}

/** Like `firstRowsPerOwner`, through the cohort that says which institution hosts a placement: one statement. */
async function placementsPerHost(dataSource: DataSource, hostIds: readonly string[], limit: number): Promise<Array<{ owner: string; value: string }>> {
  if (hostIds.length === 0 || limit === 0) return [];
  const ranked = dataSource
    .createQueryBuilder()
    .select('c.host_institution_id', 'owner_id')
    .addSelect('p.id', 'row_value')
    .addSelect('ROW_NUMBER() OVER (PARTITION BY c.host_institution_id ORDER BY p.id)', 'owner_rank')
    .from(Placement, 'p')
    .innerJoin(Cohort, 'c', 'c.id = p.cohort_id')
    .where('c.host_institution_id IN (:...hostIds)', { hostIds });
  const rows = (await dataSource
    .createQueryBuilder()
    .select('ranked.owner_id', 'owner_id')
    .addSelect('ranked.row_value', 'row_value')
    .from(`(${ranked.getQuery()})`, 'ranked')
    .where('ranked.owner_rank <= :limit', { limit })
    .orderBy('ranked.owner_rank')
    .setParameters(ranked.getParameters())
    .getRawMany()) as Array<{ owner_id: string; row_value: string }>;
  return rows.map((row) => ({ owner: row.owner_id, value: row.row_value }));
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
