/** The benchmark's summary (JSON) and its markdown table, with each figure against its target. */
import type { IntakeResult } from './intake';
import { renderIntake } from './report-intake';
import type { FigureId, RatioFigure } from './ratios';
import type { MachineFacts } from './machine';
import type { RehearsalResult } from './rehearsal';
import type { ReplayResult } from './replay';
import type { ScaleResult } from './scale';

export interface TargetCheck {
  /** A ratio figure's id (bench/ratios.ts), or one of the absolute checks. */
  id: FigureId | 'scale-hand-over-rate' | 'history-events' | 'history-bytes' | 'rehearsal-wall';
  metric: string;
  target: string;
  value: string;
  /** null: not measured in this run. In a quick run, the sizes are not the targets' sizes. */
  met: boolean | null;
}

export interface BenchSummary {
  schema: 1;
  mode: 'full' | 'quick';
  command: string;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  machine: MachineFacts;
  loadAverageAtEnd: number[];
  intake?: IntakeResult;
  scale?: ScaleResult;
  rehearsal?: RehearsalResult;
  replay?: ReplayResult;
  targets: TargetCheck[];
  /** Set when the kczg workers ran an experimental bundle (--preload), not the production one. */
  variant?: { preloadModules: string[]; maxCachedWorkflows?: number };
  /** Phases that failed, with their error; the others still ran. */
  phaseErrors: Record<string, string>;
  /** Every process the run started (servers, workers): none may outlive it. */
  spawnedPids: Array<{ pid: number; what: string }>;
}

const MB10 = 10 * 1024 * 1024;

const spreadOf = (f: RatioFigure) => `${f.spread.min}–${f.spread.max}`;

/** The scale phase's hand-over rate over the intake rounds' median no-op update rate. */
function scaleHandOverRatio(s: Omit<BenchSummary, 'targets'>): number | undefined {
  const rate = s.scale?.close.handOverPerSecond;
  const baseline = s.intake?.figures.find((f) => f.id === 'intake')?.baseline;
  if (rate === undefined || !baseline?.length) return undefined;
  const sorted = [...baseline].sort((a, b) => a - b);
  return Math.round((rate / sorted[Math.floor(sorted.length / 2)]) * 1000) / 1000;
}

export function checkTargets(s: Omit<BenchSummary, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const { intake, scale, rehearsal } = s;
  for (const f of intake?.figures ?? []) {
    if (!f.target) continue;
    checks.push({
      id: f.id,
      metric: f.metric,
      target: f.target,
      value: `${f.ratio} (rounds ${spreadOf(f)})`,
      met: f.met ?? null,
    });
  }
  const scaleRatio = scaleHandOverRatio(s);
  checks.push({
    id: 'scale-hand-over-rate',
    metric: `hand-over at scale (${scale ? scale.accepted : '-'} nominations) ÷ intake's median no-op Updates/s (not interleaved)`,
    target: '≥ 0.5 at 50,000 nominations',
    value: scaleRatio === undefined ? '-' : `${scaleRatio} (${scale?.close.handOverPerSecond}/s)`,
    met: scaleRatio === undefined ? null : scaleRatio >= 0.5,
  });
  const events = scale?.histories.largestByEvents;
  const bytes = scale?.histories.largestByBytes;
  checks.push({
    id: 'history-events',
    metric: `largest history, events (${scale ? scale.accepted : '-'} nominations)`,
    target: '≤ 10,240 at 50,000 nominations',
    value: events ? `${events.events} (${events.workflowId})` : '-',
    met: events ? events.events <= 10_240 : null,
  });
  checks.push({
    id: 'history-bytes',
    metric: `largest history, bytes (${scale ? scale.accepted : '-'} nominations)`,
    target: '≤ 10 MB at 50,000 nominations',
    value: bytes ? `${(bytes.bytes / 1024 / 1024).toFixed(2)} MiB (${bytes.workflowId})` : '-',
    met: bytes ? bytes.bytes <= MB10 : null,
  });
  checks.push({
    id: 'rehearsal-wall',
    metric: `rehearsal wall time (${rehearsal ? `${rehearsal.programmeId}, ${rehearsal.nominations} nominations` : '-'})`,
    target: '< 120 s for 5,000 nominations',
    value: rehearsal ? `${rehearsal.wallSeconds} s` : '-',
    met: rehearsal ? rehearsal.wallSeconds < 120 : null,
  });
  return checks;
}

const mark = (met: boolean | null) => (met === null ? '–' : met ? '✅' : '❌');
const fmt = (v: number | undefined, unit = '') => (v === undefined ? '-' : `${v}${unit}`);

export function renderMarkdown(s: BenchSummary): string {
  const m = s.machine;
  const lines: string[] = [];
  lines.push(`# kczg benchmark (${s.mode}) — ${s.startedAt}`);
  lines.push('');
  lines.push(`\`${s.command}\` — ${s.wallSeconds} s in all`);
  lines.push('');
  if (s.variant?.preloadModules.length) {
    lines.push(
      `**Experiment:** kczg workers ran workflows/ bundled with preloadModules ${JSON.stringify(s.variant.preloadModules)}, not the production bundle.`,
    );
    lines.push('');
  }
  if (s.variant?.maxCachedWorkflows !== undefined) {
    lines.push(
      `**Experiment:** kczg workers ran with maxCachedWorkflows ${s.variant.maxCachedWorkflows} (production default: 400).`,
    );
    lines.push('');
  }
  lines.push('| Machine | |');
  lines.push('|---|---|');
  lines.push(`| CPU | ${m.cpuModel}, ${m.cores} cores |`);
  lines.push(`| Memory | ${m.memoryGiB} GiB |`);
  lines.push(`| OS | ${m.os} |`);
  lines.push(`| Node | ${m.node} |`);
  lines.push(`| Temporal CLI (dev server) | ${m.temporalCli} |`);
  lines.push(`| Time-skipping server | ${m.testServer} |`);
  lines.push(`| SDK | ${m.sdk} |`);
  lines.push(
    `| Tree | ${m.git.commit}${m.git.dirtyFiles.length ? ` + ${m.git.dirtyFiles.length} changed files (others' work in progress)` : ''} |`,
  );
  lines.push(
    `| Load average | start ${m.loadAverageAtStart.join(' / ')}, end ${s.loadAverageAtEnd.join(' / ')} (1/5/15 min) |`,
  );
  lines.push('');
  lines.push('| Metric | Measured | Target | Met |');
  lines.push('|---|---|---|---|');
  for (const t of s.targets) lines.push(`| ${t.metric} | ${t.value} | ${t.target} | ${mark(t.met)} |`);
  lines.push('');

  if (s.intake) lines.push(...renderIntake(s.intake));
  if (s.scale) {
    const c = s.scale;
    lines.push(`## Scale: ${c.nominations} from ${c.units} units in one cycle, concurrency ${c.concurrency}`);
    if (c.truncated) {
      lines.push('');
      lines.push(
        `**Capped:** intake stopped sending after ${c.truncated.capMinutes} min with ${c.truncated.attempted} of ${c.nominations} nominations sent; every figure below is at ${c.accepted} accepted nominations.`,
      );
    }
    lines.push('');
    lines.push('| | |');
    lines.push('|---|---|');
    lines.push(
      `| cycle start (units started) / start-up notices | ${c.setup.cycleStartSeconds} s / ${c.setup.notices} in ${c.setup.noticesSeconds} s |`,
    );
    lines.push(
      `| intake | ${c.accepted} accepted, ${c.intake.perSecond}/s; p50 ${c.intake.latency.p50Ms} ms, p95 ${c.intake.latency.p95Ms} ms, p99 ${c.intake.latency.p99Ms} ms; failed ${c.intake.failed} |`,
    );
    lines.push(
      `| status query under intake | p50 ${c.statusQuery.underIntake.p50Ms} ms, p95 ${c.statusQuery.underIntake.p95Ms} ms, p99 ${c.statusQuery.underIntake.p99Ms} ms, max ${c.statusQuery.underIntake.maxMs} ms (${c.statusQuery.underIntake.count} queries) |`,
    );
    lines.push(
      `| status query during close and hand-over | p50 ${c.statusQuery.duringHandOver.p50Ms} ms, p99 ${c.statusQuery.duringHandOver.p99Ms} ms, max ${c.statusQuery.duringHandOver.maxMs} ms |`,
    );
    lines.push(
      `| close → review stage / → all handed over | ${fmt(c.close.closeToReviewStageSeconds, ' s')} / ${fmt(c.close.closeToHandOverSeconds, ' s')} (${c.close.handedOver} nominations; deadline moves: ${c.close.moves.map((mv) => `${mv.reason} ${mv.byMinutes} min, extend took ${mv.tookSeconds ?? '?'} s`).join('; ') || 'none'}) |`,
    );
    lines.push(
      `| hand-over rate / status during it | ${fmt(c.close.handOverPerSecond, ' nominations/s')}; status showed its progress ${c.close.progressSeen} times, review with no nominations ${c.close.emptyReviewSeen} times |`,
    );
    lines.push(`| closing notices | ${c.close.closingNotices} |`);
    const h = c.histories;
    lines.push(`| cycle history | ${h.cycle.events} events, ${(h.cycle.bytes / 1024).toFixed(1)} KiB |`);
    for (const b of h.reviewBodies)
      lines.push(`| ${b.workflowId} | ${b.events} events, ${(b.bytes / 1024).toFixed(1)} KiB |`);
    lines.push(
      `| largest unit (${h.unitsDescribed} described) | ${h.largestUnit.workflowId}: ${h.largestUnit.events} events, ${(h.largestUnit.bytes / 1024).toFixed(1)} KiB |`,
    );
    const types = (t?: Record<string, number>) =>
      Object.entries(t ?? {})
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    lines.push(`| largest unit, events by type | ${types(h.largestUnit.eventTypes)} |`);
    lines.push(`| cycle, events by type | ${types(h.cycle.eventTypes)} |`);
    lines.push(
      `| worker RSS: after start-up / peak / CPU s | ${fmt(c.worker.rssBeforeLoadMiB, ' MiB')} / ${fmt(c.worker.peakRssMiB, ' MiB')} / ${c.worker.cpuSeconds} |`,
    );
    lines.push(
      `| dev server peak RSS / CPU s | ${fmt(c.server.peakRssMiB, ' MiB')} / ${fmt(c.server.cpuSeconds)} |`,
    );
    lines.push(`| bench (client + SMTP) CPU s | ${c.benchCpuSeconds} |`);
    lines.push(`| load average | ${c.loadAverage.mean} (max ${c.loadAverage.max}) |`);
    lines.push('');
  }
  if (s.rehearsal) {
    const r = s.rehearsal;
    lines.push(`## Rehearsal: ${r.programmeId}, ${r.nominations} nominations, time-skipping server`);
    lines.push('');
    lines.push(
      `${r.wallSeconds} s wall; ${r.messages} messages delivered (${r.messagesPerSecond}/s); ${r.accepted} accepted, rejected ${JSON.stringify(r.rejected)}; ${r.winners} winners; stage ${r.stage}; load avg ${r.loadAverage.mean} (max ${r.loadAverage.max}).`,
    );
    lines.push('');
  }
  if (s.replay) {
    const r = s.replay;
    lines.push(`## Replay: ${r.file} (${r.events} events, ${(r.bytes / 1024).toFixed(1)} KiB JSON)`);
    lines.push('');
    lines.push(
      `Cold (runReplayHistory, worker + bundle load included): ${r.coldSeconds} s. Warm, per replay (${r.warm.count}): p50 ${r.warm.p50Ms} ms, max ${r.warm.maxMs} ms.${r.failures ? ` ${r.failures} replays failed: ${r.firstError}` : ''}`,
    );
    lines.push('');
  }
  const errors = Object.entries(s.phaseErrors);
  if (errors.length) {
    lines.push('## Failed phases');
    lines.push('');
    for (const [phase, error] of errors) lines.push(`- ${phase}: ${error}`);
    lines.push('');
  }
  return lines.join('\n');
}
