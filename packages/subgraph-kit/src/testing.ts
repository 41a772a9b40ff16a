/**
 * Helpers for tests of the subgraphs, the gateway and the whole federation. Not used in production code.
 * MySQL tests run only when MYSQL_TEST_URL names a server where the user may CREATE DATABASE; each test file
 * gets its own scratch database (utf8mb4), dropped afterwards, so test files can run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

export const mysqlTestUrl: string | undefined = process.env.MYSQL_TEST_URL || undefined;

/** `describe` for tests that need MySQL: skipped, with the reason in its name, when MYSQL_TEST_URL is unset. */
export const describeOnMysql: (name: string, fn: () => void) => void = (name, fn) =>
  mysqlTestUrl ? describe(`${name} on MySQL`, fn) : describe.skip(`${name} on MySQL (skipped: MYSQL_TEST_URL not set)`, fn);

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty utf8mb4 database on the MySQL test server and returns its URL. */
export async function createScratchMysqlDatabase(label: string): Promise<ScratchDatabase> {
  if (!mysqlTestUrl) throw new Error('MYSQL_TEST_URL is not set');
  const name = `t_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const server = new URL(mysqlTestUrl);
  server.pathname = '/';
  const admin = await createConnection(server.toString());
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const conn = await createConnection(server.toString());
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

export interface ScratchSqlite {
  url: string;
  dir: string;
  remove(): void;
}

/** A fresh SQLite file in a temporary folder (for tests that restart a service on the same data). */
export function createScratchSqlite(label: string): ScratchSqlite {
  const dir = mkdtempSync(join(tmpdir(), `${label}-`));
  return { url: `sqlite:${join(dir, `${label}.sqlite`)}`, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }> };
}

/** Sends one GraphQL operation over real HTTP, the way the gateway or a client does. */
export async function postGraphQL<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as GraphQLResponse<T>['body'] };
  } catch {
    throw new Error(`not JSON (HTTP ${response.status}): ${text.slice(0, 500)}`);
  }
}
