import { AuditEntry } from '@partnership/subgraph-kit';
import { Cohort } from './cohort';
import { EnrollmentRequest } from './enrollment-request';
import { Placement } from './placement';
import { Trainee } from './trainee';
import { TrainingProgram } from './training-program';
import { TrainingProgramHost } from './training-program-host';

export { Cohort, EnrollmentRequest, Placement, Trainee, TrainingProgram, TrainingProgramHost };

export const entities = [TrainingProgram, TrainingProgramHost, Cohort, Trainee, Placement, EnrollmentRequest, AuditEntry];
