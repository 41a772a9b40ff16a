import type { Trainee as TraineeRow } from '../entities';
import { institutionReference } from './references';

export const Trainee = {
  homeInstitution: (trainee: TraineeRow) => (trainee.homeInstitutionId === null ? null : institutionReference(trainee.homeInstitutionId)),
};
