import type { AgreementsContext } from '../context';

export interface InstitutionReference {
  id: string;
}

export const Institution = {
  // Institutions are owned by the institutions subgraph: the reference is all this subgraph needs (and it cannot
  // tell whether the id exists). Whether to return null for an unknown id is the owner's call.
  __resolveReference: (reference: InstitutionReference) => reference,
  agreements: (institution: InstitutionReference, { first }: { first?: number | null }, { loaders }: AgreementsContext) =>
    loaders.agreementsOfInstitution(first).load(institution.id),
};
