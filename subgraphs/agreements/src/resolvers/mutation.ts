import { renewLoaders, type AgreementsContext } from '../context';
import { addAgreementParty } from '../mutations/add-agreement-party';
import { addMilestone } from '../mutations/add-milestone';
import { createAgreement } from '../mutations/create-agreement';
import { setAgreementStatus } from '../mutations/set-agreement-status';
import { updateMilestone } from '../mutations/update-milestone';

type MutationResolver<Input, Payload> = (parent: unknown, args: { input: Input }, context: AgreementsContext) => Promise<Payload>;

// Mutations run one after another; each starts with fresh loaders so that neither its payload nor a later mutation
// of the same request reads records cached before a change.
function withFreshLoaders<Input, Payload>(mutation: MutationResolver<Input, Payload>): MutationResolver<Input, Payload> {
  return async (parent, args, context) => {
    try {
      return await mutation(parent, args, context);
    } finally {
      renewLoaders(context);
    }
  };
}

export const Mutation = {
  createAgreement: withFreshLoaders(createAgreement),
  setAgreementStatus: withFreshLoaders(setAgreementStatus),
  addAgreementParty: withFreshLoaders(addAgreementParty),
  addMilestone: withFreshLoaders(addMilestone),
  updateMilestone: withFreshLoaders(updateMilestone),
};
