/**
 * Process facts from /proc (Linux): the benchmark's own children (servers, workers), their
 * memory and CPU time. Elsewhere every call answers "unknown" and the benchmark reports less.
 */
import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux the SDK supports. */
const CLOCK_TICKS = 100;

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime, seconds. */
  cpuSeconds: number;
}

function readStat(pid: number): ProcInfo | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ..." — comm may hold spaces and parentheses: split at the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const rest = text
      .slice(close + 2)
      .trim()
      .split(/\s+/);
    // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
    const ppid = Number(rest[1]);
    const cpuSeconds = (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS;
    return { pid, ppid, comm, cpuSeconds };
  } catch {
    return undefined;
  }
}

/** Direct children of `pid` (default: this process). */
export function childrenOf(pid = process.pid): ProcInfo[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((info): info is ProcInfo => info !== undefined && info.ppid === pid);
}

export function cpuSecondsOf(pid: number): number | undefined {
  return readStat(pid)?.cpuSeconds;
}

/** VmRSS and VmHWM (peak) of a process, bytes. */
export function memoryOf(pid: number): { rss: number; peakRss: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
    const rss = kb('VmRSS');
    const peakRss = kb('VmHWM');
    return Number.isFinite(rss) ? { rss, peakRss } : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Waits for a process to end (a zombie counts as ended: its parent reaps it on exit), sending
 * SIGKILL if it is still there after `graceMs`. The SDK's teardown of the dev server signals it
 * without waiting, and a benchmark must not return while its server still runs.
 */
export async function awaitExit(pid: number, graceMs: number): Promise<void> {
  const running = () => {
    if (!isAlive(pid)) return false;
    try {
      const state = /\)\s+(\S)/.exec(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + graceMs;
  while (running() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (running()) process.kill(pid, 'SIGKILL');
}
