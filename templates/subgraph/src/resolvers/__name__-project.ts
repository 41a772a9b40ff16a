import type { __Name__Context } from '../context';
import type { __Name__Project as Project } from '../entities';

export const __Name__Project = {
  __resolveReference: ({ id }: { id: string }, { loaders }: __Name__Context) => loaders.project.load(id),
  // Institution is owned by the institutions subgraph: a reference, whose fields the gateway fetches there.
  leadInstitution: ({ leadInstitutionId }: Project) => (leadInstitutionId === null ? null : { __typename: 'Institution' as const, id: leadInstitutionId }),
};
