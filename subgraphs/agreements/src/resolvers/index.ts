import { Agreement, AgreementParty, Milestone } from './agreement';
import { Event, EventParticipant } from './event';
import { Institution } from './institution';
import { Mutation } from './mutation';
import { Query } from './query';

export const resolvers = { Query, Mutation, Agreement, AgreementParty, Milestone, Event, EventParticipant, Institution };
