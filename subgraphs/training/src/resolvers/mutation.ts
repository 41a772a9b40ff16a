import type { TrainingContext } from '../context';
import { createTrainingProgram, type CreateTrainingProgramInput } from '../mutations/create-training-program';
import { enrollTrainee, type EnrollTraineeInput } from '../mutations/enroll-trainee';
import { scheduleCohort, type ScheduleCohortInput } from '../mutations/schedule-cohort';
import { setPlacementStatus, type SetPlacementStatusInput } from '../mutations/set-placement-status';

export const Mutation = {
  createTrainingProgram: (_: unknown, { input }: { input: CreateTrainingProgramInput }, context: TrainingContext) => createTrainingProgram(input, context),
  scheduleCohort: (_: unknown, { input }: { input: ScheduleCohortInput }, context: TrainingContext) => scheduleCohort(input, context),
  enrollTrainee: (_: unknown, { input }: { input: EnrollTraineeInput }, context: TrainingContext) => enrollTrainee(input, context),
  setPlacementStatus: (_: unknown, { input }: { input: SetPlacementStatusInput }, context: TrainingContext) => setPlacementStatus(input, context),
};
