import { randomUUID } from 'node:crypto';
import { badUserInput, isUniqueViolation, partnersOf, recordAudit, requireEditorRole, requireWriter, validateId, validateNewId } from '@partnership/subgraph-kit';
import type { TrainingContext } from '../context';
import { TrainingProgram, TrainingProgramHost } from '../entities';
import { integerInRange, LIMITS, optionalId, optionalPartialDate, optionalText, requiredText } from './input';

export interface CreateTrainingProgramInput {
  id?: string | null;
  title: string;
  specialty: string;
  status?: string | null;
  summary?: string | null;
  traineeCountry: string;
  agreementId?: string | null;
  targetTrainees?: number | null;
  targetDate?: string | null;
  targetDateLabel?: string | null;
  startsOn?: string | null;
  startsOnLabel?: string | null;
  hostInstitutionIds?: string[] | null;
}

/**
 * Records a programme and its hosts. The agreement and the hosts are checked with the subgraphs that own them before
 * the transaction opens; the sending partner (traineeCountry) and the hosts' partners may create it.
 */
export async function createTrainingProgram(input: CreateTrainingProgramInput, context: TrainingContext): Promise<{ trainingProgram: TrainingProgram }> {
  requireEditorRole(context.caller, 'training programmes');
  const id = input.id === null || input.id === undefined ? null : validateNewId(input.id, 'input.id');
  const title = requiredText(input.title, 'input.title', LIMITS.title);
  const summary = optionalText(input.summary, 'input.summary', LIMITS.summary);
  const agreementId = optionalId(input.agreementId, 'input.agreementId');
  const targetTrainees = input.targetTrainees == null ? null : integerInRange(input.targetTrainees, 'input.targetTrainees', 1, LIMITS.targetTrainees);
  const targetDate = optionalPartialDate(input.targetDate, input.targetDateLabel, 'input.targetDate', 'input.targetDateLabel');
  const startsOn = optionalPartialDate(input.startsOn, input.startsOnLabel, 'input.startsOn', 'input.startsOnLabel');
  if (targetDate.parsed && startsOn.parsed && targetDate.parsed.latest < startsOn.parsed.earliest) {
    throw badUserInput(
      `input.targetDate (${targetDate.value}) must not end before input.startsOn (${startsOn.value}) begins: end before start`,
      'input.targetDate',
    );
  }
  const hostIds = validHostIds(input.hostInstitutionIds ?? []);

  // Network lookups happen before the transaction: no row is held while another service answers.
  const [agreements, institutions] = await Promise.all([
    context.peers.find('agreements', 'Agreement', agreementId === null ? [] : [agreementId], '', context.caller),
    context.peers.find<{ id: string; country: string }>('institutions', 'Institution', hostIds, 'country', context.caller),
  ]);
  if (agreementId !== null && !agreements.has(agreementId)) {
    throw badUserInput(`input.agreementId: there is no agreement "${agreementId}"`, 'input.agreementId');
  }
  hostIds.forEach((hostId, i) => {
    if (!institutions.has(hostId)) throw badUserInput(`input.hostInstitutionIds[${i}]: there is no institution "${hostId}"`, `input.hostInstitutionIds[${i}]`);
  });
  // The sending partner (trainee country) or a hosting partner may create a programme, but each host is named only by
  // its own partner (or an admin), as for scheduleCohort: no partner commits another partner's institution.
  requireWriter(context.caller, partnersOf([input.traineeCountry, ...[...institutions.values()].map((i) => i.country)]), `a training programme for trainees from ${input.traineeCountry}`);
  hostIds.forEach((hostId) => requireWriter(context.caller, partnersOf([institutions.get(hostId)!.country]), `host institution ${hostId}`));

  const programme: TrainingProgram = {
    id: id ?? randomUUID(),
    title,
    specialty: input.specialty,
    status: input.status ?? 'PLANNED',
    summary,
    traineeCountry: input.traineeCountry,
    agreementId,
    targetTrainees,
    targetDate: targetDate.value,
    targetDateLabel: targetDate.label,
    startsOn: startsOn.value,
    startsOnLabel: startsOn.label,
    synthetic: false,
  };
  try {
    await context.database.transaction(async (manager) => {
      if (await manager.existsBy(TrainingProgram, { id: programme.id })) throw idTaken(programme.id);
      await manager.insert(TrainingProgram, programme);
      if (hostIds.length > 0) await manager.insert(TrainingProgramHost, hostIds.map((institutionId) => ({ programId: programme.id, institutionId })));
      await recordAudit(manager, context, {
        mutation: 'createTrainingProgram', recordType: 'TrainingProgram', recordId: programme.id, before: null, after: { ...programme, hostInstitutionIds: hostIds },
      });
    });
  } catch (err) {
    // Two creations with one id at the same moment: the primary key lets one through.
    if (isUniqueViolation(err)) throw idTaken(programme.id);
    throw err;
  }
  return { trainingProgram: programme };
}

function validHostIds(ids: readonly string[]): string[] {
  if (ids.length > LIMITS.hosts) throw badUserInput(`input.hostInstitutionIds must list at most ${LIMITS.hosts} institutions (got ${ids.length})`, 'input.hostInstitutionIds');
  const seen = new Map<string, number>();
  return ids.map((raw, i) => {
    const id = validateId(raw, `input.hostInstitutionIds[${i}]`);
    const first = seen.get(id);
    if (first !== undefined) throw badUserInput(`input.hostInstitutionIds[${i}] repeats "${id}" (already at [${first}]): list each host once`, `input.hostInstitutionIds[${i}]`);
    seen.set(id, i);
    return id;
  });
}

function idTaken(id: string) {
  return badUserInput(`input.id: a training programme "${id}" already exists; choose another id or omit it for a UUID`, 'input.id');
}
