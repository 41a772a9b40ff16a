import { firstRecordsPerOwnerLoader, recordLoader, type Database, type RequestContext } from '@partnership/subgraph-kit';
import { In } from 'typeorm';
import { __Name__Project } from './entities';

/** Per-request state: fresh DataLoaders (each batch is a constant number of queries). */
export interface __Name__Context extends RequestContext {
  database: Database;
  loaders: ReturnType<typeof createLoaders>;
}

function createLoaders({ dataSource }: Database) {
  const projects = dataSource.getRepository(__Name__Project);
  return {
    project: recordLoader(
      (ids) => projects.findBy({ id: In([...ids]) }),
      (p) => p.id,
    ),
    /** The first `first` projects an institution leads, by id. */
    projectsLedBy: firstRecordsPerOwnerLoader(dataSource, { entity: __Name__Project, owner: 'leadInstitutionId', value: 'id', orderBy: ['id'] }, (found) =>
      projects.findBy({ id: In(found) }),
    ),
  };
}

export function createContext(database: Database): Omit<__Name__Context, keyof RequestContext> {
  return { database, loaders: createLoaders(database) };
}
