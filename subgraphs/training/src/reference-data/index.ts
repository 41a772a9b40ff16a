import type { ReferenceTable } from '@partnership/subgraph-kit';
import { Cohort, TrainingProgram, TrainingProgramHost } from '../entities';
import { referenceCohorts, referenceProgrammes } from './programmes';

/** The article's programmes, their hosts and cohorts as table rows, parents first. */
export function referenceTables(): ReferenceTable[] {
  const programmes: ReferenceTable<TrainingProgram> = {
    entity: TrainingProgram,
    key: ['id'],
    rows: referenceProgrammes.map(({ hostInstitutionIds: _hosts, ...programme }) => ({ ...programme, synthetic: false })),
  };
  const hosts: ReferenceTable<TrainingProgramHost> = {
    entity: TrainingProgramHost,
    key: ['programId', 'institutionId'],
    rows: referenceProgrammes.flatMap((p) => p.hostInstitutionIds.map((institutionId) => ({ programId: p.id, institutionId }))),
  };
  const cohorts: ReferenceTable<Cohort> = {
    entity: Cohort,
    key: ['id'],
    rows: referenceCohorts.map((cohort) => ({ ...cohort, synthetic: false })),
  };
  return [programmes, hosts, cohorts] as ReferenceTable[];
}
