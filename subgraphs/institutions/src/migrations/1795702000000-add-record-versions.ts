import { dropColumns } from '@partnership/subgraph-kit';
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** A version number on institutions and people for optimistic concurrency; existing rows start at 1. */
export class AddRecordVersions1795702000000 implements MigrationInterface {
  name = 'AddRecordVersions1795702000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('institution', new TableColumn({ name: 'version', type: 'int', default: 1 }));
    await queryRunner.addColumn('person', new TableColumn({ name: 'version', type: 'int', default: 1 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropColumns(queryRunner, 'person', ['version']);
    await dropColumns(queryRunner, 'institution', ['version']);
  }
}
