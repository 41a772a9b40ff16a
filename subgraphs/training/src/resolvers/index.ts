import { Agreement } from './agreement';
import { Cohort } from './cohort';
import { Institution } from './institution';
import { Mutation } from './mutation';
import { Placement } from './placement';
import { Query } from './query';
import { Trainee } from './trainee';
import { TrainingProgram } from './training-program';

export const resolvers = { Query, Mutation, TrainingProgram, Cohort, Placement, Trainee, Agreement, Institution };
