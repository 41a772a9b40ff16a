import { randomUUID } from 'node:crypto';
import { badUserInput, recordAudit, requireEditorRole, validateId } from '@partnership/subgraph-kit';
import type { AgreementsContext } from '../context';
import { Milestone, type Agreement } from '../entities';
import { agreementForWrite, CLOSED_STATUSES } from './access';
import { MAX_LABEL_LENGTH, MAX_TITLE_LENGTH, optionalText, partialDateInput, requiredText } from './input';

export interface AddMilestoneInput {
  agreementId: string;
  title: string;
  due?: string | null;
  dueLabel?: string | null;
  status?: string | null;
}

/** Adds a milestone last; the agreement's own version does not change (its milestones carry their own). */
export async function addMilestone(_: unknown, { input }: { input: AddMilestoneInput }, context: AgreementsContext): Promise<{ milestone: Milestone; agreement: Agreement }> {
  requireEditorRole(context.caller, 'agreements');
  const agreementId = validateId(input.agreementId, 'input.agreementId');
  const title = requiredText(input.title, 'input.title', MAX_TITLE_LENGTH);
  const due = input.due === null || input.due === undefined ? null : partialDateInput(input.due, 'input.due');
  const dueLabel = optionalText(input.dueLabel, 'input.dueLabel', MAX_LABEL_LENGTH);
  if (dueLabel !== null && due === null) throw badUserInput('input.dueLabel needs input.due: a label describes a due date', 'input.dueLabel');
  return context.database.transaction(async (manager) => {
    // The lock on the agreement also makes concurrent additions take turns, so positions never collide.
    const { agreement } = await agreementForWrite(manager, context.caller, agreementId, 'input.agreementId');
    if (CLOSED_STATUSES.includes(agreement.status)) {
      throw badUserInput(`agreement "${agreementId}" is ${agreement.status}: it takes no new milestones`, 'input.agreementId');
    }
    const last = await manager.findOne(Milestone, { where: { agreementId }, order: { position: 'DESC' } });
    const milestone: Milestone = {
      id: randomUUID(), agreementId, title, due, dueLabel, status: input.status ?? 'PLANNED', position: last === null ? 0 : last.position + 1, version: 1,
    };
    await manager.insert(Milestone, milestone);
    await recordAudit(manager, context, { mutation: 'addMilestone', recordType: 'Milestone', recordId: milestone.id, before: null, after: { ...milestone } });
    return { milestone, agreement };
  });
}
