import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Creates the registry: institutions, the specialties they work in, and the people who represent them. */
export class CreateInstitutions1795698000000 implements MigrationInterface {
  name = 'CreateInstitutions1795698000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'institution',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '300' },
          { name: 'local_name', type: 'varchar', length: '300', isNullable: true },
          { name: 'kind', type: 'varchar', length: '32' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'country', type: 'varchar', length: '2' },
          { name: 'city', type: 'varchar', length: '120', isNullable: true },
          { name: 'brand', type: 'varchar', length: '200', isNullable: true },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'part_of_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'search_text', type: 'varchar', length: '700' },
          { name: 'synthetic', type: 'boolean', default: false },
        ],
        indices: [
          { name: 'idx_institution_kind', columnNames: ['kind'] },
          { name: 'idx_institution_country', columnNames: ['country'] },
          { name: 'idx_institution_part_of', columnNames: ['part_of_id'] },
        ],
        foreignKeys: [
          {
            name: 'fk_institution_part_of',
            columnNames: ['part_of_id'],
            referencedTableName: 'institution',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'institution_specialty',
        columns: [
          { name: 'institution_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'specialty', type: 'varchar', length: '32', isPrimary: true },
        ],
        indices: [{ name: 'idx_institution_specialty_specialty', columnNames: ['specialty'] }],
        foreignKeys: [
          {
            name: 'fk_institution_specialty_institution',
            columnNames: ['institution_id'],
            referencedTableName: 'institution',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'person',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'full_name', type: 'varchar', length: '200' },
          { name: 'title', type: 'varchar', length: '300', isNullable: true },
          { name: 'institution_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'search_text', type: 'varchar', length: '700' },
          { name: 'synthetic', type: 'boolean', default: false },
        ],
        indices: [{ name: 'idx_person_institution', columnNames: ['institution_id'] }],
        foreignKeys: [
          {
            name: 'fk_person_institution',
            columnNames: ['institution_id'],
            referencedTableName: 'institution',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('person');
    await queryRunner.dropTable('institution_specialty');
    await queryRunner.dropTable('institution');
  }
}
