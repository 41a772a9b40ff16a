import { partnersOf } from '@partnership/domain';
import { badUserInput, lockRow, requireWriter, type Caller, type Database } from '@partnership/subgraph-kit';
import type { EntityManager } from 'typeorm';
import { Agreement, AgreementParty } from '../entities';

/** Statuses after which an agreement takes no new parties or milestones. */
export const CLOSED_STATUSES: readonly string[] = ['COMPLETED', 'TERMINATED'];

/** The agreement's parties, in order, after checking that the caller is an editor of one of their partners (or admin). */
export async function authorizeOnAgreement(manager: EntityManager, caller: Caller | null, agreementId: string): Promise<AgreementParty[]> {
  const parties = await manager.find(AgreementParty, { where: { agreementId }, order: { position: 'ASC', institutionId: 'ASC' } });
  requireWriter(caller, partnersOf(parties.map((p) => p.country)), `Agreement "${agreementId}"`);
  return parties;
}

/**
 * Inside a mutation's transaction: the agreement, locked until the transaction ends, and its parties, once the caller
 * may change it. An unknown id is a BAD_USER_INPUT on `field`. Writes use `agreement.id`, the id as stored.
 */
export async function agreementForWrite(
  manager: EntityManager,
  caller: Caller | null,
  agreementId: string,
  field: string,
): Promise<{ agreement: Agreement; parties: AgreementParty[] }> {
  const agreement = await lockRow(manager, Agreement, agreementId);
  if (agreement === null) throw badUserInput(`there is no agreement with id "${agreementId}"`, field);
  return { agreement, parties: await authorizeOnAgreement(manager, caller, agreement.id) };
}

/**
 * Before asking another subgraph anything, a read-only check that the agreement exists and the caller may change it,
 * so a refused caller learns nothing else. The mutation's transaction checks again (parties may have been added since).
 */
export async function preauthorize(database: Database, caller: Caller | null, agreementId: string, field: string): Promise<void> {
  const manager = database.dataSource.manager;
  if (!(await manager.existsBy(Agreement, { id: agreementId }))) throw badUserInput(`there is no agreement with id "${agreementId}"`, field);
  await authorizeOnAgreement(manager, caller, agreementId);
}
