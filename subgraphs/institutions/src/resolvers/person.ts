import type { InstitutionsContext } from '../context';
import type { Person as PersonRow } from '../entities';

export const Person = {
  __resolveReference: ({ id }: { id: string }, { loaders }: InstitutionsContext) => loaders.person.load(id),
  institution: (person: PersonRow, _: unknown, { loaders }: InstitutionsContext) =>
    person.institutionId === null ? null : loaders.institution.load(person.institutionId),
};
