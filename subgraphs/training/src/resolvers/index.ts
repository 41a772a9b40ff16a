import { Agreement } from './agreement';
import { Cohort } from './cohort';
import { Institution } from './institution';
import { Placement } from './placement';
import { Query } from './query';
import { Trainee } from './trainee';
import { TrainingProgram } from './training-program';

export const resolvers = { Query, TrainingProgram, Cohort, Placement, Trainee, Agreement, Institution };
