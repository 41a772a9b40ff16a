import { randomUUID } from 'node:crypto';
import { partnersOf } from '@partnership/domain';
import {
  badUserInput,
  createOnce,
  insertRows,
  isUniqueViolation,
  lockRow,
  recordAudit,
  requireWriter,
  searchTextOf,
  validateId,
  validateNewId,
  type IdempotentCreate,
} from '@partnership/subgraph-kit';
import type { InstitutionsContext } from '../context';
import { Institution, InstitutionSpecialty } from '../entities';
import { noSuchInstitution } from './access';
import { distinct, LIMITS, optionalText, requiredText } from './input';
import { institutionSnapshot } from './snapshot';

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

export async function createInstitution(input: CreateInstitutionInput, context: InstitutionsContext): Promise<{ institution: Institution }> {
  const caller = requireWriter(context.caller, partnersOf([input.country]), `an institution in ${input.country}`);
  const id = input.id == null ? null : validateNewId(input.id, 'input.id');
  const name = requiredText(input.name, 'input.name', LIMITS.institutionName);
  const localName = optionalText(input.localName, 'input.localName', LIMITS.institutionName);
  const fields = {
    name,
    localName,
    kind: input.kind,
    status: input.status,
    country: input.country,
    city: optionalText(input.city, 'input.city', LIMITS.city),
    brand: optionalText(input.brand, 'input.brand', LIMITS.brand),
    description: optionalText(input.description, 'input.description', LIMITS.description),
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
    await insertRows(
      manager,
      InstitutionSpecialty,
      specialties.map((specialty) => ({ institutionId: newId, specialty })),
    );
    const created = await manager.findOneByOrFail(Institution, { id: newId });
    await recordAudit(manager, context, {
      mutation: 'createInstitution',
      recordType: 'Institution',
      recordId: newId,
      before: null,
      after: institutionSnapshot(created, specialties),
    });
    return { institution: created };
  });
}

function idTaken(id: string) {
  return badUserInput(`input.id "${id}" is already used by another institution: choose another slug, or omit id for a generated one`, 'input.id');
}
