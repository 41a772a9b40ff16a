import { randomUUID } from 'node:crypto';
import { partnersOf } from '@partnership/domain';
import {
  badUserInput,
  createOnce,
  earlierCreate,
  isUniqueViolation,
  lockRow,
  partialDateOrNull,
  recordAudit,
  requireEditorRole,
  requireWriter,
  validateId,
  validateNewId,
  type IdempotentCreate,
  type PartialDate,
} from '@partnership/subgraph-kit';
import type { TrainingContext } from '../context';
import { Cohort, TrainingProgram, TrainingProgramHost } from '../entities';
import { integerInRange, LIMITS, optionalPartialDate } from './input';

export interface ScheduleCohortInput {
  id?: string | null;
  programId: string;
  hostInstitutionId: string;
  startsOn?: string | null;
  startsOnLabel?: string | null;
  plannedSize: number;
  idempotencyKey?: string | null;
}

type ScheduleCohortPayload = { cohort: Cohort };

/**
 * Schedules a cohort at a host institution (whose partner may do so) and makes the institution one of the
 * programme's hosts if it is not yet. The programme row is locked, so concurrent cohorts add a host once and never
 * take the programme past LIMITS.cohorts cohorts or LIMITS.hosts hosts.
 */
export async function scheduleCohort(input: ScheduleCohortInput, context: TrainingContext): Promise<ScheduleCohortPayload> {
  const caller = requireEditorRole(context.caller, 'cohorts');
  const id = input.id === null || input.id === undefined ? null : validateNewId(input.id, 'input.id');
  const programId = validateId(input.programId, 'input.programId');
  const hostInstitutionId = validateId(input.hostInstitutionId, 'input.hostInstitutionId');
  const startsOn = optionalPartialDate(input.startsOn, input.startsOnLabel, 'input.startsOn', 'input.startsOnLabel');
  const plannedSize = integerInRange(input.plannedSize, 'input.plannedSize', 1, LIMITS.plannedSize);
  const request: IdempotentCreate<ScheduleCohortPayload> = {
    mutation: 'scheduleCohort',
    what: 'cohort',
    caller,
    idempotencyKey: input.idempotencyKey,
    input: { id, programId, hostInstitutionId, startsOn: startsOn.value, startsOnLabel: startsOn.label, plannedSize },
    recordId: id ?? randomUUID(),
    replay: async (manager, cohortId) => ({ cohort: await manager.findOneByOrFail(Cohort, { id: cohortId }) }),
  };

  const earlier = await earlierCreate(context.database, request);
  if (earlier !== null) return earlier;
  const programme = await context.database.dataSource.getRepository(TrainingProgram).findOneBy({ id: programId });
  if (programme === null) throw noProgramme(programId);
  checkStartWithinProgramme(startsOn.parsed, programme);
  const hosts = await context.peers.find<{ id: string; country: string }>('institutions', 'Institution', [hostInstitutionId], 'country', context.caller);
  const host = hosts.get(hostInstitutionId);
  if (host === undefined) throw badUserInput(`input.hostInstitutionId: there is no institution "${hostInstitutionId}"`, 'input.hostInstitutionId');
  requireWriter(context.caller, partnersOf([host.country]), `a cohort hosted by ${hostInstitutionId}`);

  try {
    return await createOnce(context.database, request, async (manager) => {
      // Read again under lock: the programme's dates, cohorts and hosts are what this write is checked against.
      const current = await lockRow(manager, TrainingProgram, programId);
      if (current === null) throw noProgramme(programId);
      checkStartWithinProgramme(startsOn.parsed, current);
      const cohorts = await manager.countBy(Cohort, { programId: current.id });
      if (cohorts >= LIMITS.cohorts) {
        throw badUserInput(
          `input.programId: programme "${current.id}" has ${cohorts} cohorts, the most a programme may have (${LIMITS.cohorts})`,
          'input.programId',
        );
      }
      const hostIds = (await manager.findBy(TrainingProgramHost, { programId: current.id })).map((h) => h.institutionId).sort();
      const newHost = !hostIds.includes(host.id);
      if (newHost && hostIds.length >= LIMITS.hosts) {
        throw badUserInput(
          `input.hostInstitutionId: programme "${current.id}" has ${hostIds.length} host institutions, the most a programme may have (${LIMITS.hosts}); schedule the cohort at one of them`,
          'input.hostInstitutionId',
        );
      }
      if (await manager.existsBy(Cohort, { id: request.recordId })) throw idTaken(request.recordId);
      // References hold the ids as their owners store them, never the client's spelling.
      const cohort: Cohort = {
        id: request.recordId,
        programId: current.id,
        hostInstitutionId: host.id,
        startsOn: startsOn.value,
        startsOnLabel: startsOn.label,
        plannedSize,
        synthetic: false,
      };
      await manager.insert(Cohort, cohort);
      await recordAudit(manager, context, { mutation: 'scheduleCohort', recordType: 'Cohort', recordId: cohort.id, before: null, after: cohort });
      if (newHost) {
        await manager.insert(TrainingProgramHost, { programId: current.id, institutionId: host.id });
        await recordAudit(manager, context, {
          mutation: 'scheduleCohort',
          recordType: 'TrainingProgram',
          recordId: current.id,
          before: { id: current.id, hostInstitutionIds: hostIds },
          after: { id: current.id, hostInstitutionIds: [...hostIds, host.id].sort() },
        });
      }
      return { cohort };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw idTaken(request.recordId);
    throw err;
  }
}

function checkStartWithinProgramme(startsOn: PartialDate | null, programme: TrainingProgram): void {
  const target = partialDateOrNull(programme.targetDate, programme.targetDateLabel);
  if (startsOn !== null && target !== null && startsOn.earliest > target.latest) {
    throw badUserInput(
      `input.startsOn (${startsOn.label}) must not be after the programme's target date ends (${target.label}, ${target.latest})`,
      'input.startsOn',
    );
  }
}

function noProgramme(id: string) {
  return badUserInput(`input.programId: there is no training programme "${id}"`, 'input.programId');
}

function idTaken(id: string) {
  return badUserInput(`input.id: a cohort "${id}" already exists; choose another id or omit it for a UUID`, 'input.id');
}
