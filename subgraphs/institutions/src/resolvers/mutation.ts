import { addPerson, updatePerson } from './person-mutations';
import { createInstitution, updateInstitution } from './institution-mutations';

/** Every write of the registry; each runs in one transaction and leaves an audit entry per changed record. */
export const Mutation = { createInstitution, updateInstitution, addPerson, updatePerson };
