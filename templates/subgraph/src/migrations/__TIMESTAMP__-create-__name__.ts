import { compareIdsExactly } from '@partnership/subgraph-kit';
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Creates the __name__ tables. Institution ids point into another subgraph: an index, no foreign key. */
export class Create__Name____TIMESTAMP__ implements MigrationInterface {
  name = 'Create__Name____TIMESTAMP__';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: '__name_snake___project',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'title', type: 'varchar', length: '300' },
          { name: 'partner', type: 'varchar', length: '2' },
          { name: 'lead_institution_id', type: 'varchar', length: '64', isNullable: true },
        ],
        indices: [{ name: 'idx___name_snake___project_lead', columnNames: ['lead_institution_id'] }],
      }),
    );
    // Ids compare exactly on MySQL (as every subgraph's do); nothing to do on SQLite.
    await compareIdsExactly(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('__name_snake___project');
  }
}
