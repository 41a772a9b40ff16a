import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A trainee's place in a cohort. */
@Entity({ name: 'placement' })
export class Placement {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Index()
  @Column({ name: 'cohort_id', type: 'varchar', length: 64 })
  cohortId!: string;

  @Index()
  @Column({ name: 'trainee_id', type: 'varchar', length: 64 })
  traineeId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  /** Bumped by every update; a writer holding an older one gets CONFLICT (optimistic concurrency). */
  @Column({ type: 'int', default: 1 })
  version!: number;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;
}
