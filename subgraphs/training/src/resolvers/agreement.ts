import type { TrainingContext } from '../context';

/** Agreement is owned by the agreements subgraph; this one only adds the programmes each provides for. */
export const Agreement = {
  __resolveReference: (reference: { id: string }) => reference,
  trainingPrograms: ({ id }: { id: string }, { first }: { first?: number | null }, { loaders }: TrainingContext) =>
    loaders.programmesOfAgreement(first).load(id),
};
