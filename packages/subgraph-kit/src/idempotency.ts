import { createHash } from 'node:crypto';
import type { Caller } from '@partnership/request-signing';
import { Column, Entity, PrimaryColumn, Table, type EntityManager, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { Database } from './data-source';
import { badUserInput } from './errors';
import { exactCollation } from './exact-ids';
import { isUniqueViolation } from './write-access';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 100;

/**
 * A create sent with an idempotency key: a retry with the same key by the same caller replays the record it made.
 * The primary key (scope, key) is what keeps concurrent retries from creating twice.
 */
@Entity({ name: 'idempotent_request' })
export class IdempotentRequest {
  /** SHA-256 of the caller's partner and subject: keys belong to whoever sent them. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  scope!: string;

  /** The client's key, exactly as sent (compared exactly: on MySQL a binary, no-pad collation). */
  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: MAX_IDEMPOTENCY_KEY_LENGTH })
  key!: string;

  /** The mutation that made the record; the key cannot be used by another. */
  @Column({ type: 'varchar', length: 60 })
  mutation!: string;

  /** SHA-256 of the request's input, so the same key with different input is refused. */
  @Column({ name: 'input_hash', type: 'varchar', length: 64 })
  inputHash!: string;

  /** The id of the record the first request created; a retry reloads it. */
  @Column({ name: 'record_id', type: 'varchar', length: 64 })
  recordId!: string;

  @Column({ name: 'created_at', type: 'varchar', length: 24 })
  createdAt!: string;
}

/** Creates the table of idempotency keys; every subgraph lists it after its own migrations. */
export class CreateIdempotentRequests1795704000000 implements MigrationInterface {
  name = 'CreateIdempotentRequests1795704000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // MySQL's default collation would make "Key" and "key " the same key as "key": compare them byte for byte.
    const collation = queryRunner.connection.options.type === 'mysql' ? await exactCollation(queryRunner) : undefined;
    await queryRunner.createTable(
      new Table({
        name: 'idempotent_request',
        columns: [
          { name: 'scope', type: 'varchar', length: '64', isPrimary: true, collation },
          { name: 'idempotency_key', type: 'varchar', length: String(MAX_IDEMPOTENCY_KEY_LENGTH), isPrimary: true, collation },
          { name: 'mutation', type: 'varchar', length: '60' },
          { name: 'input_hash', type: 'varchar', length: '64' },
          { name: 'record_id', type: 'varchar', length: '64', collation },
          { name: 'created_at', type: 'varchar', length: '24' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('idempotent_request');
  }
}

/** A create mutation that takes an optional `input.idempotencyKey`. */
export interface IdempotentCreate<T> {
  /** The mutation's name, recorded with the key. */
  mutation: string;
  /** What it creates, for messages ("enrolment", "cohort"). */
  what: string;
  /** Whom the request acts for: keys are scoped to the partner and subject. */
  caller: Caller;
  /** `input.idempotencyKey` as sent; null or undefined: no key, the create just runs. */
  idempotencyKey: string | null | undefined;
  /** The validated input (generated ids left out): the same key with input that hashes otherwise is refused. */
  input: unknown;
  /** The id of the record this request creates, chosen before it writes; a retry reloads it. */
  recordId: string;
  /** The mutation's payload for a record created earlier, reloaded by its id. */
  replay(manager: EntityManager, recordId: string): Promise<T>;
}

/** What a request is known by in the table: null without a key. */
interface Claim {
  scope: string;
  key: string;
  inputHash: string;
}

/**
 * Runs a create in one transaction. With a key, the key is claimed first inside that transaction: a retry of a
 * create that committed gets the first record's payload and writes nothing (not even an audit entry); the same key
 * with other input gets BAD_USER_INPUT. A concurrent retry waits on the claimed key (MySQL) or on the queued
 * transaction (SQLite), then fails on the primary key and replays. A create that fails frees its key.
 *
 * The claim is an INSERT, never a read: under InnoDB's REPEATABLE READ the first plain SELECT of a transaction fixes
 * its snapshot, and a snapshot taken before `create` locks its owner row would hide what the previous lock holder
 * committed (20 keyed enrolments into a cohort of 5 made 13 placements that way).
 */
export async function createOnce<T>(database: Database, request: IdempotentCreate<T>, create: (manager: EntityManager) => Promise<T>): Promise<T> {
  const claim = claimOf(request);
  if (claim === null) return database.transaction(create);
  try {
    return await database.transaction(async (manager) => {
      await manager.insert(IdempotentRequest, { ...claim, mutation: request.mutation, recordId: request.recordId, createdAt: new Date().toISOString() });
      return create(manager);
    });
  } catch (err) {
    // This key was claimed before (or by a request that committed while this one waited): answer from its record.
    if (!isUniqueViolation(err)) throw err;
    const earlier = await database.dataSource.manager.findOneBy(IdempotentRequest, { scope: claim.scope, key: claim.key });
    if (earlier === null) throw err;
    return replay(database.dataSource.manager, earlier, request, claim);
  }
}

/**
 * The payload of an earlier create with this key, or null (also without a key). Mutations that ask other services
 * before writing call it first, so a retry of a create already done needs none of them.
 */
export async function earlierCreate<T>(database: Database, request: IdempotentCreate<T>): Promise<T | null> {
  const claim = claimOf(request);
  if (claim === null) return null;
  const { manager } = database.dataSource;
  const earlier = await manager.findOneBy(IdempotentRequest, { scope: claim.scope, key: claim.key });
  return earlier === null ? null : replay(manager, earlier, request, claim);
}

function replay<T>(manager: EntityManager, earlier: IdempotentRequest, request: IdempotentCreate<T>, claim: Claim): Promise<T> {
  const used = `input.idempotencyKey "${claim.key}" was already used`;
  if (earlier.mutation !== request.mutation) {
    throw badUserInput(`${used} for ${earlier.mutation}: send a new key for a new ${request.what}`, 'input.idempotencyKey');
  }
  if (earlier.inputHash !== claim.inputHash) {
    throw badUserInput(
      `${used} for a different ${request.what}: send the same input to retry it, or a new key for a new ${request.what}`,
      'input.idempotencyKey',
    );
  }
  return request.replay(manager, earlier.recordId);
}

function claimOf(request: IdempotentCreate<unknown>): Claim | null {
  const key = validKey(request.idempotencyKey);
  if (key === null) return null;
  return {
    // A subject name is only unique within its partner (identity provider): both make the scope.
    scope: sha256(`${request.caller.partner}\n${request.caller.subject}`),
    key,
    inputHash: sha256(JSON.stringify(request.input)),
  };
}

// Control characters and lone surrogates would be stored differently by MySQL and SQLite, or not be shown.
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

function validKey(key: string | null | undefined): string | null {
  if (key === null || key === undefined) return null;
  if (key.trim().length === 0 || [...key].length > MAX_IDEMPOTENCY_KEY_LENGTH || UNPRINTABLE.test(key)) {
    throw badUserInput(
      `input.idempotencyKey must be 1–${MAX_IDEMPOTENCY_KEY_LENGTH} characters, not blank and without control characters (omit it to create without one)`,
      'input.idempotencyKey',
    );
  }
  return key;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
