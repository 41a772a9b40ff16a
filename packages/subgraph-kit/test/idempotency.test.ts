import { randomUUID } from 'node:crypto';
import type { Caller } from '@partnership/request-signing';
import { Column, Entity, PrimaryColumn, Table, type EntityManager, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createDatabase, type Database } from '../src/data-source';
import { createOnce, CreateIdempotentRequests1795704000000, earlierCreate, IdempotentRequest, type IdempotentCreate } from '../src/idempotency';
import { createLogger } from '../src/logger';
import { scratchTargets, type ScratchTarget } from '../src/testing';

/** The record the tests create: stands in for an institution, an agreement, a cohort... */
@Entity({ name: 'note' })
class Note {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  text!: string;
}

class CreateNotes1000000000000 implements MigrationInterface {
  name = 'CreateNotes1000000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'note',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'text', type: 'varchar', length: '100' },
        ],
      }),
    );
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('note');
  }
}

const EDITOR: Caller = { subject: 'editor', partner: 'FR', roles: ['editor'] };

for (const target of scratchTargets) {
  target.describe('idempotent creates', () => {
    let scratch: ScratchTarget;
    let database: Database;
    /** How many times a create's work ran to its end (a replay never runs it). */
    let created = 0;

    beforeAll(async () => {
      scratch = await target.open('idempotency');
      database = createDatabase({
        url: scratch.url,
        name: 'idempotency',
        entities: [Note, IdempotentRequest],
        migrations: [CreateNotes1000000000000, CreateIdempotentRequests1795704000000],
        logger: createLogger('idempotency', 'silent'),
      });
      await database.dataSource.initialize();
      await database.dataSource.runMigrations({ transaction: 'each' });
    });
    afterAll(async () => {
      await database?.dataSource.destroy();
      await scratch?.dispose();
    });

    const request = (text: string, key: string | null | undefined, overrides: Partial<IdempotentCreate<Note>> = {}): IdempotentCreate<Note> => ({
      mutation: 'addNote',
      what: 'note',
      caller: EDITOR,
      idempotencyKey: key,
      input: { text },
      recordId: randomUUID(),
      replay: (manager: EntityManager, id: string) => manager.findOneByOrFail(Note, { id }),
      ...overrides,
    });
    const addNote = (req: IdempotentCreate<Note>) =>
      createOnce(database, req, async (manager) => {
        const note = { id: req.recordId, text: (req.input as { text: string }).text };
        await manager.insert(Note, note);
        created += 1;
        return note;
      });
    const counts = async () => ({ notes: await database.dataSource.manager.count(Note), keys: await database.dataSource.manager.count(IdempotentRequest) });

    test('without a key every call creates', async () => {
      const before = await counts();
      const [a, b] = [await addNote(request('no key', null)), await addNote(request('no key', undefined))];
      expect(a.id).not.toBe(b.id);
      expect(await counts()).toEqual({ notes: before.notes + 2, keys: before.keys });
    });

    test('a retry with the same key and input returns the first record and runs nothing', async () => {
      const first = await addNote(request('retried', 'key-retried'));
      const before = { ...(await counts()), created };
      for (let i = 0; i < 3; i += 1) expect(await addNote(request('retried', 'key-retried'))).toEqual(first);
      expect({ ...(await counts()), created }).toEqual(before);
      expect(await earlierCreate(database, request('retried', 'key-retried'))).toEqual(first);
      const [row] = await database.dataSource.manager.findBy(IdempotentRequest, { key: 'key-retried' });
      expect(row).toMatchObject({
        mutation: 'addNote',
        recordId: first.id,
        inputHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        scope: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    });

    test('the same key with other input, or for another mutation, is BAD_USER_INPUT and writes nothing', async () => {
      await addNote(request('original', 'key-reused'));
      const before = await counts();
      await expect(addNote(request('changed', 'key-reused'))).rejects.toMatchObject({
        message: 'input.idempotencyKey "key-reused" was already used for a different note: send the same input to retry it, or a new key for a new note',
        extensions: { code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' },
      });
      await expect(earlierCreate(database, request('changed', 'key-reused'))).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      await expect(addNote(request('original', 'key-reused', { mutation: 'addMemo', what: 'memo' }))).rejects.toMatchObject({
        message: 'input.idempotencyKey "key-reused" was already used for addNote: send a new key for a new memo',
        extensions: { code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' },
      });
      expect(await counts()).toEqual(before);
    });

    test('keys belong to the caller: another subject, or the same subject of another partner, makes its own record', async () => {
      const mine = await addNote(request('scoped', 'key-scoped'));
      const colleague = await addNote(request('scoped', 'key-scoped', { caller: { ...EDITOR, subject: 'colleague' } }));
      const namesake = await addNote(request('scoped', 'key-scoped', { caller: { ...EDITOR, partner: 'UZ' } }));
      expect(new Set([mine.id, colleague.id, namesake.id]).size).toBe(3);
    });

    test('keys compare exactly: another case or a trailing space is another key', async () => {
      const keys = ['Key-Exact', 'key-exact', 'KEY-EXACT', 'key-exact ', 'kéy-exact'];
      const notes = [];
      for (const key of keys) notes.push(await addNote(request('exact', key)));
      expect(new Set(notes.map((n) => n.id)).size).toBe(keys.length);
      for (const [i, key] of keys.entries()) expect(await addNote(request('exact', key))).toEqual(notes[i]);
    });

    test.each([
      ['empty', ''],
      ['blank', '   '],
      ['over 100 characters', 'k'.repeat(101)],
      ['with a NUL', 'key\u0000'],
      ['with a newline', 'key\nnext'],
      ['with a C1 control character', 'key\u0085'],
      ['with a lone surrogate', 'key\ud800'],
    ])('a key %s is refused before anything is written', async (_what, key) => {
      const before = { ...(await counts()), created };
      await expect(addNote(request('refused', key))).rejects.toMatchObject({
        message: 'input.idempotencyKey must be 1–100 characters, not blank and without control characters (omit it to create without one)',
        extensions: { code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' },
      });
      await expect(earlierCreate(database, request('refused', key))).rejects.toMatchObject({ extensions: { field: 'input.idempotencyKey' } });
      expect({ ...(await counts()), created }).toEqual(before);
    });

    test('100 characters (counted as characters, not UTF-16 units) are a valid key, kept exactly', async () => {
      for (const key of ['k'.repeat(100), '🔑'.repeat(100), ' leading space', 'Ташкент-2026']) {
        const note = await addNote(request('long', key));
        expect(await addNote(request('long', key))).toEqual(note);
        expect(await database.dataSource.manager.countBy(IdempotentRequest, { key })).toBe(1);
      }
    });

    test('a create that fails frees its key: nothing is kept, and a retry creates', async () => {
      const before = await counts();
      const failing = request('fails once', 'key-failing');
      await expect(
        createOnce(database, failing, async (manager) => {
          await manager.insert(Note, { id: failing.recordId, text: 'fails once' });
          throw new Error('simulated failure after the first write');
        }),
      ).rejects.toThrow('simulated failure');
      expect(await counts()).toEqual(before);
      const note = await addNote(request('fails once', 'key-failing'));
      expect(await counts()).toEqual({ notes: before.notes + 1, keys: before.keys + 1 });
      expect(await addNote(request('fails once', 'key-failing'))).toEqual(note);
    });

    test('10 concurrent calls with one key create once and all answer with that record', async () => {
      const before = { ...(await counts()), created };
      const results = await Promise.all(Array.from({ length: 10 }, () => addNote(request('raced', 'key-raced'))));
      expect(new Set(results.map((n) => n.id)).size).toBe(1);
      expect({ ...(await counts()), created }).toEqual({ notes: before.notes + 1, keys: before.keys + 1, created: before.created + 1 });
    });

    test('10 concurrent calls with one key and different inputs: one creates, the others are told the key was used', async () => {
      const before = await counts();
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_v, i) => addNote(request(`raced ${i}`, 'key-raced-inputs'))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
        expect(r.reason).toMatchObject({
          extensions: { code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' },
          message: expect.stringMatching(/already used for a different note/),
        });
      }
      expect(await counts()).toEqual({ notes: before.notes + 1, keys: before.keys + 1 });
    });

    test('earlierCreate answers null without a key, or for a key not used yet', async () => {
      expect(await earlierCreate(database, request('unused', null))).toBeNull();
      expect(await earlierCreate(database, request('unused', 'key-never-used'))).toBeNull();
    });

    if (target.label === 'MySQL') {
      test('the scope and key columns compare byte for byte, trailing spaces included', async () => {
        const rows = (await database.dataSource.query(
          "SELECT COLUMN_NAME AS c, COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'idempotent_request' AND COLUMN_NAME IN ('scope', 'idempotency_key')",
        )) as Array<{ c: string; collation: string }>;
        expect(rows).toHaveLength(2);
        for (const row of rows) expect(row.collation).toMatch(/^utf8mb4_(0900|nopad)_bin$/);
      });
    }

    test('down removes the table, up makes it again', async () => {
      const runner = database.dataSource.createQueryRunner();
      try {
        await database.dataSource.undoLastMigration({ transaction: 'each' });
        expect(await runner.hasTable('idempotent_request')).toBe(false);
        await database.dataSource.runMigrations({ transaction: 'each' });
        expect(await runner.hasTable('idempotent_request')).toBe(true);
      } finally {
        await runner.release();
      }
    });
  });
}
