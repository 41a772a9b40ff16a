import { auditTrail, paginate, partialDateOrNull, validateId, type PageArgs } from '@partnership/subgraph-kit';
import type { AgreementsContext } from '../context';
import { Agreement, Event } from '../entities';

export interface AgreementFilter {
  status?: string | null;
  kind?: string | null;
  area?: string | null;
  party?: string | null;
  country?: string | null;
}

export const Query = {
  agreement: (_: unknown, { id }: { id: string }, { loaders }: AgreementsContext) => loaders.agreement.load(validateId(id)),

  agreements: (_: unknown, args: PageArgs & { filter?: AgreementFilter | null }, { database }: AgreementsContext) => {
    const filter = args.filter ?? {};
    const query = database.dataSource.getRepository(Agreement).createQueryBuilder('agreement');
    if (filter.status) query.andWhere('agreement.status = :status', { status: filter.status });
    if (filter.kind) query.andWhere('agreement.kind = :kind', { kind: filter.kind });
    if (filter.area) {
      query.andWhere('EXISTS (SELECT 1 FROM agreement_area a WHERE a.agreement_id = agreement.id AND a.specialty = :area)', { area: filter.area });
    }
    if (filter.party != null) {
      query.andWhere(
        'EXISTS (SELECT 1 FROM agreement_party p WHERE p.agreement_id = agreement.id AND p.institution_id = :party)',
        { party: validateId(filter.party, 'filter.party') },
      );
    }
    if (filter.country) {
      // Answered from the party's denormalised country (see AgreementParty.country), not from the institutions subgraph.
      query.andWhere(
        'EXISTS (SELECT 1 FROM agreement_party pc WHERE pc.agreement_id = agreement.id AND pc.country = :country)',
        { country: filter.country },
      );
    }
    return paginate(query, 'agreement', args);
  },

  event: (_: unknown, { id }: { id: string }, { loaders }: AgreementsContext) => loaders.event.load(validateId(id)),

  // Events are few, and partial dates of different precision do not sort as text ("2026-Q1" after "2026-02"), so
  // they are sorted here: by the last day the start can mean, then the first, then id. "Q1 2026" may be as late as
  // 31 March, so it comes after an event known to start on 19 January 2026; undated events come last.
  events: async (_: unknown, __: unknown, { database }: AgreementsContext) => {
    const events = await database.dataSource.getRepository(Event).find({ order: { id: 'ASC' } });
    const keyOf = (event: Event) => {
      const start = partialDateOrNull(event.startsOn);
      return start === null ? UNDATED : `${start.latest} ${start.earliest}`;
    };
    return events.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  },

  // Admins only: the schema's @requiresRole refuses everyone else before this runs.
  agreementsAuditTrail: (_: unknown, args: PageArgs & { recordId?: string | null }, { database }: AgreementsContext) => auditTrail(database, args),
};

const UNDATED = '9999-12-31';
