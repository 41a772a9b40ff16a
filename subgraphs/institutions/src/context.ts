import { firstOwnedRecordsLoader, plainRows, recordLoader, relationLoader, type Database, type RequestContext } from '@partnership/subgraph-kit';
import { Institution, InstitutionSpecialty, Person } from './entities';

/** Per-request state: fresh DataLoaders so that each batch is one `WHERE ... IN (...)` query. */
export interface InstitutionsContext extends RequestContext {
  database: Database;
  loaders: ReturnType<typeof createLoaders>;
}

function createLoaders({ dataSource }: Database) {
  const institutions = plainRows(dataSource, Institution);
  const people = plainRows(dataSource, Person);
  const specialties = plainRows(dataSource, InstitutionSpecialty);
  return {
    institution: recordLoader(
      (ids) => institutions.whereIn('id', ids),
      (i) => i.id,
    ),
    person: recordLoader(
      (ids) => people.whereIn('id', ids),
      (p) => p.id,
    ),
    specialtiesOf: relationLoader(
      (ids) => specialties.whereIn('institutionId', ids, ['specialty']),
      (s) => s.institutionId,
    ),
    /** An institution's first `first` people, by id. */
    peopleOf: firstOwnedRecordsLoader({ entity: Person, owner: 'institutionId', value: 'id', orderBy: ['id'] }, people),
    /** The first `first` bodies that are part of an institution, by id. */
    unitsOf: firstOwnedRecordsLoader({ entity: Institution, owner: 'partOfId', value: 'id', orderBy: ['id'] }, institutions),
  };
}

export function createContext(database: Database): Omit<InstitutionsContext, keyof RequestContext> {
  return { database, loaders: createLoaders(database) };
}
