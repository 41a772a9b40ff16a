import { Entity, Index, PrimaryColumn } from 'typeorm';

/** An earlier event an agreement builds on (the cooperation with the French MFA builds on the March 2025 state visit). */
@Entity({ name: 'agreement_related_event' })
export class AgreementRelatedEvent {
  @PrimaryColumn({ name: 'agreement_id', type: 'varchar', length: 64 })
  agreementId!: string;

  @Index()
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 64 })
  eventId!: string;
}
