import type { __Name__Context } from '../context';

/** Institution is owned by the institutions subgraph; this one only adds the projects it leads. */
export const Institution = {
  __resolveReference: (reference: { id: string }) => reference,
  __nameCamel__Projects: ({ id }: { id: string }, { first }: { first?: number | null }, { loaders }: __Name__Context) => loaders.projectsLedBy(first).load(id),
};
