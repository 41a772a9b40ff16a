import {
  firstOwnedRecordsLoader,
  firstPerOwnerLoader,
  OWNER_COLUMN,
  ownedRecords,
  parsePartialDate,
  placeholders,
  plainRows,
  readRows,
  recordLoader,
  relationLoader,
  type Database,
  type PlainRows,
  type RequestContext,
} from '@partnership/subgraph-kit';
import type { DataSource } from 'typeorm';
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
  const programmes = plainRows(dataSource, TrainingProgram);
  const hosts = plainRows(dataSource, TrainingProgramHost);
  const cohorts = plainRows(dataSource, Cohort);
  const trainees = plainRows(dataSource, Trainee);
  const placements = plainRows(dataSource, Placement);
  return {
    program: recordLoader(
      (ids) => programmes.whereIn('id', ids),
      (p) => p.id,
    ),
    cohort: recordLoader(
      (ids) => cohorts.whereIn('id', ids),
      (c) => c.id,
    ),
    trainee: recordLoader(
      (ids) => trainees.whereIn('id', ids),
      (t) => t.id,
    ),
    hostsOfProgram: relationLoader(
      (ids) => hosts.whereIn('programId', ids, ['institutionId']),
      (h) => h.programId,
      LIST_BOUNDS.hosts,
    ),
    /** The first `first` programmes an institution hosts, by programme id. */
    programmesHostedBy: firstOwnedRecordsLoader(
      { entity: TrainingProgramHost, owner: 'institutionId', value: 'programId', orderBy: ['programId'] },
      programmes,
    ),
    /** The first `first` programmes an agreement provides for, by id. */
    programmesOfAgreement: firstOwnedRecordsLoader({ entity: TrainingProgram, owner: 'agreementId', value: 'id', orderBy: ['id'] }, programmes),
    cohortsOfProgram: relationLoader(
      async (ids) => earliestFirst(await cohorts.whereIn('programId', ids, ['id'])),
      (c) => c.programId,
      LIST_BOUNDS.cohorts,
    ),
    /** The first `first` placements of a cohort, by id. */
    placementsOfCohort: firstOwnedRecordsLoader({ entity: Placement, owner: 'cohortId', value: 'id', orderBy: ['id'] }, placements),
    /** The first `first` placements in cohorts an institution hosts, by id. */
    placementsHostedBy: firstPerOwnerLoader((ids, limit) => placementsPerHost(placements, ids, limit)),
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

/** Like `firstRecordsOfOwners`, through the cohort that says which institution hosts a placement: one statement. */
async function placementsPerHost(
  placements: PlainRows<Placement>,
  hostIds: readonly string[],
  limit: number,
): Promise<Array<{ owner: string; record: Placement }>> {
  if (hostIds.length === 0 || limit === 0) return [];
  const sql =
    `SELECT ${placements.selectList('r')}, ranked.owner_id AS ${OWNER_COLUMN} FROM (` +
    'SELECT c.host_institution_id AS owner_id, p.id AS row_value, ROW_NUMBER() OVER (PARTITION BY c.host_institution_id ORDER BY p.id) AS owner_rank ' +
    `FROM placement p INNER JOIN cohort c ON c.id = p.cohort_id WHERE c.host_institution_id IN (${placeholders(hostIds.length)})` +
    ') ranked JOIN placement r ON r.id = ranked.row_value WHERE ranked.owner_rank <= ? ORDER BY ranked.owner_rank';
  return ownedRecords(await readRows(placements.dataSource, sql, [...hostIds, limit]), placements);
}

/**
 * Planned places, enrolled and completed trainees of each programme: one statement per batch, the two GROUP BYs
 * (cohorts; placements through their cohorts) as one UNION ALL whose `part` says which a row comes from.
 */
async function progressCounts(dataSource: DataSource, ids: readonly string[]): Promise<Array<ProgressCounts & { programId: string }>> {
  const inIds = placeholders(ids.length);
  const rows = (await readRows(
    dataSource,
    `SELECT 'planned' AS part, c.program_id AS programId, SUM(c.planned_size) AS planned, NULL AS enrolled, NULL AS completed
       FROM cohort c WHERE c.program_id IN (${inIds}) GROUP BY c.program_id
     UNION ALL
     SELECT 'placed' AS part, c.program_id AS programId, NULL AS planned,
            SUM(CASE WHEN p.status <> 'WITHDRAWN' THEN 1 ELSE 0 END) AS enrolled, SUM(CASE WHEN p.status = 'COMPLETED' THEN 1 ELSE 0 END) AS completed
       FROM placement p INNER JOIN cohort c ON c.id = p.cohort_id WHERE c.program_id IN (${inIds}) GROUP BY c.program_id`,
    [...ids, ...ids],
  )) as Array<{
    part: 'planned' | 'placed';
    programId: string;
    planned: string | number | null;
    enrolled: string | number | null;
    completed: string | number | null;
  }>;
  // MySQL returns SUM as a decimal string; programmes without cohorts or placements count zero.
  const counts = new Map(ids.map((id) => [id, { programId: id, planned: 0, enrolled: 0, completed: 0 }]));
  for (const row of rows) {
    const entry = counts.get(row.programId);
    if (entry === undefined) continue;
    if (row.part === 'planned') entry.planned = Number(row.planned ?? 0);
    else Object.assign(entry, { enrolled: Number(row.enrolled ?? 0), completed: Number(row.completed ?? 0) });
  }
  return [...counts.values()];
}

export function createContext(database: Database, now: () => Date = () => new Date()): Omit<TrainingContext, keyof RequestContext> {
  return { database, loaders: createLoaders(database), now };
}
