import type { InstitutionsContext } from '../context';
import { addPerson, type AddPersonInput } from '../mutations/add-person';
import { createInstitution, type CreateInstitutionInput } from '../mutations/create-institution';
import { updateInstitution, type UpdateInstitutionInput } from '../mutations/update-institution';
import { updatePerson, type UpdatePersonInput } from '../mutations/update-person';

/** Every write of the registry; each runs in one transaction and leaves an audit entry per changed record. */
export const Mutation = {
  createInstitution: (_: unknown, { input }: { input: CreateInstitutionInput }, context: InstitutionsContext) => createInstitution(input, context),
  updateInstitution: (_: unknown, { input }: { input: UpdateInstitutionInput }, context: InstitutionsContext) => updateInstitution(input, context),
  addPerson: (_: unknown, { input }: { input: AddPersonInput }, context: InstitutionsContext) => addPerson(input, context),
  updatePerson: (_: unknown, { input }: { input: UpdatePersonInput }, context: InstitutionsContext) => updatePerson(input, context),
};
