import { dropColumns } from '@partnership/subgraph-kit';
import { Table, TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * What the mutations need: a `version` on placements (optimistic concurrency for setPlacementStatus), trainee names
 * up to 300 characters (the limit for names across the API), and the table of enrolment idempotency keys, whose
 * primary key (subject, idempotency_key) makes a concurrent retry fail instead of enrolling twice.
 */
export class AddTrainingWrites1795701200000 implements MigrationInterface {
  name = 'AddTrainingWrites1795701200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('placement', new TableColumn({ name: 'version', type: 'int', default: 1 }));
    await setTraineeNameLength(queryRunner, 300);
    await queryRunner.createTable(
      new Table({
        name: 'enrollment_request',
        columns: [
          { name: 'subject', type: 'varchar', length: '200', isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '100', isPrimary: true },
          { name: 'input_hash', type: 'varchar', length: '64' },
          { name: 'placement_id', type: 'varchar', length: '64' },
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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('enrollment_request');
    // Names longer than the old limit would not fit back: cut them rather than fail the rollback.
    await queryRunner.query(`UPDATE trainee SET full_name = SUBSTR(full_name, 1, 200) WHERE ${charLength(queryRunner)}(full_name) > 200`);
    // SQLite does not enforce varchar lengths, and rebuilding `trainee` here would delete every placement: TypeORM
    // opens the transaction of a rollback before it turns foreign keys off, so the rebuild's DROP TABLE cascades.
    if (queryRunner.connection.options.type === 'mysql') await setTraineeNameLength(queryRunner, 200);
    await dropColumns(queryRunner, 'placement', ['version']);
  }
}

async function setTraineeNameLength(queryRunner: QueryRunner, length: number): Promise<void> {
  if (queryRunner.connection.options.type === 'mysql') {
    // TypeORM's changeColumn drops and re-adds a MySQL column whose length changes, losing every name: alter in place.
    await queryRunner.query(`ALTER TABLE \`trainee\` MODIFY \`full_name\` varchar(${length}) NOT NULL`);
  } else {
    // On SQLite TypeORM rebuilds the table and copies its rows.
    await queryRunner.changeColumn('trainee', 'full_name', new TableColumn({ name: 'full_name', type: 'varchar', length: String(length) }));
  }
}

// Characters, not bytes: MySQL's LENGTH counts bytes.
const charLength = (queryRunner: QueryRunner) => (queryRunner.connection.options.type === 'mysql' ? 'CHAR_LENGTH' : 'LENGTH');
