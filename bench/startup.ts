/**
 * Start-up of the `kczg` command against `node -e 0` on the same machine: how long a secretariat
 * scripting many calls waits before each one does anything. Interleaved A/B: every repetition
 * runs the baseline and each command back to back (in a rotating order), and the ratio is taken
 * per repetition, so a machine that gets busier or quieter during the run shifts both sides alike.
 * Reports the median ratio and its spread (10th–90th percentile of the paired ratios).
 *
 *   node dist/bench/startup.js [--repetitions N]     (also `npm run bench -- --only startup`)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const CLI = path.resolve(__dirname, '..', 'client', 'cli.js');

export interface StartupCase {
  name: string;
  args: string[];
}

/** The two the goal names: help, and a server-less command that loads and plans a programme. */
export const STARTUP_CASES: StartupCase[] = [
  { name: 'kczg --help', args: [CLI, '--help'] },
  { name: 'kczg plan national-2023 --json', args: [CLI, 'plan', 'national-2023', '--json'] },
];

export interface StartupCaseResult {
  name: string;
  medianMs: number;
  /** Median over repetitions of (this command's time ÷ the same repetition's `node -e 0`). */
  ratio: number;
  /** 10th and 90th percentile of those paired ratios. */
  ratioSpread: [number, number];
}

export interface StartupResult {
  repetitions: number;
  baseline: { name: 'node -e 0'; medianMs: number; spreadMs: [number, number] };
  cases: StartupCaseResult[];
  /** The goal: every command within this many times `node -e 0`. */
  targetRatio: number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/** Wall time of one run, spawn to exit, output discarded; a failing command is an error. */
function timeRun(args: string[]): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: 'ignore' });
  const elapsed = performance.now() - started;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status ?? run.signal}`);
  return elapsed;
}

export function runStartup(
  repetitions: number,
  log: (line: string) => void = () => undefined,
): StartupResult {
  const sides: StartupCase[] = [{ name: 'node -e 0', args: ['-e', '0'] }, ...STARTUP_CASES];
  // One untimed round first: the file system cache and the CPU governor settle.
  for (const side of sides) timeRun(side.args);
  const times: number[][] = sides.map(() => []);
  for (let rep = 0; rep < repetitions; rep++) {
    for (let k = 0; k < sides.length; k++) {
      const i = (rep + k) % sides.length;
      times[i].push(timeRun(sides[i].args));
    }
  }
  const [baseline, ...cases] = times;
  const result: StartupResult = {
    repetitions,
    baseline: {
      name: 'node -e 0',
      medianMs: round(quantile(baseline, 0.5), 1),
      spreadMs: [round(quantile(baseline, 0.1), 1), round(quantile(baseline, 0.9), 1)],
    },
    cases: cases.map((samples, c) => {
      const ratios = samples.map((ms, rep) => ms / baseline[rep]);
      return {
        name: STARTUP_CASES[c].name,
        medianMs: round(quantile(samples, 0.5), 1),
        ratio: round(quantile(ratios, 0.5)),
        ratioSpread: [round(quantile(ratios, 0.1)), round(quantile(ratios, 0.9))],
      };
    }),
    targetRatio: 3,
  };
  for (const line of renderStartup(result)) log(line);
  return result;
}

export function renderStartup(result: StartupResult): string[] {
  const b = result.baseline;
  return [
    `start-up, ${result.repetitions} interleaved repetitions; node -e 0: median ${b.medianMs} ms (p10–p90 ${b.spreadMs.join('–')} ms)`,
    ...result.cases.map(
      (c) =>
        `${c.name}: median ${c.medianMs} ms, ${c.ratio}× node -e 0 (p10–p90 ${c.ratioSpread.join('–')}×; target ≤ ${result.targetRatio}×)`,
    ),
  ];
}

if (require.main === module) {
  const at = process.argv.indexOf('--repetitions');
  const repetitions = at > 0 ? Number(process.argv[at + 1]) : 20;
  if (!Number.isInteger(repetitions) || repetitions < 1) {
    process.stderr.write('--repetitions wants a positive integer\n');
    process.exit(2);
  }
  const result = runStartup(repetitions);
  process.stdout.write(`${renderStartup(result).join('\n')}\n`);
}
