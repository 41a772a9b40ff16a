import { partnersOf } from '@partnership/domain';
import { badUserInput, lockRow, recordAudit, requireEditorRole, requireVersion, requireWriter, updateVersioned, validateId } from '@partnership/subgraph-kit';
import type { TrainingContext } from '../context';
import { Placement, Trainee } from '../entities';
import { integerInRange } from './input';

export interface SetPlacementStatusInput {
  id: string;
  version: number;
  status: string;
}

const FINAL_STATUSES = ['COMPLETED', 'WITHDRAWN'];

/** Completes or withdraws an ENROLLED placement; the partner of the trainee's home institution owns it. */
export async function setPlacementStatus(input: SetPlacementStatusInput, context: TrainingContext): Promise<{ placement: Placement }> {
  requireEditorRole(context.caller, 'placements');
  const id = validateId(input.id, 'input.id');
  const version = integerInRange(input.version, 'input.version', 1, 2_147_483_647);
  if (!FINAL_STATUSES.includes(input.status)) {
    throw badUserInput(`input.status must be COMPLETED or WITHDRAWN (a placement is ENROLLED when made; got ${input.status})`, 'input.status');
  }
  const { manager } = context.database.dataSource;
  const found = await manager.findOneBy(Placement, { id });
  if (found === null) throw noPlacement(id);
  // A trainee's home institution never changes, so its owner can be learnt before the transaction.
  const trainee = await manager.findOneBy(Trainee, { id: found.traineeId });
  const homeId = trainee?.homeInstitutionId ?? null;
  const homes = await context.peers.find<{ id: string; country: string }>(
    'institutions',
    'Institution',
    homeId === null ? [] : [homeId],
    'country',
    context.caller,
  );
  requireWriter(
    context.caller,
    partnersOf([homeId === null ? null : homes.get(homeId)?.country]),
    `the placement of a trainee from ${homeId ?? 'no known institution'}`,
  );

  const placement = await context.database.transaction(async (tx) => {
    const before = await lockRow(tx, Placement, id);
    if (before === null) throw noPlacement(id);
    requireVersion('placement', id, before.version, version);
    if (before.status !== 'ENROLLED') {
      throw badUserInput(
        `input.status: placement "${id}" is ${before.status}, a final status; only an ENROLLED placement can be completed or withdrawn`,
        'input.status',
      );
    }
    // The stored id, not the client's spelling, from here on.
    const after = await updateVersioned(tx, Placement, before.id, version, { status: input.status }, 'placement');
    await recordAudit(tx, context, { mutation: 'setPlacementStatus', recordType: 'Placement', recordId: before.id, before, after });
    return after;
  });
  return { placement };
}

function noPlacement(id: string) {
  return badUserInput(`input.id: there is no placement "${id}"`, 'input.id');
}
