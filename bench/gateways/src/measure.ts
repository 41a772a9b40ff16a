/**
 * One measured round of one gateway: a sample of answers checked, a warm-up, then autocannon for the round's duration
 * while the CPU time of the gateway (with every process it started) and of the subgraphs is read before and after and
 * the gateway's memory is sampled.
 */
import autocannon from 'autocannon';
import type { RunningGateway } from './gateways';
import { cpuSeconds, cpuSpent, machineBusySeconds, pidsNamed, processTree, samplePeakRss } from './process-stats';
import { post, type Traffic } from './traffic';

export interface LoadSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface RoundResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Answers with an HTTP status other than 2xx, plus connection errors and timeouts. */
  failedRequests: number;
  /** 2xx answers that carried GraphQL errors. */
  graphqlErrors: number;
  gatewayCpuMsPerRequest: number;
  subgraphCpuMsPerRequest: number;
  /** The MySQL server's CPU (all its clients: other work on the machine may use it too). */
  mysqlCpuMsPerRequest: number;
  peakRssMb: number;
  /** Share of the requests whose body no earlier request of the round had (1: every request different). */
  distinctShare: number;
  /**
   * CPU the rest of the machine used meanwhile, in cores: everything but the gateway, the subgraphs, the MySQL server
   * and the load generator. Other work competing for the cores skews the figures.
   */
  otherCores: number;
  /** The first answer with GraphQL errors, if any (shortened). */
  firstError?: string;
}

const SAMPLE_SIZE = 20;

/** Sends a few requests of `traffic` one by one and fails with the first wrong answer. */
async function checkSample(gateway: RunningGateway, traffic: Traffic): Promise<void> {
  for (let i = 0; i < SAMPLE_SIZE; i += 1) {
    const body = traffic.nextBody();
    const answer = await post(gateway.url, body);
    const problem = answer.status === 200 ? traffic.check(body, answer) : `HTTP ${answer.status}: ${JSON.stringify(answer).slice(0, 300)}`;
    if (problem) throw new Error(`${gateway.kind.label} answered ${traffic.kind} request ${body.slice(0, 300)} wrongly: ${problem.slice(0, 500)}`);
  }
}

interface Load {
  result: autocannon.Result;
  graphqlErrors: number;
  firstError?: string;
  distinctShare: number;
}

function load(url: string, traffic: Traffic, connections: number, durationSeconds: number): Promise<Load> {
  let graphqlErrors = 0;
  let firstError: string | undefined;
  const seen = new Set<string>();
  let sent = 0;
  const nextBody = () => {
    const body = traffic.nextBody();
    sent += 1;
    seen.add(body);
    return body;
  };
  const identical = traffic.kind === 'identical';
  return new Promise((done, failed) => {
    autocannon(
      {
        url,
        connections,
        duration: durationSeconds,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            ...(identical ? { body: traffic.nextBody() } : { setupRequest: (request: autocannon.Request) => ({ ...request, body: nextBody() }) }),
            onResponse: (status: number, body: string) => {
              // A cheap test on the load generator's core: an answer with errors has an "errors" key.
              if (status === 200 && body.includes('"errors"')) {
                graphqlErrors += 1;
                firstError ??= body.slice(0, 300);
              }
            },
          },
        ],
      },
      (err, result) =>
        err
          ? failed(err)
          : done({ result, graphqlErrors, firstError, distinctShare: identical ? 1 / Math.max(result.requests.total, 1) : seen.size / Math.max(sent, 1) }),
    );
  });
}

/**
 * Sends `traffic` through `gateway` for `seconds`, measuring nothing: the subgraphs and MySQL warm up on a kind of
 * traffic (compiled code paths, buffer pool) before the first gateway is measured on it.
 */
export async function warmUp(gateway: RunningGateway, traffic: Traffic, connections: number, seconds: number): Promise<void> {
  await load(gateway.url, traffic, connections, seconds);
}

export async function measureRound(gateway: RunningGateway, traffic: Traffic, subgraphPids: readonly number[], settings: LoadSettings): Promise<RoundResult> {
  await checkSample(gateway, traffic);
  if (settings.warmupSeconds > 0) await load(gateway.url, traffic, settings.connections, settings.warmupSeconds);
  const mysqlPids = pidsNamed(['mariadbd', 'mysqld']);
  const gatewayBefore = cpuSeconds(processTree(gateway.service.pid));
  const subgraphsBefore = cpuSeconds(subgraphPids);
  const mysqlBefore = cpuSeconds(mysqlPids);
  const machineBefore = machineBusySeconds();
  const harnessBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const memory = samplePeakRss(gateway.service.pid);
  const { result, graphqlErrors, firstError, distinctShare } = await load(gateway.url, traffic, settings.connections, settings.durationSeconds);
  const peakRssMb = memory.stop();
  const gatewayCpu = cpuSpent(gatewayBefore, cpuSeconds(processTree(gateway.service.pid)));
  const subgraphCpu = cpuSpent(subgraphsBefore, cpuSeconds(subgraphPids));
  const harness = process.cpuUsage(harnessBefore);
  const mysqlCpu = cpuSpent(mysqlBefore, cpuSeconds(mysqlPids));
  const benchmarkCpu = gatewayCpu + subgraphCpu + mysqlCpu + (harness.user + harness.system) / 1e6;
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const otherCores = Math.max(0, (machineBusySeconds() - machineBefore - benchmarkCpu) / elapsedSeconds);
  const requests = Math.max(result.requests.total, 1);
  return {
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failedRequests: result.non2xx + result.errors,
    graphqlErrors,
    gatewayCpuMsPerRequest: (gatewayCpu * 1000) / requests,
    subgraphCpuMsPerRequest: (subgraphCpu * 1000) / requests,
    mysqlCpuMsPerRequest: (mysqlCpu * 1000) / requests,
    peakRssMb,
    distinctShare,
    otherCores,
    firstError,
  };
}
