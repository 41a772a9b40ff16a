import {
  firstOwnedRecordsLoader,
  firstRecordsOfOwners,
  plainRows,
  recordLoader,
  relationLoader,
  type Database,
  type RequestContext,
} from '@partnership/subgraph-kit';
import { LIMITS } from './mutations/input';
import { Agreement, AgreementArea, AgreementParty, AgreementRelatedEvent, Event, EventCountry, EventParticipant, Milestone } from './entities';

/**
 * The documented maximum of each list of an agreement or event (its `@listSize` in schema.graphql). Parties and
 * milestones are capped by the mutations that add them; related events and participants come only from the sources.
 */
export const LIST_BOUNDS = { parties: LIMITS.parties, milestones: LIMITS.milestones, relatedEvents: 20, participants: 50 } as const;

/** Per-request state: fresh DataLoaders so that each batch is one `WHERE ... IN (...)` query. */
export interface AgreementsContext extends RequestContext {
  database: Database;
  loaders: ReturnType<typeof createLoaders>;
}

function createLoaders({ dataSource }: Database) {
  const agreements = plainRows(dataSource, Agreement);
  const areas = plainRows(dataSource, AgreementArea);
  const parties = plainRows(dataSource, AgreementParty);
  const milestones = plainRows(dataSource, Milestone);
  const events = plainRows(dataSource, Event);
  const eventCountries = plainRows(dataSource, EventCountry);
  const participants = plainRows(dataSource, EventParticipant);
  return {
    agreement: recordLoader(
      (ids) => agreements.whereIn('id', ids),
      (a) => a.id,
    ),
    event: recordLoader(
      (ids) => events.whereIn('id', ids),
      (e) => e.id,
    ),
    areasOf: relationLoader(
      (ids) => areas.whereIn('agreementId', ids, ['specialty']),
      (a) => a.agreementId,
    ),
    partiesOf: relationLoader(
      (ids) => parties.whereIn('agreementId', ids, ['position', 'institutionId']),
      (p) => p.agreementId,
      LIST_BOUNDS.parties,
    ),
    milestonesOf: relationLoader(
      (ids) => milestones.whereIn('agreementId', ids, ['position', 'id']),
      (m) => m.agreementId,
      LIST_BOUNDS.milestones,
    ),
    relatedEventsOf: relationLoader(
      (ids) =>
        firstRecordsOfOwners(
          { entity: AgreementRelatedEvent, owner: 'agreementId', value: 'eventId', orderBy: ['eventId'] },
          events,
          ids,
          LIST_BOUNDS.relatedEvents,
        ),
      (linked) => linked.owner,
    ),
    /** The first `first` agreements an institution is a party to, by agreement id. */
    agreementsOfInstitution: firstOwnedRecordsLoader(
      { entity: AgreementParty, owner: 'institutionId', value: 'agreementId', orderBy: ['agreementId'] },
      agreements,
    ),
    /** The first `first` agreements reached at an event, by id. */
    agreementsOfEvent: firstOwnedRecordsLoader({ entity: Agreement, owner: 'eventId', value: 'id', orderBy: ['id'] }, agreements),
    delegateCountriesOf: relationLoader(
      (ids) => eventCountries.whereIn('eventId', ids, ['position', 'country']),
      (c) => c.eventId,
    ),
    participantsOf: relationLoader(
      (ids) => participants.whereIn('eventId', ids, ['position']),
      (p) => p.eventId,
      LIST_BOUNDS.participants,
    ),
  };
}

export function createContext(database: Database): Omit<AgreementsContext, keyof RequestContext> {
  return { database, loaders: createLoaders(database) };
}
