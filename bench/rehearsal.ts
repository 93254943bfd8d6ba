/**
 * Rehearsal: a whole programme-year (national-2022 by default) through publication on the
 * time-skipping server, exactly as `kczg rehearse` runs it (client/rehearsal.ts), timed.
 */
import path from 'node:path';
import { rehearse } from '../client/rehearsal';
import { loadProgramme } from '../programmes/loader';
import { childrenOf } from './procs';
import { spawnedPids } from './stack';
import { LoadSampler, round } from './stats';
import type { PhaseContext } from './phase-kit';

export interface RehearsalResult {
  programmeId: string;
  nominations: number;
  wallSeconds: number;
  messages: number;
  accepted: number;
  rejected: Record<string, number>;
  winners: number;
  stage: string;
  /** Messages delivered per wall-clock second. */
  messagesPerSecond: number;
  loadAverage: { mean: number; max: number };
}

export async function runRehearsal(
  programmeId: string,
  nominations: number,
  ctx: PhaseContext,
): Promise<RehearsalResult> {
  const load = new LoadSampler();
  const known = new Set(childrenOf().map((p) => p.pid));
  // rehearse() starts the time-skipping server itself; note its process for the leak check.
  const watcher = setInterval(() => {
    for (const p of childrenOf()) {
      if (known.has(p.pid)) continue;
      known.add(p.pid);
      spawnedPids.push({ pid: p.pid, what: `time-skipping server (${p.comm})` });
    }
  }, 1_000);
  try {
    const started = performance.now();
    const report = await rehearse({
      programme: loadProgramme(programmeId),
      nominations,
      outDir: path.join(ctx.workDir, 'rehearsal'),
      log: (line) => ctx.log(`  ${line}`),
    });
    const wallSeconds = round((performance.now() - started) / 1000, 1);
    return {
      programmeId,
      nominations,
      wallSeconds,
      messages: report.messages,
      accepted: report.accepted,
      rejected: report.rejected,
      winners: report.winners,
      stage: report.stage,
      messagesPerSecond: round(report.messages / Math.max(wallSeconds, 1e-9)),
      loadAverage: load.stop(),
    };
  } finally {
    clearInterval(watcher);
    load.stop();
  }
}
