import { badUserInput, recordAudit, requireEditorRole, requireVersion, updateVersioned, validateId } from '@partnership/subgraph-kit';
import type { AgreementsContext } from '../context';
import { Agreement } from '../entities';
import { agreementForWrite } from './access';
import { pastDateInput } from './input';
import { agreementSnapshot } from './snapshot';

export interface SetAgreementStatusInput {
  id: string;
  version: number;
  status: string;
  signedOn?: string | null;
}

/** One step forward at a time, or TERMINATED from any open status; COMPLETED and TERMINATED are final. */
export const NEXT_STATUSES: Readonly<Record<string, readonly string[]>> = {
  PROPOSED: ['UNDER_DISCUSSION', 'TERMINATED'],
  UNDER_DISCUSSION: ['AGREED', 'TERMINATED'],
  AGREED: ['SIGNED', 'TERMINATED'],
  SIGNED: ['ACTIVE', 'TERMINATED'],
  ACTIVE: ['COMPLETED', 'TERMINATED'],
  COMPLETED: [],
  TERMINATED: [],
};

export async function setAgreementStatus(input: SetAgreementStatusInput, context: AgreementsContext): Promise<{ agreement: Agreement }> {
  requireEditorRole(context.caller, 'agreements');
  const id = validateId(input.id, 'input.id');
  const signedOn = input.signedOn === null || input.signedOn === undefined ? null : pastDateInput(input.signedOn, 'input.signedOn');
  if (signedOn !== null && input.status !== 'SIGNED') {
    throw badUserInput(`input.signedOn can be given only when the status becomes SIGNED (not ${input.status})`, 'input.signedOn');
  }
  return context.database.transaction(async (manager) => {
    const { agreement: before, parties } = await agreementForWrite(manager, context.caller, id, 'input.id');
    requireVersion('Agreement', id, before.version, input.version);
    const allowed = NEXT_STATUSES[before.status] ?? [];
    if (!allowed.includes(input.status)) {
      throw badUserInput(
        allowed.length === 0
          ? `agreement "${id}" is ${before.status}: its status can no longer change`
          : `agreement "${id}" is ${before.status}: it can move to ${allowed.join(' or ')} only (not ${input.status})`,
        'input.status',
      );
    }
    // The exact day of signature is also when the agreement was concluded, now known to the day.
    const changes: Partial<Agreement> =
      signedOn === null ? { status: input.status } : { status: input.status, signedOn, concludedOn: signedOn, concludedOnLabel: null };
    // The stored id, not the client's spelling.
    const after = await updateVersioned(manager, Agreement, before.id, input.version, changes, 'Agreement');
    await recordAudit(manager, context, {
      mutation: 'setAgreementStatus',
      recordType: 'Agreement',
      recordId: before.id,
      before: await agreementSnapshot(manager, before, parties),
      after: await agreementSnapshot(manager, after, parties),
    });
    return { agreement: after };
  });
}
