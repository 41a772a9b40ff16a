import { badUserInput, lockRow, recordAudit, requireVersion, requireWriter, searchTextOf, updateVersioned, validateId } from '@partnership/subgraph-kit';
import type { InstitutionsContext } from '../context';
import { Person } from '../entities';
import { ownerOfInstitution } from './access';
import type { AddPersonInput } from './add-person';
import { given, LIMITS, notNull, optionalEmail, optionalPhone, optionalText, requiredText } from './input';
import { personSnapshot } from './snapshot';

export interface UpdatePersonInput extends Omit<AddPersonInput, 'id' | 'fullName' | 'idempotencyKey'> {
  id: string;
  version: number;
  fullName?: string | null;
}

export async function updatePerson(input: UpdatePersonInput, context: InstitutionsContext) {
  const requestedId = validateId(input.id, 'input.id');
  const person = await context.database.transaction(async (manager) => {
    const before = await lockRow(manager, Person, requestedId);
    if (before === null) throw badUserInput(`input.id must be the id of an existing person: there is no person "${requestedId}"`, 'input.id');
    // The stored id, not the client's spelling, from here on.
    const { id } = before;
    const owner = await ownerOfInstitution(manager, before.institutionId, 'input.id');
    requireWriter(
      context.caller,
      owner.partners,
      owner.institution === null ? `person "${id}", who has no institution,` : `person "${id}" of ${owner.institution}`,
    );

    const changes: Partial<Person> = {};
    if (given(input, 'institutionId')) {
      const institutionId = input.institutionId === null ? null : validateId(input.institutionId!, 'input.institutionId');
      if (institutionId !== before.institutionId) {
        const destination = await ownerOfInstitution(manager, institutionId, 'input.institutionId');
        requireWriter(
          context.caller,
          destination.partners,
          destination.institution === null ? 'a person with no institution' : `a person of ${destination.institution}`,
        );
        changes.institutionId = destination.id;
      }
    }
    requireVersion('person', id, before.version, input.version);
    if (given(input, 'fullName')) changes.fullName = requiredText(notNull(input.fullName!, 'input.fullName'), 'input.fullName', LIMITS.fullName);
    if (given(input, 'title')) changes.title = optionalText(input.title, 'input.title', LIMITS.title);
    if (given(input, 'email')) changes.email = optionalEmail(input.email, 'input.email');
    if (given(input, 'phone')) changes.phone = optionalPhone(input.phone, 'input.phone');
    changes.searchText = searchTextOf(changes.fullName ?? before.fullName);

    const after = await updateVersioned(manager, Person, id, input.version, changes, 'person');
    await recordAudit(manager, context, {
      mutation: 'updatePerson',
      recordType: 'Person',
      recordId: id,
      before: personSnapshot(before),
      after: personSnapshot(after),
    });
    return after;
  });
  return { person };
}
