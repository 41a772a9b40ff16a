import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Creates the training tables: programmes, their declared hosts, cohorts, trainees and placements.
 * Agreement and institution ids point into other subgraphs, so they carry indexes but no foreign keys.
 */
export class CreateTraining1795698200000 implements MigrationInterface {
  name = 'CreateTraining1795698200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'training_program',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'title', type: 'varchar', length: '300' },
          { name: 'specialty', type: 'varchar', length: '32' },
          { name: 'status', type: 'varchar', length: '24' },
          { name: 'summary', type: 'text', isNullable: true },
          { name: 'trainee_country', type: 'varchar', length: '2' },
          { name: 'agreement_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'target_trainees', type: 'int', isNullable: true },
          { name: 'target_date', type: 'varchar', length: '10', isNullable: true },
          { name: 'target_date_label', type: 'varchar', length: '200', isNullable: true },
          { name: 'starts_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'starts_on_label', type: 'varchar', length: '200', isNullable: true },
          { name: 'synthetic', type: 'boolean', default: false },
        ],
        indices: [
          { name: 'idx_training_program_specialty', columnNames: ['specialty'] },
          { name: 'idx_training_program_agreement', columnNames: ['agreement_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'training_program_host',
        columns: [
          { name: 'program_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'institution_id', type: 'varchar', length: '64', isPrimary: true },
        ],
        // The primary key (program_id, institution_id) already serves lookups by programme.
        indices: [{ name: 'idx_training_program_host_institution', columnNames: ['institution_id'] }],
        foreignKeys: [
          {
            name: 'fk_training_program_host_program',
            columnNames: ['program_id'],
            referencedTableName: 'training_program',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'cohort',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'program_id', type: 'varchar', length: '64' },
          { name: 'host_institution_id', type: 'varchar', length: '64' },
          { name: 'starts_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'starts_on_label', type: 'varchar', length: '200', isNullable: true },
          { name: 'planned_size', type: 'int', isNullable: true },
          { name: 'synthetic', type: 'boolean', default: false },
        ],
        indices: [
          { name: 'idx_cohort_program', columnNames: ['program_id'] },
          { name: 'idx_cohort_host_institution', columnNames: ['host_institution_id'] },
        ],
        foreignKeys: [
          {
            name: 'fk_cohort_program',
            columnNames: ['program_id'],
            referencedTableName: 'training_program',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'trainee',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'full_name', type: 'varchar', length: '200' },
          { name: 'home_institution_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'synthetic', type: 'boolean', default: false },
        ],
        indices: [{ name: 'idx_trainee_home_institution', columnNames: ['home_institution_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'placement',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'cohort_id', type: 'varchar', length: '64' },
          { name: 'trainee_id', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'synthetic', type: 'boolean', default: false },
        ],
        indices: [
          { name: 'idx_placement_cohort', columnNames: ['cohort_id'] },
          { name: 'idx_placement_trainee', columnNames: ['trainee_id'] },
        ],
        foreignKeys: [
          { name: 'fk_placement_cohort', columnNames: ['cohort_id'], referencedTableName: 'cohort', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
          { name: 'fk_placement_trainee', columnNames: ['trainee_id'], referencedTableName: 'trainee', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('placement');
    await queryRunner.dropTable('trainee');
    await queryRunner.dropTable('cohort');
    await queryRunner.dropTable('training_program_host');
    await queryRunner.dropTable('training_program');
  }
}
