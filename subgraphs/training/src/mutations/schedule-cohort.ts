import { randomUUID } from 'node:crypto';
import { badUserInput, isUniqueViolation, lockRow, partialDateOrNull, partnersOf, recordAudit, requireEditorRole, requireWriter, validateId, type PartialDate, validateNewId } from '@partnership/subgraph-kit';
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
}

/**
 * Schedules a cohort at a host institution (whose partner may do so) and makes the institution one of the
 * programme's hosts if it is not yet; the programme row is locked so concurrent cohorts add a host once.
 */
export async function scheduleCohort(input: ScheduleCohortInput, context: TrainingContext): Promise<{ cohort: Cohort }> {
  requireEditorRole(context.caller, 'cohorts');
  const id = input.id === null || input.id === undefined ? null : validateNewId(input.id, 'input.id');
  const programId = validateId(input.programId, 'input.programId');
  const hostInstitutionId = validateId(input.hostInstitutionId, 'input.hostInstitutionId');
  const startsOn = optionalPartialDate(input.startsOn, input.startsOnLabel, 'input.startsOn', 'input.startsOnLabel');
  const plannedSize = integerInRange(input.plannedSize, 'input.plannedSize', 1, LIMITS.plannedSize);

  const programme = await context.database.dataSource.getRepository(TrainingProgram).findOneBy({ id: programId });
  if (programme === null) throw noProgramme(programId);
  checkStartWithinProgramme(startsOn.parsed, programme);
  const hosts = await context.peers.find<{ id: string; country: string }>('institutions', 'Institution', [hostInstitutionId], 'country', context.caller);
  const host = hosts.get(hostInstitutionId);
  if (host === undefined) throw badUserInput(`input.hostInstitutionId: there is no institution "${hostInstitutionId}"`, 'input.hostInstitutionId');
  requireWriter(context.caller, partnersOf([host.country]), `a cohort hosted by ${hostInstitutionId}`);

  const cohort: Cohort = {
    id: id ?? randomUUID(),
    programId,
    hostInstitutionId,
    startsOn: startsOn.value,
    startsOnLabel: startsOn.label,
    plannedSize,
    synthetic: false,
  };
  try {
    await context.database.transaction(async (manager) => {
      // Read again under lock: the programme's dates and hosts are what this write is checked against.
      const current = await lockRow(manager, TrainingProgram, programId);
      if (current === null) throw noProgramme(programId);
      checkStartWithinProgramme(startsOn.parsed, current);
      if (await manager.existsBy(Cohort, { id: cohort.id })) throw idTaken(cohort.id);
      await manager.insert(Cohort, cohort);
      await recordAudit(manager, context, { mutation: 'scheduleCohort', recordType: 'Cohort', recordId: cohort.id, before: null, after: cohort });
      const hostIds = (await manager.findBy(TrainingProgramHost, { programId })).map((h) => h.institutionId).sort();
      if (!hostIds.includes(hostInstitutionId)) {
        await manager.insert(TrainingProgramHost, { programId, institutionId: hostInstitutionId });
        await recordAudit(manager, context, {
          mutation: 'scheduleCohort', recordType: 'TrainingProgram', recordId: programId,
          before: { id: programId, hostInstitutionIds: hostIds }, after: { id: programId, hostInstitutionIds: [...hostIds, hostInstitutionId].sort() },
        });
      }
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw idTaken(cohort.id);
    throw err;
  }
  return { cohort };
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
