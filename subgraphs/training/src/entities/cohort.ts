import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A group of trainees of one programme starting together at one host institution. */
@Entity({ name: 'cohort' })
export class Cohort {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Index()
  @Column({ name: 'program_id', type: 'varchar', length: 64 })
  programId!: string;

  /** Institutions live in the institutions subgraph: an id, no foreign key. */
  @Index()
  @Column({ name: 'host_institution_id', type: 'varchar', length: 64 })
  hostInstitutionId!: string;

  @Column({ name: 'starts_on', type: 'varchar', length: 10, nullable: true })
  startsOn!: string | null;

  @Column({ name: 'starts_on_label', type: 'varchar', length: 200, nullable: true })
  startsOnLabel!: string | null;

  /** Places planned; null when unknown. Placements are only recorded as trainees enrol. */
  @Column({ name: 'planned_size', type: 'int', nullable: true })
  plannedSize!: number | null;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;
}
