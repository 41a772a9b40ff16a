import { Entity, PrimaryColumn } from 'typeorm';

/** One specialty an institution works in (a row per institution and specialty). */
@Entity({ name: 'institution_specialty' })
export class InstitutionSpecialty {
  @PrimaryColumn({ name: 'institution_id', type: 'varchar', length: 64 })
  institutionId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  specialty!: string;
}
