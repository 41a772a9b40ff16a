import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An agreement, protocol or collaboration between partner institutions. */
@Entity({ name: 'agreement' })
export class Agreement {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  @Index()
  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Index()
  @Column({ type: 'varchar', length: 32 })
  status!: string;

  /** `YYYY-MM-DD` as text, so the value reads back as the same string on MySQL and SQLite. */
  @Column({ name: 'signed_on', type: 'varchar', length: 10, nullable: true })
  signedOn!: string | null;

  /** Canonical partial date ("2026-01"); the source's wording is in concludedOnLabel. */
  @Column({ name: 'concluded_on', type: 'varchar', length: 10, nullable: true })
  concludedOn!: string | null;

  @Column({ name: 'concluded_on_label', type: 'varchar', length: 200, nullable: true })
  concludedOnLabel!: string | null;

  @Index()
  @Column({ name: 'event_id', type: 'varchar', length: 64, nullable: true })
  eventId!: string | null;

  @Column({ type: 'text', nullable: true })
  summary!: string | null;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;

  /** Bumped by every update; writers send the version they read (optimistic concurrency, see updateVersioned). */
  @Column({ type: 'int', default: 1 })
  version!: number;
}
