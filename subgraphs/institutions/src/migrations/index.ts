import { CreateInstitutions1795698000000 } from './1795698000000-create-institutions';
import { AddPersonContact1795700000000 } from './1795700000000-add-person-contact';

/** Every migration of this subgraph, oldest first. Add new ones at the end; never edit an applied one. */
export const migrations = [CreateInstitutions1795698000000, AddPersonContact1795700000000];
