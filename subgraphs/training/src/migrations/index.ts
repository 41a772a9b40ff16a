import { CreateTraining1795698200000 } from './1795698200000-create-training';

/** Every migration of this subgraph, oldest first. Add new ones at the end; never edit an applied one. */
export const migrations = [CreateTraining1795698200000];
