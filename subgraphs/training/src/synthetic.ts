import { syntheticId, type SyntheticPlan } from '@partnership/domain';
import { insertRows, type Database } from '@partnership/subgraph-kit';
import { Cohort, Placement, Trainee, TrainingProgram, TrainingProgramHost } from './entities';

/**
 * Writes the plan's programmes, their hosts, cohorts, trainees and placements, all flagged synthetic, in one
 * transaction. Hosts and home institutions are the plan's synthetic institutions (held by the institutions subgraph).
 */
export async function loadSyntheticData({ dataSource }: Database, plan: SyntheticPlan): Promise<void> {
  const agreementParties = new Map(plan.agreements.map((a) => [a.id, a.partyIds]));
  const fallbackHome = plan.institutions[0]?.id ?? null;
  const programmes: TrainingProgram[] = [];
  const hosts: TrainingProgramHost[] = [];
  const cohorts: Cohort[] = [];
  const trainees: Trainee[] = [];
  const placements: Placement[] = [];
  let placementIndex = 0;
  for (const p of plan.programmes) {
    programmes.push({
      id: p.id,
      title: `Synthetic Training Programme ${p.index}`,
      specialty: p.specialty,
      status: 'ACTIVE',
      summary: 'Generated test data.',
      traineeCountry: 'UZ',
      agreementId: p.agreementId,
      targetTrainees: p.cohorts.reduce((sum, c) => sum + c.plannedSize, 0),
      targetDate: '2030',
      targetDateLabel: null,
      startsOn: '2026-01',
      startsOnLabel: null,
      synthetic: true,
    });
    for (const institutionId of new Set(p.cohorts.map((c) => c.hostInstitutionId))) hosts.push({ programId: p.id, institutionId });
    const homeInstitutionId = (p.agreementId === null ? undefined : agreementParties.get(p.agreementId)?.[0]) ?? fallbackHome;
    for (const c of p.cohorts) {
      cohorts.push({
        id: c.id,
        programId: p.id,
        hostInstitutionId: c.hostInstitutionId,
        startsOn: null,
        startsOnLabel: null,
        plannedSize: c.plannedSize,
        synthetic: true,
      });
      for (const traineeId of c.traineeIds) {
        trainees.push({
          id: traineeId,
          fullName: `Synthetic Trainee ${Number(traineeId.slice(traineeId.lastIndexOf('-') + 1))}`,
          homeInstitutionId,
          synthetic: true,
        });
        placements.push({ id: syntheticId('placement', placementIndex++), cohortId: c.id, traineeId, status: 'ENROLLED', version: 1, synthetic: true });
      }
    }
  }
  await dataSource.transaction(async (manager) => {
    await insertRows(manager, TrainingProgram, programmes);
    await insertRows(manager, TrainingProgramHost, hosts);
    await insertRows(manager, Cohort, cohorts);
    await insertRows(manager, Trainee, trainees);
    await insertRows(manager, Placement, placements);
  });
}
