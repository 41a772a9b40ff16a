import { firstRecordsPerOwnerLoader, recordLoader, recordsOfPairs, relationLoader, type Database, type RequestContext } from '@partnership/subgraph-kit';
import { In } from 'typeorm';
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
  const agreements = dataSource.getRepository(Agreement);
  const areas = dataSource.getRepository(AgreementArea);
  const parties = dataSource.getRepository(AgreementParty);
  const relatedEvents = dataSource.getRepository(AgreementRelatedEvent);
  const milestones = dataSource.getRepository(Milestone);
  const events = dataSource.getRepository(Event);
  const eventCountries = dataSource.getRepository(EventCountry);
  const participants = dataSource.getRepository(EventParticipant);
  return {
    agreement: recordLoader(
      (ids) => agreements.findBy({ id: In([...ids]) }),
      (a) => a.id,
    ),
    event: recordLoader(
      (ids) => events.findBy({ id: In([...ids]) }),
      (e) => e.id,
    ),
    areasOf: relationLoader(
      (ids) => areas.find({ where: { agreementId: In([...ids]) }, order: { specialty: 'ASC' } }),
      (a) => a.agreementId,
    ),
    partiesOf: relationLoader(
      (ids) => parties.find({ where: { agreementId: In([...ids]) }, order: { position: 'ASC', institutionId: 'ASC' } }),
      (p) => p.agreementId,
      LIST_BOUNDS.parties,
    ),
    milestonesOf: relationLoader(
      (ids) => milestones.find({ where: { agreementId: In([...ids]) }, order: { position: 'ASC', id: 'ASC' } }),
      (m) => m.agreementId,
      LIST_BOUNDS.milestones,
    ),
    relatedEventsOf: relationLoader(
      async (ids) =>
        recordsOfPairs(
          (await relatedEvents.find({ where: { agreementId: In([...ids]) }, order: { eventId: 'ASC' } })).map((link) => ({
            owner: link.agreementId,
            value: link.eventId,
          })),
          (eventIds) => events.findBy({ id: In(eventIds) }),
        ),
      (linked) => linked.owner,
      LIST_BOUNDS.relatedEvents,
    ),
    /** The first `first` agreements an institution is a party to, by agreement id. */
    agreementsOfInstitution: firstRecordsPerOwnerLoader(
      dataSource,
      { entity: AgreementParty, owner: 'institutionId', value: 'agreementId', orderBy: ['agreementId'] },
      (found) => agreements.findBy({ id: In(found) }),
    ),
    /** The first `first` agreements reached at an event, by id. */
    agreementsOfEvent: firstRecordsPerOwnerLoader(dataSource, { entity: Agreement, owner: 'eventId', value: 'id', orderBy: ['id'] }, (found) =>
      agreements.findBy({ id: In(found) }),
    ),
    delegateCountriesOf: relationLoader(
      (ids) => eventCountries.find({ where: { eventId: In([...ids]) }, order: { position: 'ASC', country: 'ASC' } }),
      (c) => c.eventId,
    ),
    participantsOf: relationLoader(
      (ids) => participants.find({ where: { eventId: In([...ids]) }, order: { position: 'ASC' } }),
      (p) => p.eventId,
      LIST_BOUNDS.participants,
    ),
  };
}

export function createContext(database: Database): Omit<AgreementsContext, keyof RequestContext> {
  return { database, loaders: createLoaders(database) };
}
