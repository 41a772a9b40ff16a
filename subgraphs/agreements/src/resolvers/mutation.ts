import type { AgreementsContext } from '../context';
import { addAgreementParty, type AddAgreementPartyInput } from '../mutations/add-agreement-party';
import { addMilestone, type AddMilestoneInput } from '../mutations/add-milestone';
import { createAgreement, type CreateAgreementInput } from '../mutations/create-agreement';
import { setAgreementStatus, type SetAgreementStatusInput } from '../mutations/set-agreement-status';
import { updateMilestone, type UpdateMilestoneInput } from '../mutations/update-milestone';

// The kit gives every mutation fresh loaders once it is done (see buildSubgraph).
export const Mutation = {
  createAgreement: (_: unknown, { input }: { input: CreateAgreementInput }, context: AgreementsContext) => createAgreement(input, context),
  setAgreementStatus: (_: unknown, { input }: { input: SetAgreementStatusInput }, context: AgreementsContext) => setAgreementStatus(input, context),
  addAgreementParty: (_: unknown, { input }: { input: AddAgreementPartyInput }, context: AgreementsContext) => addAgreementParty(input, context),
  addMilestone: (_: unknown, { input }: { input: AddMilestoneInput }, context: AgreementsContext) => addMilestone(input, context),
  updateMilestone: (_: unknown, { input }: { input: UpdateMilestoneInput }, context: AgreementsContext) => updateMilestone(input, context),
};
