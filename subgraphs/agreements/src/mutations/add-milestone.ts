import { randomUUID } from 'node:crypto';
import { badUserInput, createOnce, recordAudit, requireEditorRole, validateId, type IdempotentCreate } from '@partnership/subgraph-kit';
import type { AgreementsContext } from '../context';
import { Agreement, Milestone } from '../entities';
import { agreementForWrite, CLOSED_STATUSES } from './access';
import { LIMITS, optionalText, partialDateInput, requiredText } from './input';

export interface AddMilestoneInput {
  agreementId: string;
  title: string;
  due?: string | null;
  dueLabel?: string | null;
  status?: string | null;
  idempotencyKey?: string | null;
}

type AddMilestonePayload = { milestone: Milestone; agreement: Agreement };

/**
 * Adds a milestone last, up to LIMITS.milestones per agreement; the agreement's own version does not change (its
 * milestones carry their own).
 */
export async function addMilestone(input: AddMilestoneInput, context: AgreementsContext): Promise<AddMilestonePayload> {
  const caller = requireEditorRole(context.caller, 'agreements');
  const agreementId = validateId(input.agreementId, 'input.agreementId');
  const title = requiredText(input.title, 'input.title', LIMITS.title);
  const due = input.due === null || input.due === undefined ? null : partialDateInput(input.due, 'input.due');
  const dueLabel = optionalText(input.dueLabel, 'input.dueLabel', LIMITS.label);
  if (dueLabel !== null && due === null) throw badUserInput('input.dueLabel needs input.due: a label describes a due date', 'input.dueLabel');
  const status = input.status ?? 'PLANNED';
  const request: IdempotentCreate<AddMilestonePayload> = {
    mutation: 'addMilestone',
    what: 'milestone',
    caller,
    idempotencyKey: input.idempotencyKey,
    input: { agreementId, title, due, dueLabel, status },
    recordId: randomUUID(),
    replay: async (manager, milestoneId) => {
      const milestone = await manager.findOneByOrFail(Milestone, { id: milestoneId });
      return { milestone, agreement: await manager.findOneByOrFail(Agreement, { id: milestone.agreementId }) };
    },
  };
  return createOnce(context.database, request, async (manager) => {
    // The lock on the agreement also makes concurrent additions take turns, so positions never collide and the
    // count below cannot be overtaken.
    const { agreement } = await agreementForWrite(manager, context.caller, agreementId, 'input.agreementId');
    if (CLOSED_STATUSES.includes(agreement.status)) {
      throw badUserInput(`agreement "${agreement.id}" is ${agreement.status}: it takes no new milestones`, 'input.agreementId');
    }
    const count = await manager.countBy(Milestone, { agreementId: agreement.id });
    if (count >= LIMITS.milestones) {
      throw badUserInput(
        `input.agreementId: agreement "${agreement.id}" has ${count} milestones, the most an agreement may have (${LIMITS.milestones})`,
        'input.agreementId',
      );
    }
    const last = await manager.findOne(Milestone, { where: { agreementId: agreement.id }, order: { position: 'DESC' } });
    const milestone: Milestone = {
      id: request.recordId,
      agreementId: agreement.id,
      title,
      due,
      dueLabel,
      status,
      position: last === null ? 0 : last.position + 1,
      version: 1,
    };
    await manager.insert(Milestone, milestone);
    await recordAudit(manager, context, { mutation: 'addMilestone', recordType: 'Milestone', recordId: milestone.id, before: null, after: { ...milestone } });
    return { milestone, agreement };
  });
}
