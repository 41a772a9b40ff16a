import { randomUUID } from 'node:crypto';
import { badUserInput, isUniqueViolation, lockRow, partnersOf, recordAudit, requireVersion, requireWriter, searchTextOf, updateVersioned, validateId, validateNewId, type Partner } from '@partnership/subgraph-kit';
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
}

export interface UpdatePersonInput extends Omit<AddPersonInput, 'id' | 'fullName'> {
  id: string;
  version: number;
  fullName?: string | null;
}

export async function addPerson(_: unknown, { input }: { input: AddPersonInput }, context: InstitutionsContext) {
  const id = input.id == null ? randomUUID() : validateNewId(input.id, 'input.id');
  const institutionId = input.institutionId == null ? null : validateId(input.institutionId, 'input.institutionId');
  const person = await context.database.transaction(async (manager) => {
    const owner = await ownerOfInstitution(manager, institutionId, 'input.institutionId');
    requireWriter(context.caller, owner.partners, owner.institution === null ? 'a person with no institution' : `a person of ${owner.institution}`);
    const fullName = requiredText(input.fullName, 'input.fullName', MAX_FULL_NAME);
    const row = {
      id, fullName, institutionId,
      title: optionalText(input.title, 'input.title', MAX_TITLE),
      email: optionalEmail(input.email, 'input.email'),
      phone: optionalPhone(input.phone, 'input.phone'),
      searchText: searchTextOf(fullName),
      synthetic: false,
      version: 1,
    };
    if (await manager.getRepository(Person).existsBy({ id })) throw idTaken(id);
    try {
      await manager.insert(Person, row);
    } catch (err) {
      // Two adds with the same id at once (MySQL): the loser learns it here, after the other committed.
      throw isUniqueViolation(err) ? idTaken(id) : err;
    }
    const created = await manager.findOneByOrFail(Person, { id });
    await recordAudit(manager, context, { mutation: 'addPerson', recordType: 'Person', recordId: id, before: null, after: personSnapshot(created) });
    return created;
  });
  return { person };
}

export async function updatePerson(_: unknown, { input }: { input: UpdatePersonInput }, context: InstitutionsContext) {
  const id = validateId(input.id, 'input.id');
  const person = await context.database.transaction(async (manager) => {
    const before = await lockRow(manager, Person, id);
    if (before === null) throw badUserInput(`input.id must be the id of an existing person: there is no person "${id}"`, 'input.id');
    const owner = await ownerOfInstitution(manager, before.institutionId, 'input.id');
    requireWriter(context.caller, owner.partners, owner.institution === null ? `person "${id}", who has no institution,` : `person "${id}" of ${owner.institution}`);

    const changes: Partial<Person> = {};
    if (given(input, 'institutionId')) {
      changes.institutionId = input.institutionId === null ? null : validateId(input.institutionId!, 'input.institutionId');
      if (changes.institutionId !== before.institutionId) {
        const destination = await ownerOfInstitution(manager, changes.institutionId, 'input.institutionId');
        requireWriter(context.caller, destination.partners, destination.institution === null ? 'a person with no institution' : `a person of ${destination.institution}`);
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
 * institution to another country cannot slip between this check and the write). No institution: no partner.
 */
async function ownerOfInstitution(manager: EntityManager, institutionId: string | null, field: string): Promise<{ partners: Partner[]; institution: string | null }> {
  if (institutionId === null) return { partners: [], institution: null };
  const institution = await lockRow(manager, Institution, institutionId);
  if (institution === null) throw noSuchInstitution(institutionId, field);
  return { partners: partnersOf([institution.country]), institution: `institution "${institutionId}" (${institution.country})` };
}

/** What the audit trail keeps of a person (contact details included: the trail is for admins only). */
function personSnapshot(person: Person) {
  const { searchText: _searchText, ...fields } = person;
  return fields;
}

function idTaken(id: string) {
  return badUserInput(`input.id "${id}" is already used by another person: choose another slug, or omit id for a generated one`, 'input.id');
}
