import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Enrolment idempotency keys move from `enrollment_request` into the kit's `idempotent_request`, where every create
 * keeps its keys: the scope (hash of partner and subject) and the input hash are computed as before, so a key already
 * used keeps replaying its placement. `down` puts them back.
 */
export class MoveEnrollmentKeys1795704100000 implements MigrationInterface {
  name = 'MoveEnrollmentKeys1795704100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `INSERT INTO idempotent_request (scope, idempotency_key, mutation, input_hash, record_id, created_at)
       SELECT subject, idempotency_key, 'enrollTrainee', input_hash, placement_id, created_at FROM enrollment_request`,
    );
    await queryRunner.dropTable('enrollment_request');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The foreign key needs placement_id to compare as placement.id does (exactly, on MySQL, since CompareIdsExactly).
    const collation = queryRunner.connection.options.type === 'mysql' ? await collationOf(queryRunner, 'placement', 'id') : undefined;
    await queryRunner.createTable(
      new Table({
        name: 'enrollment_request',
        columns: [
          { name: 'subject', type: 'varchar', length: '200', isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '100', isPrimary: true, collation },
          { name: 'input_hash', type: 'varchar', length: '64' },
          { name: 'placement_id', type: 'varchar', length: '64', collation },
          { name: 'created_at', type: 'varchar', length: '24' },
        ],
        foreignKeys: [
          {
            name: 'fk_enrollment_request_placement',
            columnNames: ['placement_id'],
            referencedTableName: 'placement',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.query(
      `INSERT INTO enrollment_request (subject, idempotency_key, input_hash, placement_id, created_at)
       SELECT scope, idempotency_key, input_hash, record_id, created_at FROM idempotent_request WHERE mutation = 'enrollTrainee'`,
    );
    await queryRunner.query(`DELETE FROM idempotent_request WHERE mutation = 'enrollTrainee'`);
  }
}

async function collationOf(queryRunner: QueryRunner, table: string, column: string): Promise<string> {
  const [row] = (await queryRunner.query(
    'SELECT COLLATION_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?',
    [table, column],
  )) as Array<{ name: string }>;
  return row.name;
}
