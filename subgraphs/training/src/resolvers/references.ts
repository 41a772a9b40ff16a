/** References to entities other subgraphs own: the gateway fetches their fields from there. */
export const agreementReference = (id: string) => ({ __typename: 'Agreement' as const, id });
export const institutionReference = (id: string) => ({ __typename: 'Institution' as const, id });
