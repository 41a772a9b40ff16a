import { dropColumns } from '@partnership/subgraph-kit';
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

const TABLES = ['agreement', 'milestone'];

/** Versions for optimistic concurrency: agreements and milestones can now be updated; existing rows start at 1. */
export class AddVersions1795701100000 implements MigrationInterface {
  name = 'AddVersions1795701100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) await queryRunner.addColumn(table, new TableColumn({ name: 'version', type: 'int', default: 1 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await dropColumns(queryRunner, table, ['version']);
  }
}
