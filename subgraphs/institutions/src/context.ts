import { recordLoader, relationLoader, type Database, type RequestContext } from '@partnership/subgraph-kit';
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
    institution: recordLoader((ids) => institutions.findBy({ id: In([...ids]) }), (i) => i.id),
    person: recordLoader((ids) => people.findBy({ id: In([...ids]) }), (p) => p.id),
    specialtiesOf: relationLoader(
      (ids) => specialties.find({ where: { institutionId: In([...ids]) }, order: { specialty: 'ASC' } }),
      (s) => s.institutionId,
    ),
    peopleOf: relationLoader(
      (ids) => people.find({ where: { institutionId: In([...ids]) }, order: { id: 'ASC' } }),
      (p) => p.institutionId ?? '',
    ),
    unitsOf: relationLoader(
      (ids) => institutions.find({ where: { partOfId: In([...ids]) }, order: { id: 'ASC' } }),
      (i) => i.partOfId ?? '',
    ),
  };
}

export function createContext(database: Database): Omit<InstitutionsContext, keyof RequestContext> {
  return { database, loaders: createLoaders(database) };
}
