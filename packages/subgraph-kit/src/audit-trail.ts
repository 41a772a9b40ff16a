import { randomBytes } from 'node:crypto';
import { Column, Entity, Index, PrimaryColumn, Table, type EntityManager, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { Database } from './data-source';
import type { RequestContext } from './authorization';
import { paginate, type PageArgs } from './pagination';
import { validateId } from './validation';

/** One change made by a mutation: who, when, which mutation, the record before and after. Never updated or deleted. */
@Entity({ name: 'audit_entry' })
export class AuditEntry {
  /** Sortable by time (UTC timestamp first), so pages of the trail are chronological. */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id!: string;

  @Column({ type: 'varchar', length: 24 })
  at!: string;

  @Column({ type: 'varchar', length: 200 })
  subject!: string;

  @Column({ type: 'varchar', length: 2 })
  partner!: string;

  @Column({ type: 'varchar', length: 60 })
  mutation!: string;

  @Column({ name: 'record_type', type: 'varchar', length: 60 })
  recordType!: string;

  @Index()
  @Column({ name: 'record_id', type: 'varchar', length: 64 })
  recordId!: string;

  /** JSON of the record before the change; null when the mutation created it. */
  @Column({ type: 'text', nullable: true })
  before!: string | null;

  /** JSON of the record after the change. */
  @Column({ type: 'text', nullable: true })
  after!: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;
}

/** Creates the audit trail table; every subgraph lists it in its migrations. */
export class CreateAuditTrail1795701000000 implements MigrationInterface {
  name = 'CreateAuditTrail1795701000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'audit_entry',
        columns: [
          { name: 'id', type: 'varchar', length: '40', isPrimary: true },
          { name: 'at', type: 'varchar', length: '24' },
          { name: 'subject', type: 'varchar', length: '200' },
          { name: 'partner', type: 'varchar', length: '2' },
          { name: 'mutation', type: 'varchar', length: '60' },
          { name: 'record_type', type: 'varchar', length: '60' },
          { name: 'record_id', type: 'varchar', length: '64' },
          { name: 'before', type: 'text', isNullable: true },
          { name: 'after', type: 'text', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '64' },
        ],
        indices: [{ name: 'idx_audit_entry_record', columnNames: ['record_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_entry');
  }
}

export interface AuditedChange {
  mutation: string;
  recordType: string;
  recordId: string;
  before: object | null;
  after: object | null;
}

/** Records a change inside the mutation's own transaction, so the trail and the data never disagree. */
export async function recordAudit(manager: EntityManager, context: RequestContext, change: AuditedChange): Promise<void> {
  const now = new Date();
  const at = now.toISOString();
  await manager.insert(AuditEntry, {
    id: `${at.replace(/[-:.]/g, '')}-${randomBytes(6).toString('hex')}`,
    at,
    subject: context.caller?.subject ?? 'anonymous',
    partner: context.caller?.partner ?? '--',
    mutation: change.mutation,
    recordType: change.recordType,
    recordId: change.recordId,
    before: change.before === null ? null : JSON.stringify(change.before),
    after: change.after === null ? null : JSON.stringify(change.after),
    requestId: context.requestId,
  });
}

/** The resolver of a subgraph's `<name>AuditTrail(recordId, first, after)` query (admins only, by its SDL). */
export function auditTrail(database: Database, args: PageArgs & { recordId?: string | null }) {
  const query = database.dataSource.getRepository(AuditEntry).createQueryBuilder('entry');
  if (args.recordId !== null && args.recordId !== undefined) query.where('entry.record_id = :recordId', { recordId: validateId(args.recordId, 'recordId') });
  return paginate(query, 'entry', args);
}
