import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A specialist in training. The article names none: trainees are recorded by partners or generated. */
@Entity({ name: 'trainee' })
export class Trainee {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'full_name', type: 'varchar', length: 300 })
  fullName!: string;

  /** Institutions live in the institutions subgraph: an id, no foreign key. */
  @Index()
  @Column({ name: 'home_institution_id', type: 'varchar', length: 64, nullable: true })
  homeInstitutionId!: string | null;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;
}
