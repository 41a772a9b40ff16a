import { randomUUID } from 'node:crypto';
import { partnersOf } from '@partnership/domain';
import {
  badUserInput,
  createOnce,
  earlierCreate,
  isUniqueViolation,
  recordAudit,
  requireEditorRole,
  requireWriter,
  validateId,
  validateNewId,
  type IdempotentCreate,
} from '@partnership/subgraph-kit';
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
  idempotencyKey?: string | null;
}

type CreateTrainingProgramPayload = { trainingProgram: TrainingProgram };

/**
 * Records a programme and its hosts (at most LIMITS.hosts). The agreement and the hosts are checked with the
 * subgraphs that own them before the transaction opens; the sending partner (traineeCountry) and the hosts' partners
 * may create it.
 */
export async function createTrainingProgram(input: CreateTrainingProgramInput, context: TrainingContext): Promise<CreateTrainingProgramPayload> {
  const caller = requireEditorRole(context.caller, 'training programmes');
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
  const fields = {
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
  };
  const request: IdempotentCreate<CreateTrainingProgramPayload> = {
    mutation: 'createTrainingProgram',
    what: 'training programme',
    caller,
    idempotencyKey: input.idempotencyKey,
    input: { id, ...fields, hostIds },
    recordId: id ?? randomUUID(),
    replay: async (manager, programmeId) => ({ trainingProgram: await manager.findOneByOrFail(TrainingProgram, { id: programmeId }) }),
  };

  const earlier = await earlierCreate(context.database, request);
  if (earlier !== null) return earlier;
  // Network lookups happen before the transaction: no row is held while another service answers.
  const [agreements, institutions] = await Promise.all([
    context.peers.find('agreements', 'Agreement', agreementId === null ? [] : [agreementId], '', context.caller),
    context.peers.find<{ id: string; country: string }>('institutions', 'Institution', hostIds, 'country', context.caller),
  ]);
  const agreement = agreementId === null ? null : agreements.get(agreementId);
  if (agreement === undefined) throw badUserInput(`input.agreementId: there is no agreement "${agreementId}"`, 'input.agreementId');
  const hosts = hostIds.map((hostId, i) => {
    const host = institutions.get(hostId);
    if (host === undefined) throw badUserInput(`input.hostInstitutionIds[${i}]: there is no institution "${hostId}"`, `input.hostInstitutionIds[${i}]`);
    return host;
  });
  // The sending partner (trainee country) or a hosting partner may create a programme, but each host is named only by
  // its own partner (or an admin), as for scheduleCohort: no partner commits another partner's institution.
  requireWriter(caller, partnersOf([input.traineeCountry, ...hosts.map((h) => h.country)]), `a training programme for trainees from ${input.traineeCountry}`);
  for (const host of hosts) requireWriter(caller, partnersOf([host.country]), `host institution ${host.id}`);

  // References hold the ids as their owners return them, never the client's spelling.
  const programme: TrainingProgram = { id: request.recordId, ...fields, agreementId: agreement?.id ?? null, synthetic: false };
  const hostInstitutionIds = hosts.map((host) => host.id);
  try {
    return await createOnce(context.database, request, async (manager) => {
      if (await manager.existsBy(TrainingProgram, { id: programme.id })) throw idTaken(programme.id);
      await manager.insert(TrainingProgram, programme);
      if (hosts.length > 0)
        await manager.insert(
          TrainingProgramHost,
          hostInstitutionIds.map((institutionId) => ({ programId: programme.id, institutionId })),
        );
      await recordAudit(manager, context, {
        mutation: 'createTrainingProgram',
        recordType: 'TrainingProgram',
        recordId: programme.id,
        before: null,
        after: { ...programme, hostInstitutionIds },
      });
      return { trainingProgram: programme };
    });
  } catch (err) {
    // Two creations with one id at the same moment: the primary key lets one through.
    if (isUniqueViolation(err)) throw idTaken(programme.id);
    throw err;
  }
}

function validHostIds(ids: readonly string[]): string[] {
  if (ids.length > LIMITS.hosts)
    throw badUserInput(`input.hostInstitutionIds must list at most ${LIMITS.hosts} institutions (got ${ids.length})`, 'input.hostInstitutionIds');
  const seen = new Map<string, number>();
  return ids.map((raw, i) => {
    const id = validateId(raw, `input.hostInstitutionIds[${i}]`);
    const first = seen.get(id);
    if (first !== undefined)
      throw badUserInput(`input.hostInstitutionIds[${i}] repeats "${id}" (already at [${first}]): list each host once`, `input.hostInstitutionIds[${i}]`);
    seen.set(id, i);
    return id;
  });
}

function idTaken(id: string) {
  return badUserInput(`input.id: a training programme "${id}" already exists; choose another id or omit it for a UUID`, 'input.id');
}
