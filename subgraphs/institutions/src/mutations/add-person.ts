import { randomUUID } from 'node:crypto';
import {
  badUserInput,
  createOnce,
  isUniqueViolation,
  recordAudit,
  requireEditorRole,
  requireWriter,
  searchTextOf,
  validateId,
  validateNewId,
  type IdempotentCreate,
} from '@partnership/subgraph-kit';
import type { InstitutionsContext } from '../context';
import { Person } from '../entities';
import { ownerOfInstitution } from './access';
import { LIMITS, optionalEmail, optionalPhone, optionalText, requiredText } from './input';
import { personSnapshot } from './snapshot';

export interface AddPersonInput {
  id?: string | null;
  institutionId?: string | null;
  fullName: string;
  title?: string | null;
  email?: string | null;
  phone?: string | null;
  idempotencyKey?: string | null;
}

export async function addPerson(input: AddPersonInput, context: InstitutionsContext): Promise<{ person: Person }> {
  const caller = requireEditorRole(context.caller, 'people');
  const id = input.id == null ? null : validateNewId(input.id, 'input.id');
  const institutionId = input.institutionId == null ? null : validateId(input.institutionId, 'input.institutionId');
  const fields = {
    fullName: requiredText(input.fullName, 'input.fullName', LIMITS.fullName),
    title: optionalText(input.title, 'input.title', LIMITS.title),
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

function idTaken(id: string) {
  return badUserInput(`input.id "${id}" is already used by another person: choose another slug, or omit id for a generated one`, 'input.id');
}
