import { randomUUID } from 'node:crypto';
import { partnersOf } from '@partnership/domain';
import {
  badUserInput,
  createOnce,
  earlierCreate,
  lockRow,
  recordAudit,
  requireEditorRole,
  requireWriter,
  validateId,
  type IdempotentCreate,
} from '@partnership/subgraph-kit';
import { Not } from 'typeorm';
import type { TrainingContext } from '../context';
import { Cohort, Placement, Trainee } from '../entities';
import { LIMITS, requiredText } from './input';

export interface EnrollTraineeInput {
  cohortId: string;
  fullName: string;
  homeInstitutionId: string;
  idempotencyKey?: string | null;
}

type EnrollTraineePayload = { placement: Placement };

/**
 * Enrols a new trainee in a cohort. Capacity holds under concurrency: the cohort row is locked while the active
 * (not withdrawn) placements are counted and the new one is written. With an idempotency key, a retry returns the
 * first placement and writes nothing (see createOnce).
 */
export async function enrollTrainee(input: EnrollTraineeInput, context: TrainingContext): Promise<EnrollTraineePayload> {
  const caller = requireEditorRole(context.caller, 'trainees and placements');
  const cohortId = validateId(input.cohortId, 'input.cohortId');
  const fullName = requiredText(input.fullName, 'input.fullName', LIMITS.name);
  const homeInstitutionId = validateId(input.homeInstitutionId, 'input.homeInstitutionId');
  const request: IdempotentCreate<EnrollTraineePayload> = {
    mutation: 'enrollTrainee',
    what: 'enrolment',
    caller,
    idempotencyKey: input.idempotencyKey,
    // Hashed as before the kit kept the keys, so keys used then still replay.
    input: [cohortId, fullName, homeInstitutionId],
    recordId: randomUUID(),
    replay: async (manager, placementId) => ({ placement: await manager.findOneByOrFail(Placement, { id: placementId }) }),
  };

  // A retry of a request already done answers from what it wrote, before any other check or lookup.
  const earlier = await earlierCreate(context.database, request);
  if (earlier !== null) return earlier;
  if (!(await context.database.dataSource.getRepository(Cohort).existsBy({ id: cohortId }))) throw noCohort(cohortId);
  // Network lookups happen before the transaction: no row lock is held while another service answers.
  const homes = await context.peers.find<{ id: string; country: string }>('institutions', 'Institution', [homeInstitutionId], 'country', context.caller);
  const home = homes.get(homeInstitutionId);
  if (home === undefined) throw badUserInput(`input.homeInstitutionId: there is no institution "${homeInstitutionId}"`, 'input.homeInstitutionId');
  requireWriter(context.caller, partnersOf([home.country]), `trainees from ${homeInstitutionId}`);

  return createOnce(context.database, request, async (manager) => {
    const cohort = await lockRow(manager, Cohort, cohortId);
    if (cohort === null) throw noCohort(cohortId);
    const taken = await manager.countBy(Placement, { cohortId: cohort.id, status: Not('WITHDRAWN') });
    if (cohort.plannedSize !== null && taken >= cohort.plannedSize) {
      throw badUserInput(`cohort ${cohort.id} is full: ${taken} of ${cohort.plannedSize} places taken`, 'input.cohortId');
    }
    // References hold the ids as their owners store them, never the client's spelling.
    const trainee: Trainee = { id: randomUUID(), fullName, homeInstitutionId: home.id, synthetic: false };
    const placement: Placement = { id: request.recordId, cohortId: cohort.id, traineeId: trainee.id, status: 'ENROLLED', version: 1, synthetic: false };
    await manager.insert(Trainee, trainee);
    await manager.insert(Placement, placement);
    await recordAudit(manager, context, { mutation: 'enrollTrainee', recordType: 'Trainee', recordId: trainee.id, before: null, after: trainee });
    await recordAudit(manager, context, { mutation: 'enrollTrainee', recordType: 'Placement', recordId: placement.id, before: null, after: placement });
    return { placement };
  });
}

function noCohort(id: string) {
  return badUserInput(`input.cohortId: there is no cohort "${id}"`, 'input.cohortId');
}
