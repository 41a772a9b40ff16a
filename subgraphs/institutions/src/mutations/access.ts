import { partnersOf, type Partner } from '@partnership/domain';
import { badUserInput, lockRow } from '@partnership/subgraph-kit';
import type { EntityManager } from 'typeorm';
import { Institution } from '../entities';

/**
 * Who owns people of an institution: the partner of its country (the row is locked, so a concurrent move of the
 * institution to another country cannot slip between this check and the write), and its id as stored. No
 * institution: no partner.
 */
export async function ownerOfInstitution(
  manager: EntityManager,
  institutionId: string | null,
  field: string,
): Promise<{ id: string | null; partners: Partner[]; institution: string | null }> {
  if (institutionId === null) return { id: null, partners: [], institution: null };
  const institution = await lockRow(manager, Institution, institutionId);
  if (institution === null) throw noSuchInstitution(institutionId, field);
  return { id: institution.id, partners: partnersOf([institution.country]), institution: `institution "${institution.id}" (${institution.country})` };
}

export function noSuchInstitution(id: string, field: string) {
  return badUserInput(`${field} must be the id of an existing institution: there is no institution "${id}"`, field);
}
