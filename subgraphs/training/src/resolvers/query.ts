import { auditTrail, paginate, validateId, type PageArgs } from '@partnership/subgraph-kit';
import type { TrainingContext } from '../context';
import { TrainingProgram } from '../entities';

export interface TrainingProgramFilter {
  specialty?: string | null;
  agreement?: string | null;
  hostInstitution?: string | null;
}

export const Query = {
  trainingProgram: (_: unknown, { id }: { id: string }, { loaders }: TrainingContext) => loaders.program.load(validateId(id)),

  trainingPrograms: (_: unknown, args: PageArgs & { filter?: TrainingProgramFilter | null }, { database }: TrainingContext) => {
    const filter = args.filter ?? {};
    const query = database.dataSource.getRepository(TrainingProgram).createQueryBuilder('program');
    if (filter.specialty) query.andWhere('program.specialty = :specialty', { specialty: filter.specialty });
    if (filter.agreement != null) {
      query.andWhere('program.agreement_id = :agreement', { agreement: validateId(filter.agreement, 'filter.agreement') });
    }
    if (filter.hostInstitution != null) {
      query.andWhere('EXISTS (SELECT 1 FROM training_program_host h WHERE h.program_id = program.id AND h.institution_id = :host)', {
        host: validateId(filter.hostInstitution, 'filter.hostInstitution'),
      });
    }
    return paginate(query, 'program', args);
  },

  trainingAuditTrail: (_: unknown, args: PageArgs & { recordId?: string | null }, { database }: TrainingContext) => auditTrail(database, args),
};
