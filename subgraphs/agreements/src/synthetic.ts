import type { SyntheticPlan } from '@partnership/domain';
import { insertRows, type Database } from '@partnership/subgraph-kit';
import { Agreement, AgreementArea, AgreementParty, Milestone } from './entities';

/**
 * Writes the plan's agreements (each with its area, its two parties and one milestone), all flagged synthetic,
 * in one transaction. The parties are the plan's synthetic institutions, so their countries come from the plan.
 */
export async function loadSyntheticData({ dataSource }: Database, plan: SyntheticPlan): Promise<void> {
  const countryOf = new Map(plan.institutions.map((i) => [i.id, i.country]));
  const agreements = plan.agreements.map((a) => ({
    id: a.id,
    title: `Synthetic Agreement ${a.index}`,
    kind: 'COOPERATION_AGREEMENT',
    status: 'AGREED',
    signedOn: null,
    concludedOn: null,
    concludedOnLabel: null,
    eventId: null,
    summary: 'Generated test data.',
    synthetic: true,
  }));
  const areas = plan.agreements.map((a) => ({ agreementId: a.id, specialty: a.area }));
  const parties = plan.agreements.flatMap((a) =>
    a.partyIds.map((institutionId, position) => {
      const country = countryOf.get(institutionId);
      if (country === undefined) throw new Error(`synthetic agreement ${a.id} names ${institutionId}, which is not in the plan`);
      return { agreementId: a.id, institutionId, position, role: null, representativeId: null, country };
    }),
  );
  const milestones = plan.agreements.map((a) => {
    const year = 2027 + (a.index % 4);
    return {
      id: `${a.id}-milestone`,
      agreementId: a.id,
      title: `Synthetic milestone ${a.index}`,
      due: String(year),
      dueLabel: `by ${year}`,
      status: 'PLANNED',
      position: 0,
    };
  });
  await dataSource.transaction(async (manager) => {
    await insertRows(manager, Agreement, agreements);
    await insertRows(manager, AgreementArea, areas);
    await insertRows(manager, AgreementParty, parties);
    await insertRows(manager, Milestone, milestones);
  });
}
