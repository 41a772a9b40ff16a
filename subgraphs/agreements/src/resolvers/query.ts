import { auditTrail, pageSize, paginate, partialDateOrNull, plainRows, readRows, validateId, type PageArgs } from '@partnership/subgraph-kit';
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
      query.andWhere('EXISTS (SELECT 1 FROM agreement_party p WHERE p.agreement_id = agreement.id AND p.institution_id = :party)', {
        party: validateId(filter.party, 'filter.party'),
      });
    }
    if (filter.country) {
      // Answered from the party's denormalised country (see AgreementParty.country), not from the institutions subgraph.
      query.andWhere('EXISTS (SELECT 1 FROM agreement_party pc WHERE pc.agreement_id = agreement.id AND pc.country = :country)', { country: filter.country });
    }
    return paginate(query, 'agreement', args);
  },

  event: (_: unknown, { id }: { id: string }, { loaders }: AgreementsContext) => loaders.event.load(validateId(id)),

  // Events come only from the sources (no mutation adds one), and partial dates of different precision do not sort
  // as text ("2026-Q1" after "2026-02"), so their ids and starts are sorted here: by the last day the start can mean,
  // then the first, then id ("Q1 2026" may be as late as 31 March, so it comes after 19 January 2026; undated events
  // last). Only the first `first` are then read in full.
  events: async (_: unknown, { first }: { first?: number | null }, { database }: AgreementsContext) => {
    const limit = pageSize(first);
    const events = plainRows(database.dataSource, Event);
    const starts = (await readRows(database.dataSource, `SELECT id, ${events.column('startsOn')} AS startsOn FROM ${events.table} ORDER BY id`, [])) as Array<
      Pick<Event, 'id' | 'startsOn'>
    >;
    const keyOf = (event: Pick<Event, 'startsOn'>) => {
      const start = partialDateOrNull(event.startsOn);
      return start === null ? UNDATED : `${start.latest} ${start.earliest}`;
    };
    const ids = starts
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
      .slice(0, limit)
      .map((event) => event.id);
    const byId = new Map((await events.whereIn('id', ids)).map((event) => [event.id, event]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  },

  // Admins only: the schema's @requiresRole refuses everyone else before this runs.
  agreementsAuditTrail: (_: unknown, args: PageArgs & { recordId?: string | null }, { database }: AgreementsContext) => auditTrail(database, args),
};

const UNDATED = '9999-12-31';
