import { CompareIdsExactly1795703000000, CreateAuditTrail1795701000000, CreateIdempotentRequests1795704000000 } from '@partnership/subgraph-kit';
import { CreateTraining1795698200000 } from './1795698200000-create-training';
import { AddTrainingWrites1795701200000 } from './1795701200000-add-training-writes';
import { MoveEnrollmentKeys1795704100000 } from './1795704100000-move-enrollment-keys';

/** Every migration of this subgraph, oldest first. Add new ones at the end; never edit an applied one. */
export const migrations = [
  CreateTraining1795698200000,
  CreateAuditTrail1795701000000,
  AddTrainingWrites1795701200000,
  CompareIdsExactly1795703000000,
  CreateIdempotentRequests1795704000000,
  MoveEnrollmentKeys1795704100000,
];
