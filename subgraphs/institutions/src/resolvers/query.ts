import { auditTrail, likePattern, paginate, searchCondition, validateId, validateSearch, type PageArgs } from '@partnership/subgraph-kit';
import type { InstitutionsContext } from '../context';
import { Institution, Person } from '../entities';

export interface InstitutionFilter {
  country?: string | null;
  kind?: string | null;
  specialty?: string | null;
  search?: string | null;
}

export interface PersonFilter {
  institution?: string | null;
  search?: string | null;
}

export const Query = {
  institution: (_: unknown, { id }: { id: string }, { loaders }: InstitutionsContext) => loaders.institution.load(validateId(id)),

  institutions: (_: unknown, args: PageArgs & { filter?: InstitutionFilter | null }, { database }: InstitutionsContext) => {
    const filter = args.filter ?? {};
    const query = database.dataSource.getRepository(Institution).createQueryBuilder('institution');
    if (filter.country) query.andWhere('institution.country = :country', { country: filter.country });
    if (filter.kind) query.andWhere('institution.kind = :kind', { kind: filter.kind });
    if (filter.specialty) {
      query.andWhere('EXISTS (SELECT 1 FROM institution_specialty s WHERE s.institution_id = institution.id AND s.specialty = :specialty)', {
        specialty: filter.specialty,
      });
    }
    const search = validateSearch(filter.search);
    if (search) query.andWhere(searchCondition('institution.search_text'), { search: likePattern(search) });
    return paginate(query, 'institution', args);
  },

  person: (_: unknown, { id }: { id: string }, { loaders }: InstitutionsContext) => loaders.person.load(validateId(id)),

  people: (_: unknown, args: PageArgs & { filter?: PersonFilter | null }, { database }: InstitutionsContext) => {
    const filter = args.filter ?? {};
    const query = database.dataSource.getRepository(Person).createQueryBuilder('person');
    if (filter.institution != null)
      query.andWhere('person.institution_id = :institution', { institution: validateId(filter.institution, 'filter.institution') });
    const search = validateSearch(filter.search);
    if (search) query.andWhere(searchCondition('person.search_text'), { search: likePattern(search) });
    return paginate(query, 'person', args);
  },

  // Admins only: the SDL's @requiresRole refuses everyone else before this runs.
  institutionsAuditTrail: (_: unknown, args: PageArgs & { recordId?: string | null }, { database }: InstitutionsContext) => auditTrail(database, args),
};
