import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { badUserInput, conflict } from './errors';

/**
 * Optimistic concurrency: applies `changes` to the record only if its `version` is still `expectedVersion`, and
 * bumps the version, in one UPDATE statement. Throws CONFLICT when someone changed it since the caller read it,
 * BAD_USER_INPUT (field `id`) when there is no such record. Returns the record as it is now.
 */
export async function updateVersioned<T extends ObjectLiteral & { id: string; version: number }>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  id: string,
  expectedVersion: number,
  changes: Partial<T>,
  what: string,
): Promise<T> {
  const result = await manager
    .createQueryBuilder()
    .update(entity)
    .set({ ...changes, version: () => 'version + 1' } as never)
    .where('id = :id AND version = :expectedVersion', { id, expectedVersion })
    .execute();
  const current = await manager.getRepository(entity).findOne({ where: { id } as never });
  if (current === null) throw badUserInput(`there is no ${what} with id "${id}"`, 'id');
  if (result.affected === 0) requireVersion(what, id, current.version, expectedVersion);
  return current;
}

/**
 * The CONFLICT of a stale version, for a mutation that reads the record under its lock and must refuse a stale
 * version before checks whose answer depends on what it read (updateVersioned raises the same one).
 */
export function requireVersion(what: string, id: string, current: number, sent: number): void {
  if (current !== sent) throw conflict(`${what} "${id}" was changed by someone else (version ${current}, you sent ${sent}): read it again and retry`);
}
