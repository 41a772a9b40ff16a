import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Creates the events (forums, visits) and the agreements reached at them: areas, parties, milestones and links to
 * earlier events. Institution and person ids point into the institutions subgraph, so they carry no foreign key.
 */
export class CreateAgreements1795698100000 implements MigrationInterface {
  name = 'CreateAgreements1795698100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'event',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '300' },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'starts_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'starts_on_label', type: 'varchar', length: '200', isNullable: true },
          { name: 'ends_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'ends_on_label', type: 'varchar', length: '200', isNullable: true },
          { name: 'city', type: 'varchar', length: '120', isNullable: true },
          { name: 'country', type: 'varchar', length: '2', isNullable: true },
          { name: 'summary', type: 'text', isNullable: true },
          { name: 'min_delegates', type: 'int', isNullable: true },
          { name: 'min_healthcare_delegates', type: 'int', isNullable: true },
          { name: 'synthetic', type: 'boolean', default: false },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'event_country',
        columns: [
          { name: 'event_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'country', type: 'varchar', length: '2', isPrimary: true },
          { name: 'position', type: 'int' },
        ],
        foreignKeys: [
          { name: 'fk_event_country_event', columnNames: ['event_id'], referencedTableName: 'event', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'event_participant',
        columns: [
          { name: 'event_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'position', type: 'int', isPrimary: true },
          { name: 'institution_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'person_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'role', type: 'varchar', length: '300', isNullable: true },
        ],
        indices: [{ name: 'idx_event_participant_institution', columnNames: ['institution_id'] }],
        foreignKeys: [
          { name: 'fk_event_participant_event', columnNames: ['event_id'], referencedTableName: 'event', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'agreement',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'title', type: 'varchar', length: '300' },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'status', type: 'varchar', length: '32' },
          { name: 'signed_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'concluded_on', type: 'varchar', length: '10', isNullable: true },
          { name: 'concluded_on_label', type: 'varchar', length: '200', isNullable: true },
          { name: 'event_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'summary', type: 'text', isNullable: true },
          { name: 'synthetic', type: 'boolean', default: false },
        ],
        indices: [
          { name: 'idx_agreement_kind', columnNames: ['kind'] },
          { name: 'idx_agreement_status', columnNames: ['status'] },
          { name: 'idx_agreement_event', columnNames: ['event_id'] },
        ],
        foreignKeys: [
          { name: 'fk_agreement_event', columnNames: ['event_id'], referencedTableName: 'event', referencedColumnNames: ['id'], onDelete: 'SET NULL' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'agreement_area',
        columns: [
          { name: 'agreement_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'specialty', type: 'varchar', length: '32', isPrimary: true },
        ],
        indices: [{ name: 'idx_agreement_area_specialty', columnNames: ['specialty'] }],
        foreignKeys: [
          {
            name: 'fk_agreement_area_agreement',
            columnNames: ['agreement_id'],
            referencedTableName: 'agreement',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'agreement_party',
        columns: [
          { name: 'agreement_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'institution_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'position', type: 'int' },
          { name: 'role', type: 'varchar', length: '200', isNullable: true },
          { name: 'representative_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'country', type: 'varchar', length: '2' },
        ],
        indices: [
          { name: 'idx_agreement_party_institution', columnNames: ['institution_id'] },
          { name: 'idx_agreement_party_country', columnNames: ['country'] },
        ],
        foreignKeys: [
          {
            name: 'fk_agreement_party_agreement',
            columnNames: ['agreement_id'],
            referencedTableName: 'agreement',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'agreement_related_event',
        columns: [
          { name: 'agreement_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'event_id', type: 'varchar', length: '64', isPrimary: true },
        ],
        indices: [{ name: 'idx_agreement_related_event_event', columnNames: ['event_id'] }],
        foreignKeys: [
          {
            name: 'fk_agreement_related_event_agreement',
            columnNames: ['agreement_id'],
            referencedTableName: 'agreement',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            name: 'fk_agreement_related_event_event',
            columnNames: ['event_id'],
            referencedTableName: 'event',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'milestone',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'agreement_id', type: 'varchar', length: '64' },
          { name: 'title', type: 'varchar', length: '300' },
          { name: 'due', type: 'varchar', length: '10', isNullable: true },
          { name: 'due_label', type: 'varchar', length: '200', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'position', type: 'int' },
        ],
        indices: [{ name: 'idx_milestone_agreement', columnNames: ['agreement_id'] }],
        foreignKeys: [
          {
            name: 'fk_milestone_agreement',
            columnNames: ['agreement_id'],
            referencedTableName: 'agreement',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('milestone');
    await queryRunner.dropTable('agreement_related_event');
    await queryRunner.dropTable('agreement_party');
    await queryRunner.dropTable('agreement_area');
    await queryRunner.dropTable('agreement');
    await queryRunner.dropTable('event_participant');
    await queryRunner.dropTable('event_country');
    await queryRunner.dropTable('event');
  }
}
