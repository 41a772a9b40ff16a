import { addAgreementParty } from '../mutations/add-agreement-party';
import { addMilestone } from '../mutations/add-milestone';
import { createAgreement } from '../mutations/create-agreement';
import { setAgreementStatus } from '../mutations/set-agreement-status';
import { updateMilestone } from '../mutations/update-milestone';

// The kit gives every mutation fresh loaders once it is done (see buildSubgraph).
export const Mutation = {
  createAgreement,
  setAgreementStatus,
  addAgreementParty,
  addMilestone,
  updateMilestone,
};
