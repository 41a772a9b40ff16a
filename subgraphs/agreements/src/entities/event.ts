import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A forum, state visit or delegation visit. */
@Entity({ name: 'event' })
export class Event {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 300 })
  name!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  /** Canonical partial dates ("2026-01-19", "2025-03", "2026-Q1") with the source's wording beside them. */
  @Column({ name: 'starts_on', type: 'varchar', length: 10, nullable: true })
  startsOn!: string | null;

  @Column({ name: 'starts_on_label', type: 'varchar', length: 200, nullable: true })
  startsOnLabel!: string | null;

  @Column({ name: 'ends_on', type: 'varchar', length: 10, nullable: true })
  endsOn!: string | null;

  @Column({ name: 'ends_on_label', type: 'varchar', length: 200, nullable: true })
  endsOnLabel!: string | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  city!: string | null;

  @Column({ type: 'varchar', length: 2, nullable: true })
  country!: string | null;

  @Column({ type: 'text', nullable: true })
  summary!: string | null;

  /** Lower bounds ("over 300 delegates"), null when the sources give no figure. */
  @Column({ name: 'min_delegates', type: 'int', nullable: true })
  minDelegates!: number | null;

  @Column({ name: 'min_healthcare_delegates', type: 'int', nullable: true })
  minHealthcareDelegates!: number | null;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;
}
