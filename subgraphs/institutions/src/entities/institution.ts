import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'institution' })
export class Institution {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 300 })
  name!: string;

  @Column({ name: 'local_name', type: 'varchar', length: 300, nullable: true })
  localName!: string | null;

  @Index()
  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Index()
  @Column({ type: 'varchar', length: 2 })
  country!: string;

  @Column({ type: 'varchar', length: 120, nullable: true })
  city!: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  brand!: string | null;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Index()
  @Column({ name: 'part_of_id', type: 'varchar', length: 64, nullable: true })
  partOfId!: string | null;

  /** Names folded for case- and accent-insensitive search (see foldForSearch). */
  @Column({ name: 'search_text', type: 'varchar', length: 700 })
  searchText!: string;

  @Column({ type: 'boolean', default: false })
  synthetic!: boolean;

  /** Bumped by every update; an update must send the version it read (optimistic concurrency). */
  @Column({ type: 'int', default: 1 })
  version!: number;
}
