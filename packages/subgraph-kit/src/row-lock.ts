import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Reads a row inside a transaction and holds it until the transaction ends (`SELECT ... FOR UPDATE` on MySQL),
 * so concurrent writers that check-then-write on the same row take turns. On SQLite transactions already take
 * turns (see Database.transaction), so a plain read is enough.
 */
export function lockRow<T extends ObjectLiteral & { id: string }>(manager: EntityManager, entity: EntityTarget<T>, id: string): Promise<T | null> {
  const repository = manager.getRepository(entity);
  const where = { id } as Parameters<typeof repository.findOne>[0]['where'];
  return manager.connection.options.type === 'mysql' ? repository.findOne({ where, lock: { mode: 'pessimistic_write' } }) : repository.findOne({ where });
}
