import { badUserInput, lockRow, recordAudit, requireEditorRole, requireVersion, updateVersioned, validateId } from '@partnership/subgraph-kit';
import type { AgreementsContext } from '../context';
import { Milestone } from '../entities';
import { authorizeOnAgreement } from './access';
import { LIMITS, optionalText, partialDateInput, requiredText } from './input';

export interface UpdateMilestoneInput {
  id: string;
  version: number;
  title?: string | null;
  due?: string | null;
  dueLabel?: string | null;
  status?: string | null;
}

const CHANGEABLE = ['title', 'due', 'dueLabel', 'status'] as const;

/**
 * Changes the fields given; omitted ones stay. `due: null` clears the date and its label; a new date without a label
 * drops the old label (it described the old date). Any status may follow any other: milestones get corrected.
 */
export async function updateMilestone(input: UpdateMilestoneInput, context: AgreementsContext): Promise<{ milestone: Milestone }> {
  requireEditorRole(context.caller, 'agreements');
  const id = validateId(input.id, 'input.id');
  if (!CHANGEABLE.some((field) => input[field] !== undefined)) {
    throw badUserInput(`give at least one of ${CHANGEABLE.map((f) => `input.${f}`).join(', ')} to change`, 'input');
  }
  const changes: Partial<Milestone> = {};
  if (input.title !== undefined) changes.title = requiredText(input.title, 'input.title', LIMITS.title);
  if (input.status !== undefined) {
    if (input.status === null) throw badUserInput('input.status must be PLANNED, IN_PROGRESS, DONE or CANCELLED; omit it to keep the status', 'input.status');
    changes.status = input.status;
  }
  if (input.due !== undefined) {
    changes.due = input.due === null ? null : partialDateInput(input.due, 'input.due');
    changes.dueLabel = null;
  }
  if (input.dueLabel !== undefined) changes.dueLabel = optionalText(input.dueLabel, 'input.dueLabel', LIMITS.label);
  return context.database.transaction(async (manager) => {
    const before = await lockRow(manager, Milestone, id);
    if (before === null) throw badUserInput(`there is no milestone with id "${id}"`, 'input.id');
    await authorizeOnAgreement(manager, context.caller, before.agreementId);
    requireVersion('Milestone', id, before.version, input.version);
    const due = changes.due !== undefined ? changes.due : before.due;
    if ((changes.dueLabel ?? null) !== null && due === null) {
      throw badUserInput('input.dueLabel needs a due date: give input.due too, or set one first', 'input.dueLabel');
    }
    // The stored id, not the client's spelling.
    const after = await updateVersioned(manager, Milestone, before.id, input.version, changes, 'Milestone');
    await recordAudit(manager, context, {
      mutation: 'updateMilestone',
      recordType: 'Milestone',
      recordId: before.id,
      before: { ...before },
      after: { ...after },
    });
    return { milestone: after };
  });
}
