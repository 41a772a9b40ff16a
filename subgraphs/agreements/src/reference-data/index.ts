import type { ReferenceTable } from '@partnership/subgraph-kit';
import { Agreement, AgreementArea, AgreementParty, AgreementRelatedEvent, Event, EventCountry, EventParticipant, Milestone } from '../entities';
import { referenceAgreements } from './agreements';
import { referenceEvents } from './events';

/** The article's events and agreements as table rows, parents first (events before the agreements that point at them). */
export function referenceTables(): ReferenceTable[] {
  const events: ReferenceTable<Event> = {
    entity: Event,
    key: ['id'],
    rows: referenceEvents.map(({ delegateCountries: _countries, participants: _participants, ...event }) => ({ ...event, synthetic: false })),
  };
  const eventCountries: ReferenceTable<EventCountry> = {
    entity: EventCountry,
    key: ['eventId', 'country'],
    rows: referenceEvents.flatMap((e) => e.delegateCountries.map((country, position) => ({ eventId: e.id, country, position }))),
  };
  const participants: ReferenceTable<EventParticipant> = {
    entity: EventParticipant,
    key: ['eventId', 'position'],
    rows: referenceEvents.flatMap((e) => e.participants.map((p, position) => ({ eventId: e.id, position, ...p }))),
  };
  const agreements: ReferenceTable<Agreement> = {
    entity: Agreement,
    key: ['id'],
    rows: referenceAgreements.map(({ areas: _a, parties: _p, milestones: _m, relatedEventIds: _r, ...agreement }) => ({
      ...agreement,
      synthetic: false,
      version: 1,
    })),
  };
  const areas: ReferenceTable<AgreementArea> = {
    entity: AgreementArea,
    key: ['agreementId', 'specialty'],
    rows: referenceAgreements.flatMap((a) => a.areas.map((specialty) => ({ agreementId: a.id, specialty }))),
  };
  const parties: ReferenceTable<AgreementParty> = {
    entity: AgreementParty,
    key: ['agreementId', 'institutionId'],
    rows: referenceAgreements.flatMap((a) => a.parties.map((p, position) => ({ agreementId: a.id, position, ...p }))),
  };
  const relatedEvents: ReferenceTable<AgreementRelatedEvent> = {
    entity: AgreementRelatedEvent,
    key: ['agreementId', 'eventId'],
    rows: referenceAgreements.flatMap((a) => a.relatedEventIds.map((eventId) => ({ agreementId: a.id, eventId }))),
  };
  const milestones: ReferenceTable<Milestone> = {
    entity: Milestone,
    key: ['id'],
    rows: referenceAgreements.flatMap((a) => a.milestones.map((m, position) => ({ ...m, agreementId: a.id, position, version: 1 }))),
  };
  return [events, eventCountries, participants, agreements, areas, parties, relatedEvents, milestones] as ReferenceTable[];
}
