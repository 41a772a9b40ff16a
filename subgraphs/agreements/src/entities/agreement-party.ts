import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An institution bound by an agreement. Institutions and people live in the institutions subgraph: only ids here. */
@Entity({ name: 'agreement_party' })
export class AgreementParty {
  @PrimaryColumn({ name: 'agreement_id', type: 'varchar', length: 64 })
  agreementId!: string;

  @Index()
  @PrimaryColumn({ name: 'institution_id', type: 'varchar', length: 64 })
  institutionId!: string;

  /** Order in which the sources name the parties. */
  @Column({ type: 'int' })
  position!: number;

  @Column({ type: 'varchar', length: 200, nullable: true })
  role!: string | null;

  @Column({ name: 'representative_id', type: 'varchar', length: 64, nullable: true })
  representativeId!: string | null;

  /**
   * The party institution's country, copied from the institutions subgraph when the party is recorded.
   * Denormalised on purpose: AgreementFilter.country is answered from this database alone, without a call to
   * another subgraph per request (subgraphs never read each other's databases).
   */
  @Index()
  @Column({ type: 'varchar', length: 2 })
  country!: string;
}
