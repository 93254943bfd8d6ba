/** The intake section of the benchmark's markdown: issue 19's ratios with their spread, then each round's sides. */
import type { IntakeResult, IntakeSide, KczgIntakeSide } from './intake';

const fmt = (v: number | undefined, unit = '') => (v === undefined ? '-' : `${v}${unit}`);
const list = (values: number[]) => values.join(' / ');

function sideRow(name: string, side: IntakeSide): string {
  return `| ${name} | ${side.perSecond} | ${side.latency.p50Ms} / ${side.latency.p99Ms} ms | ${side.failed} | ${side.workerCpuMsPerUpdate} ms | ${fmt(side.workerRssIdleMiB)} / ${fmt(side.workerRssBeforeLoadMiB)} / ${fmt(side.workerPeakRssMiB)} MiB | ${fmt(side.rssPerCachedWorkflowKiB, ' KiB')} (${side.cachedWorkflows}) | ${side.query.p50Ms} / ${side.query.p99Ms} ms (${side.query.count}) | ${side.workerCpuSeconds} / ${fmt(side.serverCpuSeconds)} / ${side.benchCpuSeconds} | ${side.loadAverage.mean} (max ${side.loadAverage.max}) |`;
}

function kczgExtras(roundNo: number, side: KczgIntakeSide): string {
  const p = side.portal;
  const h = side.handOver;
  const portal = p
    ? `portal API p50/p95 ${p.api.p50Ms}/${p.api.p95Ms} ms (${p.api.count}), page p50/p95 ${p.page.p50Ms}/${p.page.p95Ms} ms (${p.page.count}), errors ${p.errors}`
    : 'portal not read';
  const handOver = h
    ? `hand-over ${h.handedOver} in ${fmt(h.seconds, ' s')} (${fmt(h.perSecond, '/s')}; extend ${h.extendSeconds} s; status showed progress ${h.progressSeen}×, empty review ${h.emptyReviewSeen}×)`
    : 'no hand-over';
  return `- round ${roundNo}: ${portal}; ${handOver}`;
}

export function renderIntake(i: IntakeResult): string[] {
  const lines: string[] = [];
  lines.push(
    `## Intake: ${i.nominations} from ${i.units} units, concurrency ${i.concurrency}, ${i.rounds.length} rounds interleaved (baseline, kczg, …), cache ${i.cacheSize} workflows`,
  );
  lines.push('');
  lines.push(
    '| figure | kczg per round | baseline per round | ratio (median) | spread (min–max) | target | met |',
  );
  lines.push('|---|---|---|---|---|---|---|');
  for (const f of i.figures) {
    const met = f.met === undefined ? '–' : f.met ? '✅' : '❌';
    lines.push(
      `| ${f.metric} | ${list(f.kczg)} ${f.unit} | ${list(f.baseline)} ${f.unit} | **${f.ratio}** | ${f.spread.min}–${f.spread.max} | ${f.target ?? '–'} | ${met} |`,
    );
  }
  lines.push('');
  lines.push(
    '| round, side | per s | p50 / p99 | failed | worker CPU per update | worker RSS idle / set up / peak | RSS per cached workflow (cached) | read under load p50 / p99 (count) | CPU s worker / server / bench | load avg |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of i.rounds) {
    lines.push(sideRow(`${r.round} baseline no-op update`, r.baseline));
    lines.push(sideRow(`${r.round} kczg nominate`, r.kczg));
  }
  lines.push('');
  for (const r of i.rounds) lines.push(kczgExtras(r.round, r.kczg));
  lines.push('');
  lines.push(`Rejected: ${JSON.stringify(i.rejected)}.`);
  lines.push('');
  return lines;
}
