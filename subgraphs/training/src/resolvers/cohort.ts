import { partialDateOrNull } from '@partnership/subgraph-kit';
import type { TrainingContext } from '../context';
import type { Cohort as CohortRow } from '../entities';
import { institutionReference } from './references';

export const Cohort = {
  program: (cohort: CohortRow, _: unknown, { loaders }: TrainingContext) => loaders.program.load(cohort.programId),
  hostInstitution: (cohort: CohortRow) => institutionReference(cohort.hostInstitutionId),
  startsOn: (cohort: CohortRow) => partialDateOrNull(cohort.startsOn, cohort.startsOnLabel),
  placements: (cohort: CohortRow, { first }: { first?: number | null }, { loaders }: TrainingContext) => loaders.placementsOfCohort(first).load(cohort.id),
};
