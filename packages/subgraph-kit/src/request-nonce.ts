import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { Database } from './data-source';

/**
 * Creates `request_nonce`, where a subgraph claims the nonce of every signed mutation it runs. The kit adds this
 * migration to every subgraph's (see createDatabase); its timestamp is older than any subgraph migration, so on a new
 * database it runs first and a subgraph's own newest migrations stay the last ones applied (undo them as before).
 */
export class CreateRequestNonce1795690000000 implements MigrationInterface {
  name = 'CreateRequestNonce1795690000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'request_nonce',
        columns: [
          { name: 'nonce', type: 'varchar', length: '32', isPrimary: true },
          // Epoch milliseconds after which the signature is stale, so the nonce can no longer be replayed.
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [{ name: 'idx_request_nonce_expires_at', columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('request_nonce');
  }
}

// Nonces past their expiry are deleted at most this often, by whichever claim comes first.
const SWEEP_EVERY_MS = 60_000;
// Kept this long past their expiry: a replica whose clock runs behind still accepts the signature for as long as
// its clock is behind, so the nonce must outlive the skew that signatures tolerate.
const SWEEP_MARGIN_MS = 5 * 60_000;

/**
 * Claims signed requests' nonces in the subgraph's own database, which every replica of the subgraph shares and which
 * outlives restarts: a second claim of a nonce, by this process or any other, fails. The primary key decides, so two
 * replicas receiving the same request at the same moment cannot both win.
 */
export class NonceClaims {
  private nextSweep = 0;

  constructor(private readonly database: Database) {}

  /** True for the nonce's first claim; false when it was claimed before (a replay). */
  claim(nonce: string, expiresAt: number, now = Date.now()): Promise<boolean> {
    // In a transaction although it is one INSERT: on SQLite (one shared connection) a bare statement could land in
    // another request's open transaction and be rolled back with it; `database.transaction` takes turns.
    const insertUnlessPresent = this.database.dataSource.options.type === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    return this.database.transaction(async (manager) => {
      const runner = manager.queryRunner!;
      if (now >= this.nextSweep) {
        this.nextSweep = now + SWEEP_EVERY_MS;
        await runner.query('DELETE FROM request_nonce WHERE expires_at < ?', [now - SWEEP_MARGIN_MS]);
      }
      // A nonce already present is skipped, not an error: no row inserted means a replay.
      const inserted = await runner.query(`${insertUnlessPresent} INTO request_nonce (nonce, expires_at) VALUES (?, ?)`, [nonce, expiresAt], true);
      return inserted.affected === 1;
    });
  }
}
