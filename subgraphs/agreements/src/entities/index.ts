import { AuditEntry, IdempotentRequest } from '@partnership/subgraph-kit';
import { Agreement } from './agreement';
import { AgreementArea } from './agreement-area';
import { AgreementParty } from './agreement-party';
import { AgreementRelatedEvent } from './agreement-related-event';
import { Event } from './event';
import { EventCountry } from './event-country';
import { EventParticipant } from './event-participant';
import { Milestone } from './milestone';

export { Agreement, AgreementArea, AgreementParty, AgreementRelatedEvent, Event, EventCountry, EventParticipant, Milestone };

export const entities = [
  Event,
  EventCountry,
  EventParticipant,
  Agreement,
  AgreementArea,
  AgreementParty,
  AgreementRelatedEvent,
  Milestone,
  AuditEntry,
  IdempotentRequest,
];
