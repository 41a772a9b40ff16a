import { dropColumns } from '@partnership/subgraph-kit';
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Work contact details of a person (personal data: the schema restricts who may read them). */
export class AddPersonContact1795700000000 implements MigrationInterface {
  name = 'AddPersonContact1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('person', [
      new TableColumn({ name: 'email', type: 'varchar', length: '254', isNullable: true }),
      new TableColumn({ name: 'phone', type: 'varchar', length: '40', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropColumns(queryRunner, 'person', ['phone', 'email']);
  }
}
