import type { TrainingContext } from '../context';

/** Institution is owned by the institutions subgraph; this one only adds the training it hosts. */
export const Institution = {
  __resolveReference: (reference: { id: string }) => reference,
  hostedPrograms: ({ id }: { id: string }, { first }: { first?: number | null }, { loaders }: TrainingContext) => loaders.programmesHostedBy(first).load(id),
  placements: ({ id }: { id: string }, { first }: { first?: number | null }, { loaders }: TrainingContext) => loaders.placementsHostedBy(first).load(id),
};
