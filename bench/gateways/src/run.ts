/**
 * `npm run bench:gateways [-- options]`: our gateway side by side with plain @apollo/gateway, Hive Gateway and Hive
 * Gateway with the Rust query planner, on identical and on varied traffic. It creates fresh MySQL databases with
 * synthetic data, starts the subgraphs, then runs each gateway alone, pinned to core 0 (the subgraphs and the load
 * generator on the other cores), round after interleaved round, and writes the tables to docs/benchmarks.md.
 *
 * Options (flags, or the BENCH_* variables):
 *   --mysql-url URL      BENCH_MYSQL_URL      MySQL/MariaDB server (default mysql://root@127.0.0.1:3306)
 *   --duration S         BENCH_DURATION       seconds per measured round (default 15)
 *   --rounds N           BENCH_ROUNDS         interleaved rounds (default 2)
 *   --connections N      BENCH_CONNECTIONS    concurrent connections (default 50)
 *   --warmup S           BENCH_WARMUP         warm-up seconds before each round (default 3)
 *   --gateways a,b       BENCH_GATEWAYS       gateways to run (default all; see --help)
 *   --traffic a,b        BENCH_TRAFFIC        identical, varied (default both)
 *   --quick              BENCH_QUICK=1        smoke check: 3 s rounds, 1 round, 1 s warm-up, docs/benchmarks.md untouched
 *   --no-write                                print the tables only
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningSubgraph, startSubgraphs, syntheticCounts } from './federation';
import { GATEWAYS, type GatewayKind, type GatewaySettings, PEER_IDS, startGateway, writePeerSupergraph } from './gateways';
import { type LoadSettings, measureRound, warmUp } from './measure';
import { killAllNow, stopAll } from './processes';
import { repoRoot } from './paths';
import { type Results, section, trafficTables, writeSection } from './report';
import { identicalTraffic, readTrafficData, TRAFFIC_KINDS, type Traffic, type TrafficData, type TrafficKind, variedTraffic } from './traffic';

const SIGNING_SECRET = 'bench-gateways-signing-secret-0123456789abcdef';

interface Options extends LoadSettings {
  mysqlUrl: string;
  rounds: number;
  gateways: GatewayKind[];
  traffic: TrafficKind[];
  quick: boolean;
  write: boolean;
}

function usage(): string {
  const header = readFileSync(__filename, 'utf8');
  const options = /Options[\s\S]*?\*\//.exec(header)?.[0] ?? '';
  return `npm run bench:gateways [-- options]\n${options.replace(/^ \*\/?/gm, '')}\ngateways: ${GATEWAYS.map((g) => `${g.id} (${g.label})`).join(', ')}\n`;
}

function readOptions(args: readonly string[], env: NodeJS.ProcessEnv): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(usage());
      process.exit(0);
    }
    if (arg === '--quick' || arg === '--no-write') {
      flags.set(arg.slice(2), 'true');
      continue;
    }
    const [name, inline] = arg.split('=', 2);
    const value = inline ?? args[++i];
    if (!name.startsWith('--') || value === undefined) throw new Error(`unknown or incomplete option "${arg}"; see --help`);
    flags.set(name.slice(2), value);
  }
  const setting = (flag: string) => flags.get(flag) ?? env[`BENCH_${flag.toUpperCase().replace(/-/g, '_')}`];
  const known = new Set(['mysql-url', 'duration', 'rounds', 'connections', 'warmup', 'gateways', 'traffic', 'quick', 'no-write']);
  for (const flag of flags.keys()) if (!known.has(flag)) throw new Error(`unknown option --${flag}; see --help`);
  const quick = setting('quick') === 'true' || setting('quick') === '1';
  const number = (flag: string, fallback: number, min: number) => {
    const raw = setting(flag);
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${flag} must be a number of at least ${min} (got "${raw}")`);
    return value;
  };
  const list = <T extends string>(flag: string, all: readonly T[]): T[] => {
    const raw = setting(flag);
    if (!raw) return [...all];
    const chosen = raw.split(',').map((s) => s.trim()) as T[];
    const unknown = chosen.filter((c) => !all.includes(c));
    if (unknown.length > 0) throw new Error(`--${flag}: unknown ${unknown.join(', ')}; choose among ${all.join(', ')}`);
    return all.filter((a) => chosen.includes(a));
  };
  const gatewayIds = list(
    'gateways',
    GATEWAYS.map((g) => g.id),
  );
  return {
    mysqlUrl: setting('mysql-url') || 'mysql://root@127.0.0.1:3306',
    durationSeconds: number('duration', quick ? 3 : 15, 1),
    rounds: Math.floor(number('rounds', quick ? 1 : 2, 1)),
    connections: Math.floor(number('connections', 50, 1)),
    warmupSeconds: number('warmup', quick ? 1 : 3, 0),
    gateways: GATEWAYS.filter((g) => gatewayIds.includes(g.id)),
    traffic: list('traffic', TRAFFIC_KINDS),
    quick,
    write: !quick && setting('no-write') !== 'true',
  };
}

function say(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Pins this process (the load generator, and the subgraphs it starts) to every core but the gateway's. */
function pinCores(): { gatewayCores: string | undefined; pinning: string } {
  const cores = cpus().length;
  if (cores < 2) {
    say('one core only: nothing is pinned, the gateway shares its core with the subgraphs and the load generator');
    return { gatewayCores: undefined, pinning: 'Nothing was pinned (one core).' };
  }
  const others = cores === 2 ? '1' : `1-${cores - 1}`;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', others, String(process.pid)], { stdio: 'ignore' });
  } catch (err) {
    say(`taskset failed (${(err as Error).message}); nothing is pinned`);
    return { gatewayCores: undefined, pinning: 'Nothing was pinned (taskset failed).' };
  }
  return {
    gatewayCores: '0',
    pinning: `Each gateway is pinned to core 0 (\`taskset -c 0\`), except the GATEWAY_WORKERS=2 variant, which may use every core; the subgraphs and the load generator run on core(s) ${others}; the MySQL server is not pinned.`,
  };
}

function commandLine(args: readonly string[], env: NodeJS.ProcessEnv): string {
  const variables = Object.entries(env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value} `)
    .join('');
  return `${variables}npm run bench:gateways${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
}

const fmt = (value: number, digits = 0) => value.toFixed(digits);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const options = readOptions(args, process.env);
  const { gatewayCores, pinning } = pinCores();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-gateways-'));
  const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, LOG_LEVEL: 'warn', DATA_DIR: dataDir, GATEWAY_SIGNING_SECRET: SIGNING_SECRET };
  let cleanedUp = false;
  const cleanUp = async () => {
    if (cleanedUp) return;
    cleanedUp = true;
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: stopping every process the benchmark started`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  process.once('exit', killAllNow);

  try {
    say(
      `gateways: ${options.gateways.map((g) => g.id).join(', ')}; traffic: ${options.traffic.join(', ')}; ${options.rounds} round(s) of ${options.durationSeconds} s, ${options.connections} connections`,
    );
    const subgraphs: RunningSubgraph[] = await startSubgraphs({ repoRoot, mysqlUrl: options.mysqlUrl, baseEnv, say });
    const supergraphPath = join(repoRoot, 'supergraph', 'supergraph.graphql');
    const settings: GatewaySettings = {
      repoRoot,
      supergraphPath,
      peerSupergraphPath: writePeerSupergraph(readFileSync(supergraphPath, 'utf8'), subgraphs, dataDir),
      subgraphs,
      baseEnv,
      gatewayCores,
    };
    const subgraphPids = subgraphs.map((s) => s.service.pid);

    // The real ids and cursors, read through ours (any gateway would do).
    const reader = await startGateway(GATEWAYS.find((g) => g.id === 'ours')!, settings);
    let data: TrafficData;
    try {
      data = await readTrafficData(reader.url);
    } finally {
      await reader.service.stop();
    }
    say(`read ${data.institutionCursors.length} institutions, ${data.agreementIds.length} agreements, ${data.programmeIds.length} programmes`);
    // Every gateway gets the same sequence of varied requests in a round; each round another.
    const trafficOf = (kind: TrafficKind, round: number): Traffic => (kind === 'identical' ? identicalTraffic(repoRoot) : variedTraffic(repoRoot, data, round));

    const results: Results = new Map();
    for (const kind of options.traffic) {
      const byGateway = new Map<string, Array<Awaited<ReturnType<typeof measureRound>> | { failed: string }>>();
      results.set(kind, byGateway);
      // Without this, the first gateway of round 1 met subgraphs still warming up on this traffic and measured slower.
      const warmUpSeconds = options.warmupSeconds * 3;
      if (warmUpSeconds > 0) {
        say(`${kind} traffic: warming the subgraphs up for ${warmUpSeconds} s (through ours without the response cache, not measured)`);
        const warmer = await startGateway(GATEWAYS.find((g) => g.id === 'ours-no-response-cache')!, settings);
        try {
          await warmUp(warmer, trafficOf(kind, 0), options.connections, warmUpSeconds);
        } finally {
          await warmer.service.stop();
        }
      }
      for (let round = 1; round <= options.rounds; round += 1) {
        // Each round starts one gateway further down the list: the first of a round measured lower than the same
        // gateway later in the round (after a peer's round the subgraphs have garbage to collect), and no gateway keeps
        // that place.
        const offset = (round - 1) % options.gateways.length;
        for (const gateway of [...options.gateways.slice(offset), ...options.gateways.slice(0, offset)]) {
          const rounds = byGateway.get(gateway.id) ?? [];
          byGateway.set(gateway.id, rounds);
          say(`${kind} traffic, round ${round}/${options.rounds}: ${gateway.label}`);
          let running: Awaited<ReturnType<typeof startGateway>> | undefined;
          try {
            running = await startGateway(gateway, settings);
            const r = await measureRound(running, trafficOf(kind, round), subgraphPids, options);
            rounds.push(r);
            say(
              `  ${fmt(r.rps)} req/s, p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms, gateway CPU ${fmt(r.gatewayCpuMsPerRequest, 2)} ms/req, ` +
                `subgraphs ${fmt(r.subgraphCpuMsPerRequest, 2)} ms/req, MySQL ${fmt(r.mysqlCpuMsPerRequest, 2)} ms/req, peak RSS ${fmt(r.peakRssMb)} MB, ${r.requests} requests, ` +
                `${r.failedRequests} failed, ${r.graphqlErrors} with GraphQL errors, other work ${fmt(r.otherCores, 2)} cores` +
                (r.firstError ? `; first answer with errors: ${r.firstError}` : ''),
            );
          } catch (err) {
            const message = (err as Error).message;
            rounds.push({ failed: message });
            say(`  failed: ${message}`);
          } finally {
            await running?.service.stop();
          }
          for (const subgraph of subgraphs) {
            if (subgraph.service.hasExited) throw new Error(`the ${subgraph.name} subgraph exited; its last lines:\n${subgraph.service.tail()}`);
          }
        }
      }
    }

    const tables = Object.fromEntries(
      TRAFFIC_KINDS.map((kind) => [kind, results.has(kind) ? trafficTables(kind, options.gateways, results.get(kind)!, PEER_IDS) : '(not run)']),
    ) as Record<TrafficKind, string>;
    const text = section(
      {
        command: commandLine(args, process.env),
        date: new Date(),
        rounds: options.rounds,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        connections: options.connections,
        pinning,
      },
      tables,
      syntheticCounts,
    );
    process.stdout.write(`\n${text}`);
    if (options.write) {
      const path = join(repoRoot, 'docs', 'benchmarks.md');
      writeSection(path, text);
      say(`wrote the "Gateways side by side" section of ${path}`);
    } else {
      say('docs/benchmarks.md left as it is (quick or --no-write)');
    }
  } finally {
    await cleanUp();
  }
}

main().catch((err: unknown) => {
  say(`benchmark failed: ${(err as Error).message}`);
  process.exitCode = 1;
});
