import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An enrolment sent with an idempotency key: a retry with the same key (by the same subject) returns this placement
 * instead of enrolling again. The primary key (subject, key) is the unique constraint that keeps concurrent retries
 * from writing twice.
 */
@Entity({ name: 'enrollment_request' })
export class EnrollmentRequest {
  /** SHA-256 of the caller's partner and subject: keys are scoped to whoever sent them. */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  subject!: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 100 })
  idempotencyKey!: string;

  /** SHA-256 of the enrolment's input, so the same key with different input is refused. */
  @Column({ name: 'input_hash', type: 'varchar', length: 64 })
  inputHash!: string;

  /** The placement the first request made. */
  @Column({ name: 'placement_id', type: 'varchar', length: 64 })
  placementId!: string;

  @Column({ name: 'created_at', type: 'varchar', length: 24 })
  createdAt!: string;
}
