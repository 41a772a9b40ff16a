import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A programme that trains specialists of one country at partner institutions. */
@Entity({ name: 'training_program' })
export class TrainingProgram {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  @Index()
  @Column({ type: 'varchar', length: 32 })
  specialty!: string;

  @Column({ type: 'varchar', length: 24 })
  status!: string;

  @Column({ type: 'text', nullable: true })
  summary!: string | null;

  @Column({ name: 'trainee_country', type: 'varchar', length: 2 })
  traineeCountry!: string;

  /** The agreement that provides for it; no foreign key, agreements live in the agreements subgraph. */
  @Index()
  @Column({ name: 'agreement_id', type: 'varchar', length: 64, nullable: true })
  agreementId!: string | null;

  @Column({ name: 'target_trainees', type: 'int', nullable: true })
  targetTrainees!: number | null;

  /** A canonical partial date ("2030"); the label keeps the source's wording ("by 2030"). */
  @Column({ name: 'target_date', type: 'varchar', length: 10, nullable: true })
  targetDate!: string | null;

  @Column({ name: 'target_date_label', type: 'varchar', length: 200, nullable: true })
  targetDateLabel!: string | null;

  /** When the programme started or starts (a canonical partial date): the start of the line `onTrack` measures against. */
  @Column({ name: 'starts_on', type: 'varchar', length: 10, nullable: true })
  startsOn!: string | null;

  @Column({ name: 'starts_on_label', type: 'varchar', length: 200, nullable: true })
  startsOnLabel!: string | null;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;
}
