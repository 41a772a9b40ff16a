import { createHash, randomUUID } from 'node:crypto';
import { badUserInput, isUniqueViolation, lockRow, partnersOf, recordAudit, requireEditorRole, requireWriter, validateId } from '@partnership/subgraph-kit';
import { Not, type EntityManager } from 'typeorm';
import type { TrainingContext } from '../context';
import { Cohort, EnrollmentRequest, Placement, Trainee } from '../entities';
import { LIMITS, requiredText } from './input';

export interface EnrollTraineeInput {
  cohortId: string;
  fullName: string;
  homeInstitutionId: string;
  idempotencyKey?: string | null;
}

/**
 * Enrols a new trainee in a cohort. Capacity holds under concurrency: the cohort row is locked while the active
 * (not withdrawn) placements are counted and the new one is written. With an idempotency key, a retry returns the
 * first placement and writes nothing; the (caller, key) primary key settles retries that race each other.
 */
export async function enrollTrainee(input: EnrollTraineeInput, context: TrainingContext): Promise<{ placement: Placement }> {
  const caller = requireEditorRole(context.caller, 'trainees and placements');
  const cohortId = validateId(input.cohortId, 'input.cohortId');
  const fullName = requiredText(input.fullName, 'input.fullName', LIMITS.name);
  const homeInstitutionId = validateId(input.homeInstitutionId, 'input.homeInstitutionId');
  const key = validKey(input.idempotencyKey);
  const inputHash = createHash('sha256').update(JSON.stringify([cohortId, fullName, homeInstitutionId])).digest('hex');
  const { dataSource } = context.database;
  // Keys belong to one caller: the same subject name under another partner (or another identity provider) is someone else.
  const scope = createHash('sha256').update(`${caller.partner}\n${caller.subject}`).digest('hex');
  const request = key === null ? null : { subject: scope, idempotencyKey: key, inputHash };

  // A retry of a request already done answers from what it wrote, before any other check or lookup.
  if (request !== null) {
    const earlier = await dataSource.manager.findOneBy(EnrollmentRequest, { subject: request.subject, idempotencyKey: request.idempotencyKey });
    if (earlier !== null) return replay(dataSource.manager, earlier, inputHash);
  }
  if (!(await dataSource.getRepository(Cohort).existsBy({ id: cohortId }))) throw noCohort(cohortId);
  // Network lookups happen before the transaction: no row lock is held while another service answers.
  const homes = await context.peers.find<{ id: string; country: string }>('institutions', 'Institution', [homeInstitutionId], 'country', context.caller);
  const home = homes.get(homeInstitutionId);
  if (home === undefined) throw badUserInput(`input.homeInstitutionId: there is no institution "${homeInstitutionId}"`, 'input.homeInstitutionId');
  requireWriter(context.caller, partnersOf([home.country]), `trainees from ${homeInstitutionId}`);

  try {
    return await context.database.transaction(async (manager) => {
      const cohort = await lockRow(manager, Cohort, cohortId);
      if (cohort === null) throw noCohort(cohortId);
      // Under the cohort lock, a concurrent retry for this cohort that finished first is visible here.
      if (request !== null) {
        const earlier = await manager.findOneBy(EnrollmentRequest, { subject: request.subject, idempotencyKey: request.idempotencyKey });
        if (earlier !== null) return replay(manager, earlier, inputHash);
      }
      const taken = await manager.countBy(Placement, { cohortId, status: Not('WITHDRAWN') });
      if (cohort.plannedSize !== null && taken >= cohort.plannedSize) {
        throw badUserInput(`cohort ${cohortId} is full: ${taken} of ${cohort.plannedSize} places taken`, 'input.cohortId');
      }
      const trainee: Trainee = { id: randomUUID(), fullName, homeInstitutionId, synthetic: false };
      const placement: Placement = { id: randomUUID(), cohortId, traineeId: trainee.id, status: 'ENROLLED', version: 1, synthetic: false };
      await manager.insert(Trainee, trainee);
      await manager.insert(Placement, placement);
      if (request !== null) await manager.insert(EnrollmentRequest, { ...request, placementId: placement.id, createdAt: new Date().toISOString() });
      await recordAudit(manager, context, { mutation: 'enrollTrainee', recordType: 'Trainee', recordId: trainee.id, before: null, after: trainee });
      await recordAudit(manager, context, { mutation: 'enrollTrainee', recordType: 'Placement', recordId: placement.id, before: null, after: placement });
      return { placement };
    });
  } catch (err) {
    // A retry with the same key for another cohort got in first (the lock above is per cohort): the key decides.
    if (request === null || !isUniqueViolation(err)) throw err;
    const earlier = await dataSource.manager.findOneBy(EnrollmentRequest, { subject: request.subject, idempotencyKey: request.idempotencyKey });
    if (earlier === null) throw err;
    return replay(dataSource.manager, earlier, inputHash);
  }
}

async function replay(manager: EntityManager, earlier: EnrollmentRequest, inputHash: string): Promise<{ placement: Placement }> {
  if (earlier.inputHash !== inputHash) {
    throw badUserInput(
      `input.idempotencyKey "${earlier.idempotencyKey}" was already used for a different enrolment: send the same input to retry it, or a new key for a new enrolment`,
      'input.idempotencyKey',
    );
  }
  return { placement: await manager.findOneByOrFail(Placement, { id: earlier.placementId }) };
}

function validKey(key: string | null | undefined): string | null {
  if (key === null || key === undefined) return null;
  if (key.trim().length === 0 || key.length > LIMITS.idempotencyKey) {
    throw badUserInput(`input.idempotencyKey must be 1–${LIMITS.idempotencyKey} characters, not blank (omit it to enrol without one)`, 'input.idempotencyKey');
  }
  return key;
}

function noCohort(id: string) {
  return badUserInput(`input.cohortId: there is no cohort "${id}"`, 'input.cohortId');
}
