import type { InstitutionsContext } from '../context';
import type { Institution as InstitutionRow } from '../entities';

export const Institution = {
  // Unknown ids resolve to null, so a stale reference from another subgraph yields null rather than an error.
  __resolveReference: ({ id }: { id: string }, { loaders }: InstitutionsContext) => loaders.institution.load(id),
  partOf: (institution: InstitutionRow, _: unknown, { loaders }: InstitutionsContext) =>
    institution.partOfId === null ? null : loaders.institution.load(institution.partOfId),
  units: (institution: InstitutionRow, { first }: { first?: number | null }, { loaders }: InstitutionsContext) => loaders.unitsOf(first).load(institution.id),
  specialties: async (institution: InstitutionRow, _: unknown, { loaders }: InstitutionsContext) =>
    (await loaders.specialtiesOf.load(institution.id)).map((s) => s.specialty),
  people: (institution: InstitutionRow, { first }: { first?: number | null }, { loaders }: InstitutionsContext) => loaders.peopleOf(first).load(institution.id),
};
