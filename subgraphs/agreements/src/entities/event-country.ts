import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A country whose delegates took part in an event. */
@Entity({ name: 'event_country' })
export class EventCountry {
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 64 })
  eventId!: string;

  @PrimaryColumn({ type: 'varchar', length: 2 })
  country!: string;

  /** Order in which the sources list the countries. */
  @Column({ type: 'int' })
  position!: number;
}
