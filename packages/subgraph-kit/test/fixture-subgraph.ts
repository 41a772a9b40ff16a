/**
 * A minimal subgraph built on the kit, for the kit's own tests (the kit knows no real subgraph): notes with an id
 * and a text, a mutation that adds one, and a query that keeps reading for a while.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import { Column, Entity, PrimaryColumn, Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { RequestContext } from '../src/authorization';
import type { Database } from '../src/data-source';
import type { SubgraphDefinition } from '../src/server';
import { requiredText } from '../src/text-input';

@Entity({ name: 'note' })
export class Note {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  text!: string;
}

export class CreateNotes1795700500000 implements MigrationInterface {
  name = 'CreateNotes1795700500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'note',
        columns: [
          { name: 'id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'text', type: 'varchar', length: '200' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('note');
  }
}

export interface FixtureContext extends RequestContext {
  database: Database;
}

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Note @key(fields: "id") { id: ID! text: String! }
  type Query {
    notes: [Note!]!
    "Reads the notes \`rounds\` times, 10 ms apart: a request that keeps the database busy for a while."
    busyReads(rounds: Int!): Int!
    "Runs one statement that takes \`seconds\` (MySQL only)."
    slowStatement(seconds: Float!): Int!
  }
  type Mutation {
    addNote(text: String!): Note!
    "Adds \`count\` notes in one transaction, 10 ms apart."
    addNotesSlowly(count: Int!): Int!
  }
`);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const fixtureSubgraph: SubgraphDefinition<FixtureContext> = {
  name: 'fixture',
  typeDefs,
  resolvers: {
    Query: {
      notes: (_: unknown, __: unknown, { database }: FixtureContext) => database.dataSource.getRepository(Note).find(),
      busyReads: async (_: unknown, { rounds }: { rounds: number }, { database }: FixtureContext) => {
        for (let i = 0; i < rounds; i += 1) {
          await database.dataSource.query('SELECT COUNT(*) AS n FROM note');
          await pause(10);
        }
        return rounds;
      },
      slowStatement: async (_: unknown, { seconds }: { seconds: number }, { database }: FixtureContext) => {
        await database.dataSource.query('SELECT SLEEP(?) AS slept', [seconds]);
        return seconds;
      },
    },
    Mutation: {
      addNote: async (_: unknown, { text }: { text: string }, { database }: FixtureContext) => {
        const note = { id: randomUUID(), text: requiredText(text, 'text', 200) };
        await database.transaction((manager) => manager.insert(Note, note));
        return note;
      },
      addNotesSlowly: async (_: unknown, { count }: { count: number }, { database }: FixtureContext) => {
        await database.transaction(async (manager) => {
          for (let i = 0; i < count; i += 1) {
            await manager.insert(Note, { id: randomUUID(), text: `note ${i}` });
            await pause(10);
          }
        });
        return count;
      },
    },
    Note: {
      __resolveReference: ({ id }: { id: string }, { database }: FixtureContext) => database.dataSource.getRepository(Note).findOneBy({ id }),
    },
  } as SubgraphDefinition<FixtureContext>['resolvers'],
  entities: [Note],
  migrations: [CreateNotes1795700500000],
  referenceTables: () => [],
  loadSyntheticData: async () => undefined,
  createContext: (database) => ({ database }),
};
