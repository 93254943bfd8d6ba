/**
 * `npm run bench -- --quick`, as CI runs it: every benchmark phase runs at a small size against
 * real servers (dev server, time-skipping server) and the summary holds sane numbers. No speed is
 * asserted: this machine is shared and small. The run must stop every server and worker it
 * started; the summary lists their pids, and none may be alive afterwards.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchSummary } from '../../bench/report';

const RUN = path.resolve(__dirname, '..', '..', 'dist', 'bench', 'run.js');
const RUN_TIMEOUT_MS = 8 * 60_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // Over time: SIGTERM lets the benchmark stop its servers and workers; SIGKILL if it hangs.
    const term = setTimeout(() => child.kill('SIGTERM'), RUN_TIMEOUT_MS);
    const kill = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS + 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

const positive = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value > 0;

const maybe = process.env.KCZG_SKIP_SERVERS ? describe.skip : describe;

maybe('npm run bench -- --quick', () => {
  it(
    'runs intake (two interleaved rounds), scale, rehearsal and replay at small sizes and writes a sane summary',
    async () => {
      expect(fs.existsSync(RUN)).toBe(true);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-bench-quick-'));
      const { code, stdout, stderr } = await runBench(['--quick', '--out', out]);
      const tail = stderr.split('\n').slice(-40).join('\n');
      const summaryFile = path.join(out, 'latest.json');
      if (!fs.existsSync(summaryFile)) throw new Error(`no summary (exit ${code}):\n${tail}`);
      const s = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as BenchSummary;

      // Every process it started is gone.
      expect(s.spawnedPids.length).toBeGreaterThanOrEqual(4);
      expect(s.spawnedPids.filter((p) => isAlive(p.pid))).toEqual([]);

      expect({ phaseErrors: s.phaseErrors, code }).toEqual({ phaseErrors: {}, code: 0 });
      expect(s.mode).toBe('quick');
      expect(s.machine.cores).toBeGreaterThan(0);
      expect(s.machine.cpuModel).not.toBe('');
      expect(s.machine.node).toBe(process.version);
      expect(s.machine.temporalCli).not.toBe('');

      // 1. Intake and its baseline, interleaved in rounds, every figure a ratio with its spread.
      const intake = s.intake;
      if (!intake) throw new Error('no intake section');
      expect(intake.rounds.map((r) => r.round)).toEqual([1, 2]);
      for (const { baseline, kczg } of intake.rounds) {
        for (const side of [kczg, baseline]) {
          expect(side.failed).toBe(0);
          expect(side.succeeded).toBe(intake.nominations);
          expect(positive(side.perSecond)).toBe(true);
          expect(positive(side.latency.p50Ms)).toBe(true);
          expect(side.latency.p95Ms).toBeGreaterThanOrEqual(side.latency.p50Ms);
          expect(side.latency.p99Ms).toBeGreaterThanOrEqual(side.latency.p95Ms);
          expect(positive(side.workerCpuMsPerUpdate)).toBe(true);
          expect(Number.isFinite(side.rssPerCachedWorkflowKiB)).toBe(true);
          expect(side.cachedWorkflows).toBe(Math.min(intake.units, intake.cacheSize));
          expect(positive(side.query.count)).toBe(true);
          expect(side.query.errors).toBe(0);
        }
        expect(positive(kczg.workerPeakRssMiB)).toBe(true);
        // The portal's unit page was read under the load, as the API and as the page.
        expect(positive(kczg.portal?.api.count)).toBe(true);
        expect(positive(kczg.portal?.page.count)).toBe(true);
        expect(kczg.portal?.errors).toBe(0);
        // Each kczg round closes its cycle and hands everything over; the status never showed a
        // review of nothing while the hand-over ran.
        expect(kczg.handOver?.handedOver).toBe(intake.nominations);
        expect(positive(kczg.handOver?.perSecond)).toBe(true);
        expect(kczg.handOver?.emptyReviewSeen).toBe(0);
      }
      expect(intake.rejected).toEqual({});
      expect(intake.figures.map((f) => f.id).sort()).toEqual(
        [
          'cpu-per-update',
          'hand-over-rate',
          'intake',
          'p99',
          'portal-api-p95',
          'portal-page-p95',
          'rss-per-cached-workflow',
          'status-query-p99',
        ].sort(),
      );
      for (const f of intake.figures) {
        expect(f.ratios).toHaveLength(intake.rounds.length);
        expect(f.spread.min).toBeLessThanOrEqual(f.ratio);
        expect(f.ratio).toBeLessThanOrEqual(f.spread.max);
        if (f.id !== 'rss-per-cached-workflow') expect(positive(f.ratio)).toBe(true);
      }

      // 2. Scale: every nomination accepted, handed over to review, histories measured.
      const scale = s.scale;
      if (!scale) throw new Error('no scale section');
      expect(scale.accepted).toBe(scale.nominations);
      expect(scale.close.handedOver).toBe(scale.accepted);
      expect(scale.close.emptyReviewSeen).toBe(0);
      expect(positive(scale.close.handOverPerSecond)).toBe(true);
      expect(positive(scale.close.closeToHandOverSeconds)).toBe(true);
      expect(positive(scale.statusQuery.underIntake.count)).toBe(true);
      expect(positive(scale.statusQuery.underIntake.p99Ms)).toBe(true);
      expect(scale.histories.reviewBodies.length).toBeGreaterThan(0);
      expect(scale.histories.unitsDescribed).toBe(scale.units);
      for (const h of [scale.histories.cycle, scale.histories.largestUnit, scale.histories.largestByEvents]) {
        expect(positive(h.events)).toBe(true);
        expect(positive(h.bytes)).toBe(true);
      }
      expect(positive(scale.worker.peakRssMiB)).toBe(true);

      // 3. Rehearsal through publication.
      const rehearsal = s.rehearsal;
      if (!rehearsal) throw new Error('no rehearsal section');
      expect(positive(rehearsal.wallSeconds)).toBe(true);
      expect(positive(rehearsal.messages)).toBe(true);
      expect(positive(rehearsal.accepted)).toBe(true);
      expect(['promotion', 'closed']).toContain(rehearsal.stage);

      // 4. Replay of the largest committed history.
      const replay = s.replay;
      if (!replay) throw new Error('no replay section');
      expect(replay.failures).toBe(0);
      expect(positive(replay.events)).toBe(true);
      expect(positive(replay.coldSeconds)).toBe(true);
      expect(positive(replay.warm.count)).toBe(true);

      // Targets are reported, never asserted; the table is written and printed.
      expect(s.targets.map((t) => t.id).sort()).toEqual(
        [
          'cpu-per-update',
          'hand-over-rate',
          'history-bytes',
          'history-events',
          'intake',
          'p99',
          'rehearsal-wall',
          'rss-per-cached-workflow',
          'scale-hand-over-rate',
          'status-query-p99',
        ].sort(),
      );
      const markdown = fs.readFileSync(path.join(out, 'latest.md'), 'utf8');
      expect(markdown).toContain('| Metric | Measured | Target | Met |');
      expect(markdown).toContain(
        '| figure | kczg per round | baseline per round | ratio (median) | spread (min–max) |',
      );
      expect(stdout).toContain('| Metric | Measured | Target | Met |');
      fs.rmSync(out, { recursive: true, force: true });
    },
    RUN_TIMEOUT_MS + 60_000,
  );
});
