/**
 * Issue 19's figures, each a ratio of kczg to the SDK's trivial baseline measured in the same run:
 * the two sides run interleaved (baseline, kczg, baseline, kczg, …), one ratio per round, and the
 * figure is the median of the rounds' ratios with their spread (min–max), so a noisy neighbour in
 * one round shows as spread instead of flattering one side.
 */
import type { IntakeRound } from './intake';
import { round } from './stats';

export type FigureId =
  | 'intake'
  | 'p99'
  | 'cpu-per-update'
  | 'rss-per-cached-workflow'
  | 'status-query-p99'
  | 'hand-over-rate'
  | 'portal-api-p95'
  | 'portal-page-p95';

export interface RatioFigure {
  id: FigureId;
  /** What is divided by what. */
  metric: string;
  unit: string;
  /** One value per round, kczg side and baseline side (same round, same order). */
  kczg: number[];
  baseline: number[];
  /** kczg ÷ baseline, per round. */
  ratios: number[];
  /** Median of the rounds' ratios. */
  ratio: number;
  spread: { min: number; max: number };
  /** Issue 19's target, e.g. "≥ 0.9"; none for the portal (no target, reported for its trend). */
  target?: string;
  met?: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface FigureSpec {
  id: FigureId;
  metric: string;
  unit: string;
  kczg: (r: IntakeRound) => number | undefined;
  baseline: (r: IntakeRound) => number | undefined;
  /** The target: at least (≥) or at most (≤) this ratio. */
  target?: { atLeast: number } | { atMost: number };
}

const SPECS: FigureSpec[] = [
  {
    id: 'intake',
    metric: 'intake: kczg nominations/s ÷ no-op Updates/s',
    unit: '/s',
    kczg: (r) => r.kczg.perSecond,
    baseline: (r) => r.baseline.perSecond,
    target: { atLeast: 0.9 },
  },
  {
    id: 'p99',
    metric: 'intake p99: kczg nominate ÷ no-op Update',
    unit: 'ms',
    kczg: (r) => r.kczg.latency.p99Ms,
    baseline: (r) => r.baseline.latency.p99Ms,
    target: { atMost: 1.5 },
  },
  {
    id: 'cpu-per-update',
    metric: 'worker CPU per update: kczg ÷ baseline',
    unit: 'ms',
    kczg: (r) => r.kczg.workerCpuMsPerUpdate,
    baseline: (r) => r.baseline.workerCpuMsPerUpdate,
    target: { atMost: 1.3 },
  },
  {
    id: 'rss-per-cached-workflow',
    metric: 'worker RSS per cached workflow: unit workflow ÷ trivial workflow (same cache size)',
    unit: 'KiB',
    kczg: (r) => r.kczg.rssPerCachedWorkflowKiB,
    baseline: (r) => r.baseline.rssPerCachedWorkflowKiB,
    target: { atMost: 1.5 },
  },
  {
    id: 'status-query-p99',
    metric: 'query p99 under intake: cycle status ÷ trivial workflow query',
    unit: 'ms',
    kczg: (r) => r.kczg.query.p99Ms,
    baseline: (r) => r.baseline.query.p99Ms,
    target: { atMost: 2 },
  },
  {
    id: 'hand-over-rate',
    metric: 'hand-over at the close: nominations handed to review/s ÷ no-op Updates/s',
    unit: '/s',
    kczg: (r) => r.kczg.handOver?.perSecond,
    baseline: (r) => r.baseline.perSecond,
    target: { atLeast: 0.5 },
  },
  {
    id: 'portal-api-p95',
    metric: 'portal GET /api/v1/cycles/:programme/units/:unit p95 under intake ÷ trivial query p95',
    unit: 'ms',
    kczg: (r) => r.kczg.portal?.api.p95Ms,
    baseline: (r) => r.baseline.query.p95Ms,
  },
  {
    id: 'portal-page-p95',
    metric: 'portal page /u/:programme/:unit p95 under intake ÷ trivial query p95',
    unit: 'ms',
    kczg: (r) => r.kczg.portal?.page.p95Ms,
    baseline: (r) => r.baseline.query.p95Ms,
  },
];

/** Every figure the rounds measured (a figure missing from any round is left out). */
export function ratioFigures(rounds: IntakeRound[]): RatioFigure[] {
  const figures: RatioFigure[] = [];
  for (const spec of SPECS) {
    const kczg = rounds.map(spec.kczg);
    const baseline = rounds.map(spec.baseline);
    const measured = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
    if (rounds.length === 0 || !kczg.every(measured) || !baseline.every(measured)) continue;
    const ratios = kczg.map((k, i) => round(k / Math.max(baseline[i], 1e-9), 3));
    const ratio = round(median(ratios), 3);
    const target = spec.target;
    figures.push({
      id: spec.id,
      metric: spec.metric,
      unit: spec.unit,
      kczg,
      baseline,
      ratios,
      ratio,
      spread: { min: Math.min(...ratios), max: Math.max(...ratios) },
      ...(target
        ? 'atLeast' in target
          ? { target: `≥ ${target.atLeast}`, met: ratio >= target.atLeast }
          : { target: `≤ ${target.atMost}×`, met: ratio <= target.atMost }
        : {}),
    });
  }
  return figures;
}
