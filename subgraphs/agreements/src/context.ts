import { recordLoader, relationLoader, type Database, type RequestContext } from '@partnership/subgraph-kit';
import { In } from 'typeorm';
import { Agreement, AgreementArea, AgreementParty, AgreementRelatedEvent, Event, EventCountry, EventParticipant, Milestone } from './entities';

/** Per-request state: fresh DataLoaders so that each batch is one `WHERE ... IN (...)` query. */
export interface AgreementsContext extends RequestContext {
  database: Database;
  loaders: ReturnType<typeof createLoaders>;
}

/** A record reached through a link table, tagged with the key it was asked for. */
interface Linked<T> {
  owner: string;
  record: T;
}

/**
 * Fetches the records linked to each owner through a link table: one query on the links, one `WHERE id IN (...)`
 * on the records, whatever the number of owners. Links keep their order; links to missing records are dropped.
 */
async function linkedRecords<L, T extends { id: string }>(
  links: L[],
  ownerOf: (link: L) => string,
  targetOf: (link: L) => string,
  fetch: (ids: string[]) => Promise<T[]>,
): Promise<Array<Linked<T>>> {
  if (links.length === 0) return [];
  const found = await fetch([...new Set(links.map(targetOf))]);
  const byId = new Map(found.map((record) => [record.id, record]));
  return links.flatMap((link) => {
    const record = byId.get(targetOf(link));
    return record === undefined ? [] : [{ owner: ownerOf(link), record }];
  });
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
    agreement: recordLoader((ids) => agreements.findBy({ id: In([...ids]) }), (a) => a.id),
    event: recordLoader((ids) => events.findBy({ id: In([...ids]) }), (e) => e.id),
    areasOf: relationLoader(
      (ids) => areas.find({ where: { agreementId: In([...ids]) }, order: { specialty: 'ASC' } }),
      (a) => a.agreementId,
    ),
    partiesOf: relationLoader(
      (ids) => parties.find({ where: { agreementId: In([...ids]) }, order: { position: 'ASC', institutionId: 'ASC' } }),
      (p) => p.agreementId,
    ),
    milestonesOf: relationLoader(
      (ids) => milestones.find({ where: { agreementId: In([...ids]) }, order: { position: 'ASC', id: 'ASC' } }),
      (m) => m.agreementId,
    ),
    relatedEventsOf: relationLoader(
      async (ids) =>
        linkedRecords(
          await relatedEvents.find({ where: { agreementId: In([...ids]) }, order: { eventId: 'ASC' } }),
          (link) => link.agreementId,
          (link) => link.eventId,
          (eventIds) => events.findBy({ id: In(eventIds) }),
        ),
      (linked) => linked.owner,
    ),
    /** Agreements an institution is a party to, ordered by agreement id. */
    agreementsOfInstitution: relationLoader(
      async (ids) =>
        linkedRecords(
          await parties.find({ where: { institutionId: In([...ids]) }, order: { agreementId: 'ASC' } }),
          (party) => party.institutionId,
          (party) => party.agreementId,
          (agreementIds) => agreements.findBy({ id: In(agreementIds) }),
        ),
      (linked) => linked.owner,
    ),
    agreementsOfEvent: relationLoader(
      (ids) => agreements.find({ where: { eventId: In([...ids]) }, order: { id: 'ASC' } }),
      (a) => a.eventId ?? '',
    ),
    delegateCountriesOf: relationLoader(
      (ids) => eventCountries.find({ where: { eventId: In([...ids]) }, order: { position: 'ASC', country: 'ASC' } }),
      (c) => c.eventId,
    ),
    participantsOf: relationLoader(
      (ids) => participants.find({ where: { eventId: In([...ids]) }, order: { position: 'ASC' } }),
      (p) => p.eventId,
    ),
  };
}


export function createContext(database: Database): Omit<AgreementsContext, keyof RequestContext> {
  return { database, loaders: createLoaders(database) };
}
