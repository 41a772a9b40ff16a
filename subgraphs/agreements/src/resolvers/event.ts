import { partialDateOrNull } from '@partnership/subgraph-kit';
import type { AgreementsContext } from '../context';
import type { Event as EventRow, EventParticipant as EventParticipantRow } from '../entities';

export const Event = {
  __resolveReference: ({ id }: { id: string }, { loaders }: AgreementsContext) => loaders.event.load(id),
  startsOn: (event: EventRow) => partialDateOrNull(event.startsOn, event.startsOnLabel),
  endsOn: (event: EventRow) => partialDateOrNull(event.endsOn, event.endsOnLabel),
  delegateCountries: async (event: EventRow, _: unknown, { loaders }: AgreementsContext) =>
    (await loaders.delegateCountriesOf.load(event.id)).map((c) => c.country),
  participants: (event: EventRow, _: unknown, { loaders }: AgreementsContext) => loaders.participantsOf.load(event.id),
  agreements: (event: EventRow, { first }: { first?: number | null }, { loaders }: AgreementsContext) => loaders.agreementsOfEvent(first).load(event.id),
};

export const EventParticipant = {
  institution: (participant: EventParticipantRow) => (participant.institutionId === null ? null : { __typename: 'Institution', id: participant.institutionId }),
  person: (participant: EventParticipantRow) => (participant.personId === null ? null : { __typename: 'Person', id: participant.personId }),
};
