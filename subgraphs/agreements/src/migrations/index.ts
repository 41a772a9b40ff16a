import { CreateAgreements1795698100000 } from './1795698100000-create-agreements';

/** Every migration of this subgraph, oldest first. Add new ones at the end; never edit an applied one. */
export const migrations = [CreateAgreements1795698100000];
