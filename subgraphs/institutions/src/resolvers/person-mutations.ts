import { randomUUID } from 'node:crypto';
import {
  badUserInput, createOnce, isUniqueViolation, lockRow, partnersOf, recordAudit, requireEditorRole, requireVersion, requireWriter, searchTextOf, updateVersioned, validateId,
  validateNewId, type IdempotentCreate, type Partner,
} from '@partnership/subgraph-kit';
import type { EntityManager } from 'typeorm';
import type { InstitutionsContext } from '../context';
import { Institution, Person } from '../entities';
import { given, notNull, optionalEmail, optionalPhone, optionalText, requiredText } from './input-checks';
import { noSuchInstitution } from './institution-mutations';

/** The person table's full_name column holds 200 characters. */
export const MAX_FULL_NAME = 200;
export const MAX_TITLE = 300;

export interface AddPersonInput {
  id?: string | null;
  institutionId?: string | null;
  fullName: string;
  title?: string | null;
  email?: string | null;
  phone?: string | null;
  idempotencyKey?: string | null;
}

export interface UpdatePersonInput extends Omit<AddPersonInput, 'id' | 'fullName' | 'idempotencyKey'> {
  id: string;
  version: number;
  fullName?: string | null;
}

export async function addPerson(_: unknown, { input }: { input: AddPersonInput }, context: InstitutionsContext): Promise<{ person: Person }> {
  const caller = requireEditorRole(context.caller, 'people');
  const id = input.id == null ? null : validateNewId(input.id, 'input.id');
  const institutionId = input.institutionId == null ? null : validateId(input.institutionId, 'input.institutionId');
  const fields = {
    fullName: requiredText(input.fullName, 'input.fullName', MAX_FULL_NAME),
    title: optionalText(input.title, 'input.title', MAX_TITLE),
    email: optionalEmail(input.email, 'input.email'),
    phone: optionalPhone(input.phone, 'input.phone'),
  };
  const request: IdempotentCreate<{ person: Person }> = {
    mutation: 'addPerson',
    what: 'person',
    caller,
    idempotencyKey: input.idempotencyKey,
    input: { id, institutionId, ...fields },
    recordId: id ?? randomUUID(),
    replay: async (manager, personId) => ({ person: await manager.findOneByOrFail(Person, { id: personId }) }),
  };
  return createOnce(context.database, request, async (manager) => {
    const owner = await ownerOfInstitution(manager, institutionId, 'input.institutionId');
    requireWriter(caller, owner.partners, owner.institution === null ? 'a person with no institution' : `a person of ${owner.institution}`);
    const newId = request.recordId;
    if (await manager.getRepository(Person).existsBy({ id: newId })) throw idTaken(newId);
    // The institution's id as stored, never the client's spelling.
    const row = { id: newId, ...fields, institutionId: owner.id, searchText: searchTextOf(fields.fullName), synthetic: false, version: 1 };
    try {
      await manager.insert(Person, row);
    } catch (err) {
      // Two adds with the same id at once (MySQL): the loser learns it here, after the other committed.
      throw isUniqueViolation(err) ? idTaken(newId) : err;
    }
    const created = await manager.findOneByOrFail(Person, { id: newId });
    await recordAudit(manager, context, { mutation: 'addPerson', recordType: 'Person', recordId: newId, before: null, after: personSnapshot(created) });
    return { person: created };
  });
}

export async function updatePerson(_: unknown, { input }: { input: UpdatePersonInput }, context: InstitutionsContext) {
  const requestedId = validateId(input.id, 'input.id');
  const person = await context.database.transaction(async (manager) => {
    const before = await lockRow(manager, Person, requestedId);
    if (before === null) throw badUserInput(`input.id must be the id of an existing person: there is no person "${requestedId}"`, 'input.id');
    // The stored id, not the client's spelling, from here on.
    const { id } = before;
    const owner = await ownerOfInstitution(manager, before.institutionId, 'input.id');
    requireWriter(context.caller, owner.partners, owner.institution === null ? `person "${id}", who has no institution,` : `person "${id}" of ${owner.institution}`);

    const changes: Partial<Person> = {};
    if (given(input, 'institutionId')) {
      const institutionId = input.institutionId === null ? null : validateId(input.institutionId!, 'input.institutionId');
      if (institutionId !== before.institutionId) {
        const destination = await ownerOfInstitution(manager, institutionId, 'input.institutionId');
        requireWriter(context.caller, destination.partners, destination.institution === null ? 'a person with no institution' : `a person of ${destination.institution}`);
        changes.institutionId = destination.id;
      }
    }
    requireVersion('person', id, before.version, input.version);
    if (given(input, 'fullName')) changes.fullName = requiredText(notNull(input.fullName!, 'input.fullName'), 'input.fullName', MAX_FULL_NAME);
    if (given(input, 'title')) changes.title = optionalText(input.title, 'input.title', MAX_TITLE);
    if (given(input, 'email')) changes.email = optionalEmail(input.email, 'input.email');
    if (given(input, 'phone')) changes.phone = optionalPhone(input.phone, 'input.phone');
    changes.searchText = searchTextOf(changes.fullName ?? before.fullName);

    const after = await updateVersioned(manager, Person, id, input.version, changes, 'person');
    await recordAudit(manager, context, { mutation: 'updatePerson', recordType: 'Person', recordId: id, before: personSnapshot(before), after: personSnapshot(after) });
    return after;
  });
  return { person };
}

/**
 * Who owns people of an institution: the partner of its country (the row is locked, so a concurrent move of the
 * institution to another country cannot slip between this check and the write), and its id as stored. No
 * institution: no partner.
 */
async function ownerOfInstitution(
  manager: EntityManager,
  institutionId: string | null,
  field: string,
): Promise<{ id: string | null; partners: Partner[]; institution: string | null }> {
  if (institutionId === null) return { id: null, partners: [], institution: null };
  const institution = await lockRow(manager, Institution, institutionId);
  if (institution === null) throw noSuchInstitution(institutionId, field);
  return { id: institution.id, partners: partnersOf([institution.country]), institution: `institution "${institution.id}" (${institution.country})` };
}

/** What the audit trail keeps of a person (contact details included: the trail is for admins only). */
function personSnapshot(person: Person) {
  const { searchText: _searchText, ...fields } = person;
  return fields;
}

function idTaken(id: string) {
  return badUserInput(`input.id "${id}" is already used by another person: choose another slug, or omit id for a generated one`, 'input.id');
}
