import type { EntityManager } from 'typeorm';
import { AgreementArea, AgreementParty, type Agreement } from '../entities';

/**
 * What the audit trail keeps of an agreement: its row with its areas and parties, so that each entry's before and
 * after show the whole agreement (adding a party changes the agreement, not a record of its own).
 */
export async function agreementSnapshot(manager: EntityManager, agreement: Agreement, parties?: AgreementParty[]): Promise<object> {
  const areas = await manager.find(AgreementArea, { where: { agreementId: agreement.id }, order: { specialty: 'ASC' } });
  const partyRows = parties ?? (await manager.find(AgreementParty, { where: { agreementId: agreement.id }, order: { position: 'ASC', institutionId: 'ASC' } }));
  return {
    ...agreement,
    areas: areas.map((a) => a.specialty),
    parties: partyRows.map(({ institutionId, role, representativeId, country }) => ({ institutionId, role, representativeId, country })),
  };
}
