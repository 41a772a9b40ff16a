import { AuditEntry, IdempotentRequest } from '@partnership/subgraph-kit';
import { Cohort } from './cohort';
import { Placement } from './placement';
import { Trainee } from './trainee';
import { TrainingProgram } from './training-program';
import { TrainingProgramHost } from './training-program-host';

export { Cohort, Placement, Trainee, TrainingProgram, TrainingProgramHost };

export const entities = [TrainingProgram, TrainingProgramHost, Cohort, Trainee, Placement, AuditEntry, IdempotentRequest];
