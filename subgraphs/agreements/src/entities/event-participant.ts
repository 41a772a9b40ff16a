import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An institution or person (ids in the institutions subgraph) taking part in an event, with their role. */
@Entity({ name: 'event_participant' })
export class EventParticipant {
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 64 })
  eventId!: string;

  /** Order within the event; with eventId the key, since one institution may take part in several roles. */
  @PrimaryColumn({ type: 'int' })
  position!: number;

  @Index()
  @Column({ name: 'institution_id', type: 'varchar', length: 64, nullable: true })
  institutionId!: string | null;

  @Column({ name: 'person_id', type: 'varchar', length: 64, nullable: true })
  personId!: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  role!: string | null;
}
