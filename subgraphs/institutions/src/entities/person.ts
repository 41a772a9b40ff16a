import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'person' })
export class Person {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'full_name', type: 'varchar', length: 200 })
  fullName!: string;

  @Column({ type: 'varchar', length: 300, nullable: true })
  title!: string | null;

  /** Personal data: readable only by the roles the schema names. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  phone!: string | null;

  @Index()
  @Column({ name: 'institution_id', type: 'varchar', length: 64, nullable: true })
  institutionId!: string | null;

  /** The full name folded for case- and accent-insensitive search. */
  @Column({ name: 'search_text', type: 'varchar', length: 700 })
  searchText!: string;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;

  /** Bumped by every update; an update must send the version it read (optimistic concurrency). */
  @Column({ type: 'int', default: 1 })
  version!: number;
}
