import { badUserInput, recordAudit, requireEditorRole, requireVersion, updateVersioned, validateId } from '@partnership/subgraph-kit';
import type { AgreementsContext } from '../context';
import { Agreement, AgreementParty } from '../entities';
import { agreementForWrite, CLOSED_STATUSES, preauthorize } from './access';
import { LIMITS } from './input';
import { checkParties, validParties, type PartyField } from './parties';
import { agreementSnapshot } from './snapshot';

export interface AddAgreementPartyInput {
  agreementId: string;
  version: number;
  institutionId: string;
  role?: string | null;
  representativeId?: string | null;
}

const partyField: PartyField = (_i, name) => `input.${name}`;

/**
 * Only the partners of the existing parties may add a party: an institution's partner cannot make itself a party
 * (and so an owner) of an agreement on its own. An agreement has at most LIMITS.parties parties: counted under its lock.
 */
export async function addAgreementParty(input: AddAgreementPartyInput, context: AgreementsContext): Promise<{ agreement: Agreement }> {
  requireEditorRole(context.caller, 'agreements');
  const agreementId = validateId(input.agreementId, 'input.agreementId');
  await preauthorize(context.database, context.caller, agreementId, 'input.agreementId');
  const [party] = await checkParties(context, validParties([input], partyField), partyField);
  return context.database.transaction(async (manager) => {
    const { agreement: before, parties } = await agreementForWrite(manager, context.caller, agreementId, 'input.agreementId');
    // The stored id, not the client's spelling, from here on.
    const { id } = before;
    requireVersion('Agreement', id, before.version, input.version);
    if (CLOSED_STATUSES.includes(before.status)) {
      throw badUserInput(`agreement "${id}" is ${before.status}: it takes no new parties`, 'input.agreementId');
    }
    if (parties.some((p) => p.institutionId === party.institutionId)) {
      throw badUserInput(`"${party.institutionId}" is already a party to agreement "${id}"`, 'input.institutionId');
    }
    if (parties.length >= LIMITS.parties) {
      throw badUserInput(
        `input.agreementId: agreement "${id}" has ${parties.length} parties, the most an agreement may have (${LIMITS.parties})`,
        'input.agreementId',
      );
    }
    const row: AgreementParty = { agreementId: id, position: Math.max(-1, ...parties.map((p) => p.position)) + 1, ...party };
    await manager.insert(AgreementParty, row);
    // A new party changes the agreement (and who owns it): its version moves on.
    const after = await updateVersioned(manager, Agreement, id, input.version, {}, 'Agreement');
    await recordAudit(manager, context, {
      mutation: 'addAgreementParty',
      recordType: 'Agreement',
      recordId: id,
      before: await agreementSnapshot(manager, before, parties),
      after: await agreementSnapshot(manager, after, [...parties, row]),
    });
    return { agreement: after };
  });
}
