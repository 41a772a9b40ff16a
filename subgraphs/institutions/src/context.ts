import { firstRecordsPerOwnerLoader, recordLoader, relationLoader, type Database, type RequestContext } from '@partnership/subgraph-kit';
import { In } from 'typeorm';
import { Institution, InstitutionSpecialty, Person } from './entities';

/** Per-request state: fresh DataLoaders so that each batch is one `WHERE ... IN (...)` query. */
export interface InstitutionsContext extends RequestContext {
  database: Database;
  loaders: ReturnType<typeof createLoaders>;
}

function createLoaders({ dataSource }: Database) {
  const institutions = dataSource.getRepository(Institution);
  const people = dataSource.getRepository(Person);
  const specialties = dataSource.getRepository(InstitutionSpecialty);
  return {
    institution: recordLoader(
      (ids) => institutions.findBy({ id: In([...ids]) }),
      (i) => i.id,
    ),
    person: recordLoader(
      (ids) => people.findBy({ id: In([...ids]) }),
      (p) => p.id,
    ),
    specialtiesOf: relationLoader(
      (ids) => specialties.find({ where: { institutionId: In([...ids]) }, order: { specialty: 'ASC' } }),
      (s) => s.institutionId,
    ),
    /** An institution's first `first` people, by id. */
    peopleOf: firstRecordsPerOwnerLoader(dataSource, { entity: Person, owner: 'institutionId', value: 'id', orderBy: ['id'] }, (found) =>
      people.findBy({ id: In(found) }),
    ),
    /** The first `first` bodies that are part of an institution, by id. */
    unitsOf: firstRecordsPerOwnerLoader(dataSource, { entity: Institution, owner: 'partOfId', value: 'id', orderBy: ['id'] }, (found) =>
      institutions.findBy({ id: In(found) }),
    ),
  };
}

export function createContext(database: Database): Omit<InstitutionsContext, keyof RequestContext> {
  return { database, loaders: createLoaders(database) };
}
