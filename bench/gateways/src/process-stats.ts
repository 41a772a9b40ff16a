/**
 * CPU time and memory of processes, read from /proc (Linux): a gateway is measured with every process it started
 * (GATEWAY_WORKERS forks workers), the subgraphs as their three processes.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** `pid` and every process below it, as far as /proc still shows them. */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i += 1) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${tree[i]}/task`);
    } catch {
      continue; // exited
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${tree[i]}/task/${task}/children`, 'utf8').trim();
        if (children) tree.push(...children.split(/\s+/).map(Number));
      } catch {
        // the thread ended
      }
    }
  }
  return tree;
}

/** User plus system CPU seconds of each process still running, by pid. */
export function cpuSeconds(pids: readonly number[]): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces; the fields after it are split from its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond);
    } catch {
      // exited
    }
  }
  return seconds;
}

/** CPU seconds spent between two readings, over the processes present in both. */
export function cpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? seconds);
  return total;
}

/** Resident memory of the processes in MB (MiB), summed. */
export function residentMb(pids: readonly number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) kb += Number(match[1]);
    } catch {
      // exited
    }
  }
  return kb / 1024;
}

/** Samples the resident memory of `pid`'s process tree every `intervalMs`; `stop()` returns the highest sum seen. */
export function samplePeakRss(pid: number, intervalMs = 500): { stop(): number } {
  let peak = residentMb(processTree(pid));
  const timer = setInterval(() => {
    peak = Math.max(peak, residentMb(processTree(pid)));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, residentMb(processTree(pid)));
    },
  };
}

/** CPU seconds the whole machine spent busy (every core, from /proc/stat). */
export function machineBusySeconds(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / clockTicksPerSecond;
}

/** The pids of the processes with one of these command names (`/proc/<pid>/comm`), such as the MySQL server's. */
export function pidsNamed(names: readonly string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) pids.push(Number(entry));
    } catch {
      // exited
    }
  }
  return pids;
}
