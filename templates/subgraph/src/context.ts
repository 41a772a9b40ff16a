import { firstOwnedRecordsLoader, plainRows, recordLoader, type Database, type RequestContext } from '@partnership/subgraph-kit';
import { __Name__Project } from './entities';

/** Per-request state: fresh DataLoaders (each batch is a constant number of queries). */
export interface __Name__Context extends RequestContext {
  database: Database;
  loaders: ReturnType<typeof createLoaders>;
}

function createLoaders({ dataSource }: Database) {
  // Plain rows, not repositories: on hot read paths TypeORM's entity hydration costs more than the statements.
  const projects = plainRows(dataSource, __Name__Project);
  return {
    project: recordLoader(
      (ids) => projects.whereIn('id', ids),
      (p) => p.id,
    ),
    /** The first `first` projects an institution leads, by id: one statement per batch. */
    projectsLedBy: firstOwnedRecordsLoader({ entity: __Name__Project, owner: 'leadInstitutionId', value: 'id', orderBy: ['id'] }, projects),
  };
}

export function createContext(database: Database): Omit<__Name__Context, keyof RequestContext> {
  return { database, loaders: createLoaders(database) };
}
