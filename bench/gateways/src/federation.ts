/**
 * The subgraphs every gateway of the benchmark calls: the registry's subgraphs (subgraphs.json), each a separate
 * process of the built product on its own fresh MySQL database (`bench_<name>`), with the same synthetic data.
 */
import { join } from 'node:path';
import { readSubgraphRegistry, subgraphUrlVariableName } from '@partnership/service-runtime';
import { createConnection } from 'mysql2/promise';
import { freePort, Service, waitUntil } from './processes';

/** What the issue measured: 300 institutions, 600 agreements, 300 programmes (as bench/federation-batching.ts). */
export const syntheticCounts = { institutions: 300, peoplePerInstitution: 2, agreements: 600, programmes: 300, cohortsPerProgramme: 2, traineesPerCohort: 3 };

export interface RunningSubgraph {
  name: string;
  url: string;
  service: Service;
}

export interface FederationSettings {
  repoRoot: string;
  mysqlUrl: string;
  /** Environment every service gets (PATH, LOG_LEVEL, DATA_DIR, GATEWAY_SIGNING_SECRET). */
  baseEnv: NodeJS.ProcessEnv;
  say(message: string): void;
}

/** The MySQL URL of one database on the server of `mysqlUrl` (user, password and options kept). */
function databaseUrl(mysqlUrl: string, database: string): string {
  const url = new URL(mysqlUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops and creates `bench_<name>` (utf8mb4) for every subgraph; returns their URLs by subgraph name. */
async function freshDatabases(mysqlUrl: string, names: readonly string[]): Promise<Record<string, string>> {
  let connection: Awaited<ReturnType<typeof createConnection>>;
  try {
    connection = await createConnection({ uri: databaseUrl(mysqlUrl, ''), connectTimeout: 5_000 });
  } catch (err) {
    throw new Error(
      `MySQL is not reachable at ${mysqlUrl} (${(err as Error).message}). Start MySQL or MariaDB, or name the server with ` +
        '`npm run bench:gateways -- --mysql-url mysql://user:password@host:3306` (or BENCH_MYSQL_URL); the user must be allowed to create databases.',
    );
  }
  try {
    const urls: Record<string, string> = {};
    for (const name of names) {
      const database = `bench_${name.replace(/[^a-z0-9_]/gi, '_')}`;
      await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await connection.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      urls[name] = databaseUrl(mysqlUrl, database);
    }
    return urls;
  } finally {
    await connection.end();
  }
}

function countsAsArgs(): string[] {
  return Object.entries(syntheticCounts).flatMap(([key, value]) => [`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(value)]);
}

/**
 * Fresh databases, the synthetic data (each subgraph's synthetic CLI, `npm run synthetic`), then the subgraphs, each
 * knowing the others' URLs; resolves once every one answers its readiness check.
 */
export async function startSubgraphs({ repoRoot, mysqlUrl, baseEnv, say }: FederationSettings): Promise<RunningSubgraph[]> {
  const registry = readSubgraphRegistry(join(repoRoot, 'subgraphs.json'));
  const databases = await freshDatabases(
    mysqlUrl,
    registry.map((s) => s.name),
  );
  say(
    `databases ${Object.values(databases)
      .map((url) => new URL(url).pathname.slice(1))
      .join(', ')} created; writing synthetic data`,
  );
  await Promise.all(
    registry.map(async ({ name, folder }) => {
      const loader = new Service(`${name} synthetic data`, process.execPath, [join(repoRoot, folder, 'dist', 'src', 'synthetic-cli.js'), ...countsAsArgs()], {
        ...baseEnv,
        DATABASE_URL: databases[name],
      });
      await loader.exited;
      if (loader.child.exitCode !== 0) throw new Error(`the synthetic data of ${name} was not written; its last lines:\n${loader.tail()}`);
    }),
  );
  const ports = await Promise.all(registry.map(() => freePort()));
  const urls = Object.fromEntries(registry.map((s, i) => [subgraphUrlVariableName(s.name), `http://127.0.0.1:${ports[i]}/graphql`]));
  const subgraphs = registry.map(({ name, folder }, i) => ({
    name,
    url: `http://127.0.0.1:${ports[i]}/graphql`,
    service: new Service(name, process.execPath, [join(repoRoot, folder, 'dist', 'src', 'index.js')], {
      ...baseEnv,
      // As the subgraphs run in production (the Dockerfile sets it): graphql-js then skips its development checks.
      // Every gateway asks the same subgraphs, so this weighs the same for all of them.
      NODE_ENV: 'production',
      ...urls,
      DATABASE_URL: databases[name],
      PORT: String(ports[i]),
    }),
  }));
  await Promise.all(
    subgraphs.map(({ service, url }) =>
      waitUntil(service, async () => (await fetch(url.replace(/\/graphql$/, '/health/ready'), { signal: AbortSignal.timeout(2_000) })).ok, 'ready'),
    ),
  );
  say(`subgraphs ready: ${subgraphs.map((s) => `${s.name} (pid ${s.service.pid})`).join(', ')}`);
  return subgraphs;
}
