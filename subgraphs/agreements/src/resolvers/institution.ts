import type { AgreementsContext } from '../context';

export interface InstitutionReference {
  id: string;
}

export const Institution = {
  // Institutions are owned by the institutions subgraph: the reference is all this subgraph needs (and it cannot
  // tell whether the id exists). Whether to return null for an unknown id is the owner's call.
  __resolveReference: (reference: InstitutionReference) => reference,
  agreements: async (institution: InstitutionReference, _: unknown, { loaders }: AgreementsContext) =>
    (await loaders.agreementsOfInstitution.load(institution.id)).map((linked) => linked.record),
};
