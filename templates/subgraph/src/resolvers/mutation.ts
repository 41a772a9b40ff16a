import type { __Name__Context } from '../context';
import { create__Name__Project, type Create__Name__ProjectInput } from '../mutations/create-__name__-project';

export const Mutation = {
  create__Name__Project: (_: unknown, { input }: { input: Create__Name__ProjectInput }, context: __Name__Context) => create__Name__Project(input, context),
};
