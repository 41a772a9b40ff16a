import { subgraphConfigFromEnv } from './config';
import { createDatabase, openAndMigrate } from './data-source';
import { createLogger } from './logger';
import type { RequestContext } from './authorization';
import type { SubgraphDefinition } from './server';

/**
 * Turns the command-line options into a synthetic data plan: `counts` (what is logged) and the `plan` handed to
 * the subgraph's `loadSyntheticData`. The domain supplies it; the kit knows no records.
 */
export type SyntheticPlanFromArgs = (args: readonly string[]) => { counts: object; plan: unknown };

/**
 * `npm run synthetic -w <subgraph folder> -- <options>`: writes this subgraph's share of the synthetic plan built
 * by `planFromArgs` into the database the service would use (same environment variables). Reports what it wrote.
 */
export async function runSyntheticCli<Context extends RequestContext>(
  definition: SubgraphDefinition<Context>,
  planFromArgs: SyntheticPlanFromArgs,
  args: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const logger = createLogger(definition.name);
  const config = subgraphConfigFromEnv(definition.name, 0);
  const database = createDatabase({
    url: config.databaseUrl,
    name: definition.name,
    dataDir: config.dataDir,
    entities: definition.entities,
    migrations: definition.migrations,
    logger,
  });
  try {
    const { counts, plan } = planFromArgs(args);
    await openAndMigrate(database, logger);
    const started = Date.now();
    logger.info({ counts, database: database.describe }, 'writing synthetic data');
    await definition.loadSyntheticData(database, plan);
    logger.info({ ms: Date.now() - started, statements: database.statements.count }, 'synthetic data written');
  } catch (err) {
    process.stderr.write(`[${definition.name}] synthetic data not written: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    if (database.dataSource.isInitialized) await database.dataSource.destroy();
  }
}
