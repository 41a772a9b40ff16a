import { CreateAuditTrail1795701000000 } from '@partnership/subgraph-kit';
import { CreateTraining1795698200000 } from './1795698200000-create-training';
import { AddTrainingWrites1795701200000 } from './1795701200000-add-training-writes';

/** Every migration of this subgraph, oldest first. Add new ones at the end; never edit an applied one. */
export const migrations = [CreateTraining1795698200000, CreateAuditTrail1795701000000, AddTrainingWrites1795701200000];
