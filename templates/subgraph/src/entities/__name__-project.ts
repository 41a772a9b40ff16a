import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A __name__ project: the example entity of this subgraph. */
@Entity({ name: '__name_snake___project' })
export class __Name__Project {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  /** The partner (UZ, FR, MC) whose editors may change it. */
  @Column({ type: 'varchar', length: 2 })
  partner!: string;

  /** The leading institution; no foreign key, institutions live in the institutions subgraph. */
  @Index()
  @Column({ name: 'lead_institution_id', type: 'varchar', length: 64, nullable: true })
  leadInstitutionId!: string | null;
}
