import { Agreement, AgreementParty, Milestone } from './agreement';
import { Event, EventParticipant } from './event';
import { Institution } from './institution';
import { Query } from './query';

export const resolvers = { Query, Agreement, AgreementParty, Milestone, Event, EventParticipant, Institution };
