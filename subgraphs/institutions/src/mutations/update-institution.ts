import { partnersOf } from '@partnership/domain';
import {
  badUserInput,
  insertRows,
  lockRow,
  recordAudit,
  requireVersion,
  requireWriter,
  searchTextOf,
  updateVersioned,
  validateId,
} from '@partnership/subgraph-kit';
import type { EntityManager } from 'typeorm';
import type { InstitutionsContext } from '../context';
import { Institution, InstitutionSpecialty } from '../entities';
import { noSuchInstitution } from './access';
import type { CreateInstitutionInput } from './create-institution';
import { distinct, given, LIMITS, notNull, optionalText, requiredText } from './input';
import { institutionSnapshot, specialtiesOf } from './snapshot';

export interface UpdateInstitutionInput
  extends Partial<Omit<CreateInstitutionInput, 'id' | 'name' | 'kind' | 'status' | 'country' | 'specialties' | 'idempotencyKey'>> {
  id: string;
  version: number;
  name?: string | null;
  kind?: string | null;
  status?: string | null;
  country?: string | null;
  specialties?: string[] | null;
}

export async function updateInstitution(input: UpdateInstitutionInput, context: InstitutionsContext) {
  const requestedId = validateId(input.id, 'input.id');
  const institution = await context.database.transaction(async (manager) => {
    const before = await lockRow(manager, Institution, requestedId);
    if (before === null) throw noSuchInstitution(requestedId, 'input.id');
    // The stored id, not the client's spelling, from here on.
    const { id } = before;
    requireWriter(context.caller, partnersOf([before.country]), `institution "${id}"`);
    const country = given(input, 'country') ? notNull(input.country!, 'input.country') : before.country;
    if (country !== before.country) requireWriter(context.caller, partnersOf([country]), `an institution in ${country}`);
    requireVersion('institution', id, before.version, input.version);

    const changes: Partial<Institution> = { country };
    if (given(input, 'name')) changes.name = requiredText(notNull(input.name!, 'input.name'), 'input.name', LIMITS.institutionName);
    if (given(input, 'localName')) changes.localName = optionalText(input.localName, 'input.localName', LIMITS.institutionName);
    if (given(input, 'kind')) changes.kind = notNull(input.kind!, 'input.kind');
    if (given(input, 'status')) changes.status = notNull(input.status!, 'input.status');
    if (given(input, 'city')) changes.city = optionalText(input.city, 'input.city', LIMITS.city);
    if (given(input, 'brand')) changes.brand = optionalText(input.brand, 'input.brand', LIMITS.brand);
    if (given(input, 'description')) changes.description = optionalText(input.description, 'input.description', LIMITS.description);
    if (given(input, 'partOfId')) {
      changes.partOfId = input.partOfId === null ? null : await parentWithoutCycle(manager, id, validateId(input.partOfId!, 'input.partOfId'));
    }
    const specialties = given(input, 'specialties') ? distinct(notNull(input.specialties!, 'input.specialties'), 'input.specialties') : null;
    changes.searchText = searchTextOf(changes.name ?? before.name, changes.localName === undefined ? before.localName : changes.localName);

    const specialtiesBefore = await specialtiesOf(manager, id);
    const after = await updateVersioned(manager, Institution, id, input.version, changes, 'institution');
    if (specialties !== null) {
      await manager.delete(InstitutionSpecialty, { institutionId: id });
      await insertRows(
        manager,
        InstitutionSpecialty,
        specialties.map((specialty) => ({ institutionId: id, specialty })),
      );
    }
    await recordAudit(manager, context, {
      mutation: 'updateInstitution',
      recordType: 'Institution',
      recordId: id,
      before: institutionSnapshot(before, specialtiesBefore),
      after: institutionSnapshot(after, await specialtiesOf(manager, id)),
    });
    return after;
  });
  return { institution };
}

/**
 * `partOf` must not loop: walks up from the new parent, locking each ancestor (so two concurrent updates cannot
 * each close half of a loop), and refuses when it reaches the institution being changed. Returns the parent's id as
 * stored.
 */
async function parentWithoutCycle(manager: EntityManager, id: string, partOfId: string): Promise<string> {
  const parent = await lockRow(manager, Institution, partOfId);
  if (parent === null) throw noSuchInstitution(partOfId, 'input.partOfId');
  const seen = new Set<string>();
  for (let ancestor: Institution | null = parent; ancestor !== null && !seen.has(ancestor.id); ) {
    if (ancestor.id === id) {
      throw badUserInput(
        ancestor === parent
          ? `input.partOfId cannot be the institution itself ("${id}")`
          : `input.partOfId "${parent.id}" is itself part of "${id}": an institution cannot be part of itself, directly or indirectly`,
        'input.partOfId',
      );
    }
    seen.add(ancestor.id);
    ancestor = ancestor.partOfId === null ? null : await lockRow(manager, Institution, ancestor.partOfId);
  }
  return parent.id;
}
