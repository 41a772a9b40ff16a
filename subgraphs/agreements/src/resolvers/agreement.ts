import { partialDateOrNull } from '@partnership/subgraph-kit';
import type { AgreementsContext } from '../context';
import type { Agreement as AgreementRow, AgreementParty as AgreementPartyRow, Milestone as MilestoneRow } from '../entities';

export const Agreement = {
  // Unknown ids resolve to null, so a stale reference from another subgraph yields null rather than an error.
  __resolveReference: ({ id }: { id: string }, { loaders }: AgreementsContext) => loaders.agreement.load(id),
  concludedOn: (agreement: AgreementRow) => partialDateOrNull(agreement.concludedOn, agreement.concludedOnLabel),
  event: (agreement: AgreementRow, _: unknown, { loaders }: AgreementsContext) => (agreement.eventId === null ? null : loaders.event.load(agreement.eventId)),
  relatedEvents: async (agreement: AgreementRow, _: unknown, { loaders }: AgreementsContext) =>
    (await loaders.relatedEventsOf.load(agreement.id)).map((linked) => linked.record),
  areas: async (agreement: AgreementRow, _: unknown, { loaders }: AgreementsContext) =>
    (await loaders.areasOf.load(agreement.id)).map((area) => area.specialty),
  parties: (agreement: AgreementRow, _: unknown, { loaders }: AgreementsContext) => loaders.partiesOf.load(agreement.id),
  milestones: (agreement: AgreementRow, _: unknown, { loaders }: AgreementsContext) => loaders.milestonesOf.load(agreement.id),
};

// Institutions and people are owned by the institutions subgraph: this subgraph hands the gateway references to them.
export const AgreementParty = {
  institution: (party: AgreementPartyRow) => ({ __typename: 'Institution', id: party.institutionId }),
  representative: (party: AgreementPartyRow) => (party.representativeId === null ? null : { __typename: 'Person', id: party.representativeId }),
};

export const Milestone = {
  due: (milestone: MilestoneRow) => partialDateOrNull(milestone.due, milestone.dueLabel),
  agreement: (milestone: MilestoneRow, _: unknown, { loaders }: AgreementsContext) => loaders.agreement.load(milestone.agreementId),
};
