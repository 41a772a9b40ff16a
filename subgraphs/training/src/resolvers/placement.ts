import type { TrainingContext } from '../context';
import type { Placement as PlacementRow } from '../entities';

export const Placement = {
  trainee: (placement: PlacementRow, _: unknown, { loaders }: TrainingContext) => loaders.trainee.load(placement.traineeId),
  cohort: (placement: PlacementRow, _: unknown, { loaders }: TrainingContext) => loaders.cohort.load(placement.cohortId),
};
