import { randomUUID } from 'node:crypto';
import {
  badUserInput, createOnce, insertRows, isUniqueViolation, lockRow, partnersOf, recordAudit, requireVersion, requireWriter, searchTextOf, updateVersioned, validateId, validateNewId,
  type IdempotentCreate,
} from '@partnership/subgraph-kit';
import type { EntityManager } from 'typeorm';
import type { InstitutionsContext } from '../context';
import { Institution, InstitutionSpecialty } from '../entities';
import { distinct, given, notNull, optionalText, requiredText } from './input-checks';

export const MAX_INSTITUTION_NAME = 300;
export const MAX_CITY = 120;
export const MAX_BRAND = 200;
export const MAX_DESCRIPTION = 4000;

export interface CreateInstitutionInput {
  id?: string | null;
  name: string;
  localName?: string | null;
  kind: string;
  status: string;
  country: string;
  city?: string | null;
  brand?: string | null;
  description?: string | null;
  partOfId?: string | null;
  specialties: string[];
  idempotencyKey?: string | null;
}

export interface UpdateInstitutionInput extends Partial<Omit<CreateInstitutionInput, 'id' | 'name' | 'kind' | 'status' | 'country' | 'specialties' | 'idempotencyKey'>> {
  id: string;
  version: number;
  name?: string | null;
  kind?: string | null;
  status?: string | null;
  country?: string | null;
  specialties?: string[] | null;
}

export async function createInstitution(_: unknown, { input }: { input: CreateInstitutionInput }, context: InstitutionsContext): Promise<{ institution: Institution }> {
  const caller = requireWriter(context.caller, partnersOf([input.country]), `an institution in ${input.country}`);
  const id = input.id == null ? null : validateNewId(input.id, 'input.id');
  const name = requiredText(input.name, 'input.name', MAX_INSTITUTION_NAME);
  const localName = optionalText(input.localName, 'input.localName', MAX_INSTITUTION_NAME);
  const fields = {
    name, localName, kind: input.kind, status: input.status, country: input.country,
    city: optionalText(input.city, 'input.city', MAX_CITY),
    brand: optionalText(input.brand, 'input.brand', MAX_BRAND),
    description: optionalText(input.description, 'input.description', MAX_DESCRIPTION),
  };
  const partOfId = input.partOfId == null ? null : validateId(input.partOfId, 'input.partOfId');
  const specialties = distinct(input.specialties, 'input.specialties');
  const request: IdempotentCreate<{ institution: Institution }> = {
    mutation: 'createInstitution',
    what: 'institution',
    caller,
    idempotencyKey: input.idempotencyKey,
    input: { id, ...fields, partOfId, specialties },
    recordId: id ?? randomUUID(),
    replay: async (manager, institutionId) => ({ institution: await manager.findOneByOrFail(Institution, { id: institutionId }) }),
  };

  return createOnce(context.database, request, async (manager) => {
    const newId = request.recordId;
    if (await manager.getRepository(Institution).existsBy({ id: newId })) throw idTaken(newId);
    const parent = partOfId === null ? null : await lockRow(manager, Institution, partOfId);
    if (partOfId !== null && parent === null) throw noSuchInstitution(partOfId, 'input.partOfId');
    // The parent's id as stored, never the client's spelling.
    const row = { id: newId, ...fields, partOfId: parent?.id ?? null, searchText: searchTextOf(name, localName), synthetic: false, version: 1 };
    try {
      await manager.insert(Institution, row);
    } catch (err) {
      // Two creates with the same id at once (MySQL): the loser learns it here, after the other committed.
      throw isUniqueViolation(err) ? idTaken(newId) : err;
    }
    await insertRows(manager, InstitutionSpecialty, specialties.map((specialty) => ({ institutionId: newId, specialty })));
    const created = await manager.findOneByOrFail(Institution, { id: newId });
    await recordAudit(manager, context, { mutation: 'createInstitution', recordType: 'Institution', recordId: newId, before: null, after: institutionSnapshot(created, specialties) });
    return { institution: created };
  });
}

export async function updateInstitution(_: unknown, { input }: { input: UpdateInstitutionInput }, context: InstitutionsContext) {
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
    if (given(input, 'name')) changes.name = requiredText(notNull(input.name!, 'input.name'), 'input.name', MAX_INSTITUTION_NAME);
    if (given(input, 'localName')) changes.localName = optionalText(input.localName, 'input.localName', MAX_INSTITUTION_NAME);
    if (given(input, 'kind')) changes.kind = notNull(input.kind!, 'input.kind');
    if (given(input, 'status')) changes.status = notNull(input.status!, 'input.status');
    if (given(input, 'city')) changes.city = optionalText(input.city, 'input.city', MAX_CITY);
    if (given(input, 'brand')) changes.brand = optionalText(input.brand, 'input.brand', MAX_BRAND);
    if (given(input, 'description')) changes.description = optionalText(input.description, 'input.description', MAX_DESCRIPTION);
    if (given(input, 'partOfId')) {
      changes.partOfId = input.partOfId === null ? null : await parentWithoutCycle(manager, id, validateId(input.partOfId!, 'input.partOfId'));
    }
    const specialties = given(input, 'specialties') ? distinct(notNull(input.specialties!, 'input.specialties'), 'input.specialties') : null;
    changes.searchText = searchTextOf(changes.name ?? before.name, changes.localName === undefined ? before.localName : changes.localName);

    const specialtiesBefore = await specialtiesOf(manager, id);
    const after = await updateVersioned(manager, Institution, id, input.version, changes, 'institution');
    if (specialties !== null) {
      await manager.delete(InstitutionSpecialty, { institutionId: id });
      await insertRows(manager, InstitutionSpecialty, specialties.map((specialty) => ({ institutionId: id, specialty })));
    }
    await recordAudit(manager, context, {
      mutation: 'updateInstitution', recordType: 'Institution', recordId: id,
      before: institutionSnapshot(before, specialtiesBefore), after: institutionSnapshot(after, await specialtiesOf(manager, id)),
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

async function specialtiesOf(manager: EntityManager, institutionId: string): Promise<string[]> {
  return (await manager.find(InstitutionSpecialty, { where: { institutionId }, order: { specialty: 'ASC' } })).map((s) => s.specialty);
}

/** What the audit trail keeps of an institution: every field a client sees, specialties included. */
function institutionSnapshot(institution: Institution, specialties: string[]) {
  const { searchText: _searchText, ...fields } = institution;
  return { ...fields, specialties: [...specialties].sort() };
}

function idTaken(id: string) {
  return badUserInput(`input.id "${id}" is already used by another institution: choose another slug, or omit id for a generated one`, 'input.id');
}

export function noSuchInstitution(id: string, field: string) {
  return badUserInput(`${field} must be the id of an existing institution: there is no institution "${id}"`, field);
}

