import { Entity, Index, PrimaryColumn } from 'typeorm';

/** An institution a programme declares as host (a row per programme and institution). */
@Entity({ name: 'training_program_host' })
export class TrainingProgramHost {
  @PrimaryColumn({ name: 'program_id', type: 'varchar', length: 64 })
  programId!: string;

  /** Institutions live in the institutions subgraph: an id, no foreign key. */
  @Index()
  @PrimaryColumn({ name: 'institution_id', type: 'varchar', length: 64 })
  institutionId!: string;
}
