import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Something an agreement plans to achieve, with its due date only as precise as the sources give it. */
@Entity({ name: 'milestone' })
export class Milestone {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Index()
  @Column({ name: 'agreement_id', type: 'varchar', length: 64 })
  agreementId!: string;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  /** Canonical partial date ("2026-Q1", "2030"); null when the sources give no date. */
  @Column({ type: 'varchar', length: 10, nullable: true })
  due!: string | null;

  @Column({ name: 'due_label', type: 'varchar', length: 200, nullable: true })
  dueLabel!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  /** Order within the agreement. */
  @Column({ type: 'int' })
  position!: number;

  /** Bumped by every update; writers send the version they read (optimistic concurrency, see updateVersioned). */
  @Column({ type: 'int', default: 1 })
  version!: number;
}
