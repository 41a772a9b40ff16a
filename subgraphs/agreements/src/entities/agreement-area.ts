import { Entity, Index, PrimaryColumn } from 'typeorm';

/** One field an agreement covers (a row per agreement and specialty). */
@Entity({ name: 'agreement_area' })
export class AgreementArea {
  @PrimaryColumn({ name: 'agreement_id', type: 'varchar', length: 64 })
  agreementId!: string;

  @Index()
  @PrimaryColumn({ type: 'varchar', length: 32 })
  specialty!: string;
}
