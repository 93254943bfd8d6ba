/**
 * `npm run bench` (after `npm run build`): kczg's benchmarks on this machine, against servers the
 * run starts and stops itself.
 *
 *   1. intake    nominations through KczgClient.nominate vs. no-op Workflow Updates (baseline)
 *   2. scale     one big cycle on the dev server through the close and the hand-over to review
 *   3. rehearsal a whole programme-year on the time-skipping server (client/rehearsal.ts)
 *   4. replay    the largest committed history in test/histories/
 *   5. startup   `kczg --help` and `kczg plan … --json` against `node -e 0` (bench/startup.ts)
 *
 * Writes <out>/latest.json (summary) and <out>/latest.md (table with machine facts), and prints
 * the table. Options:
 *
 *   --quick              small sizes for CI (proves every phase runs; asserts no speed)
 *   --out <dir>          where the results go (default bench/results)
 *   --only a,b           run only these phases (intake, scale, rehearsal, replay, startup)
 *   --intake N/U         intake nominations / units (default 10000/1000; quick 200/20)
 *   --scale N/U          scale nominations / units (default 50000/2000; quick 1000/100)
 *   --scale-cap-minutes M  scale intake sends nothing new after M minutes and reports the size it
 *                        reached (default 25; quick 5)
 *   --rehearsal N        rehearsal nominations (default 5000; quick 300)
 *   --rehearsal-programme ID   default national-2022
 *   --startup N          start-up repetitions (default 30; quick 5)
 *   --concurrency C      concurrent callers for intake and scale (default 64)
 *   --rounds R           intake rounds: baseline and kczg run interleaved R times each (default 2,
 *                        at least 2), each figure a ratio per round with its spread
 *   --profile            run the workers with --cpu-prof into <out>/profiles/<phase>/
 *   --preload m1,m2      experiment: the kczg workers run a bundle that shares these modules
 *                        across workflows (preloadModules) besides production's domain/ and
 *                        luxon (scripts/bundle-workflows.ts), e.g. --preload zod
 *   --max-cached N       experiment: the workers' maxCachedWorkflows, both sides (default: production's, 2,000)
 *   --keep               keep the temporary data folder (outbox, ledgers, published lists)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { DEFAULT_BUNDLE_PATH } from '../worker/create';
import { bundleWorkflows } from '../scripts/bundle-workflows';
import { runIntake, type IntakeResult } from './intake';
import type { PhaseContext } from './phase-kit';
import { machineFacts } from './machine';
import { childrenOf, isAlive } from './procs';
import { runRehearsal } from './rehearsal';
import { runReplay } from './replay';
import { checkTargets, renderMarkdown, type BenchSummary } from './report';
import { runScale } from './scale';
import { renderStartup, runStartup, type StartupResult } from './startup';
import { spawnedPids } from './stack';
import { round } from './stats';

type Phase = 'intake' | 'scale' | 'rehearsal' | 'replay' | 'startup';
const PHASES: Phase[] = ['intake', 'scale', 'rehearsal', 'replay', 'startup'];

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface BenchOptions {
  quick: boolean;
  out: string;
  only: Set<Phase>;
  intake: { nominations: number; units: number };
  scale: { nominations: number; units: number };
  scaleCapMinutes: number;
  rehearsal: { nominations: number; programme: string };
  concurrency: number;
  rounds: number;
  replayRepeats: number;
  startupRepetitions: number;
  profile: boolean;
  keep: boolean;
  preload: string[];
  maxCachedWorkflows?: number;
}

function parsePair(value: string, flag: string): { nominations: number; units: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match) throw new Error(`${flag} wants N/U (nominations/units), e.g. 10000/1000; got "${value}"`);
  return { nominations: Number(match[1]), units: Number(match[2]) };
}

export function parseArgs(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = {
    quick,
    out: path.join(REPO_ROOT, 'bench', 'results'),
    only: new Set(PHASES),
    intake: quick ? { nominations: 200, units: 20 } : { nominations: 10_000, units: 1_000 },
    scale: quick ? { nominations: 1_000, units: 100 } : { nominations: 50_000, units: 2_000 },
    scaleCapMinutes: quick ? 5 : 25,
    rehearsal: { nominations: quick ? 300 : 5_000, programme: 'national-2022' },
    concurrency: 64,
    rounds: 2,
    replayRepeats: quick ? 3 : 10,
    startupRepetitions: quick ? 5 : 30,
    profile: false,
    keep: false,
    preload: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        break;
      case '--out':
        options.out = path.resolve(value());
        break;
      case '--only': {
        const wanted = value().split(',');
        const unknown = wanted.filter((p) => !PHASES.includes(p as Phase));
        if (unknown.length)
          throw new Error(`unknown phase(s) ${unknown.join(', ')}; phases: ${PHASES.join(', ')}`);
        options.only = new Set(wanted as Phase[]);
        break;
      }
      case '--intake':
        options.intake = parsePair(value(), flag);
        break;
      case '--scale':
        options.scale = parsePair(value(), flag);
        break;
      case '--scale-cap-minutes':
        options.scaleCapMinutes = Number(value());
        break;
      case '--rehearsal':
        options.rehearsal.nominations = Number(value());
        break;
      case '--rehearsal-programme':
        options.rehearsal.programme = value();
        break;
      case '--startup':
        options.startupRepetitions = Number(value());
        break;
      case '--concurrency':
        options.concurrency = Number(value());
        break;
      case '--rounds':
        options.rounds = Number(value());
        if (!Number.isInteger(options.rounds) || options.rounds < 2)
          throw new Error(`--rounds wants a whole number of at least 2 (A/B/A/B); got "${argv[i]}"`);
        break;
      case '--profile':
        options.profile = true;
        break;
      case '--preload':
        options.preload = value().split(',').filter(Boolean);
        break;
      case '--max-cached':
        options.maxCachedWorkflows = Number(value());
        break;
      case '--keep':
        options.keep = true;
        break;
      default:
        throw new Error(`unknown option ${flag}; see the header of bench/run.ts`);
    }
  }
  return options;
}

/** The kczg intake rate of the rounds' median: what the scale phase budgets its close with. */
function medianKczgRate(intake: IntakeResult | undefined): number | undefined {
  const rates = (intake?.rounds ?? []).map((r) => r.kczg.perSecond).sort((a, b) => a - b);
  return rates.length ? rates[Math.floor(rates.length / 2)] : undefined;
}

const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** Last resort on a signal or crash: stop what this run started and is still running, by pid. */
function killLeftovers(signal: NodeJS.Signals): void {
  const children = new Set(childrenOf().map((p) => p.pid));
  for (const { pid } of spawnedPids) {
    if (!children.has(pid) || !isAlive(pid)) continue;
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}

const quiet = () => undefined;
const bundleLogger = {
  log: quiet,
  trace: quiet,
  debug: quiet,
  info: quiet,
  warn: quiet,
  error: (m: string) => log(m),
};

async function bundleBaseline(workDir: string): Promise<string> {
  const target = path.join(workDir, 'baseline-bundle.js');
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./baseline-workflow'),
    logger: bundleLogger,
  });
  fs.writeFileSync(target, code);
  return target;
}

/** The --preload experiment: kczg's workflows with more modules shared across workflows than production's. */
async function bundlePreloadVariant(workDir: string, preloadModules: string[]): Promise<string> {
  const target = path.join(workDir, 'kczg-preload-bundle.js');
  await bundleWorkflows(target, preloadModules);
  return target;
}

/** The summary as the phases fill it in; start-up is written beside report.ts's sections. */
type RunSummary = Omit<BenchSummary, 'targets' | 'finishedAt' | 'wallSeconds' | 'loadAverageAtEnd'> & {
  startup?: StartupResult;
};

/** The run so far, for a partial summary when a signal stops it. */
let inProgress:
  | {
      summary: RunSummary;
      workDir: string;
      keep: boolean;
      started: Date;
    }
  | undefined;

function finish(summary: RunSummary, started: Date): BenchSummary & { startup?: StartupResult } {
  const finished = new Date();
  const complete = {
    ...summary,
    finishedAt: finished.toISOString(),
    wallSeconds: round((finished.getTime() - started.getTime()) / 1000),
    loadAverageAtEnd: os.loadavg().map((v) => round(v, 2)),
  };
  return { ...complete, targets: checkTargets(complete) };
}

function writeResults(summary: BenchSummary & { startup?: StartupResult }, out: string): string {
  const startup = summary.startup
    ? `\n\n### Start-up\n\n${renderStartup(summary.startup)
        .map((l) => `- ${l}`)
        .join('\n')}`
    : '';
  const markdown = `${renderMarkdown(summary)}${startup}`;
  fs.writeFileSync(path.join(out, 'latest.json'), `${JSON.stringify(summary, null, 2)}\n`);
  fs.writeFileSync(path.join(out, 'latest.md'), `${markdown}\n`);
  return markdown;
}

export async function runBench(options: BenchOptions): Promise<BenchSummary> {
  if (!fs.existsSync(DEFAULT_BUNDLE_PATH)) {
    throw new Error(`no workflow bundle at ${DEFAULT_BUNDLE_PATH}: run \`npm run build\` first`);
  }
  const started = new Date();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-bench-'));
  fs.mkdirSync(options.out, { recursive: true });
  const ctx: PhaseContext = {
    workDir,
    kczgBundlePath: options.preload.length
      ? await bundlePreloadVariant(workDir, options.preload)
      : DEFAULT_BUNDLE_PATH,
    maxCachedWorkflows: options.maxCachedWorkflows,
    log,
    workerExecArgv: (phase) => {
      if (!options.profile) return [];
      const dir = path.join(options.out, 'profiles', phase);
      fs.mkdirSync(dir, { recursive: true });
      return ['--cpu-prof', '--cpu-prof-dir', dir];
    },
  };
  const machine = await machineFacts(REPO_ROOT);
  log(
    `${machine.cpuModel} × ${machine.cores}, ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`,
  );
  log(`work folder ${workDir}`);
  const phaseErrors: Record<string, string> = {};
  const summary: RunSummary = {
    schema: 1,
    mode: options.quick ? 'quick' : 'full',
    command: `npm run bench --${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    startedAt: started.toISOString(),
    machine,
    phaseErrors,
    spawnedPids,
    ...(options.preload.length || options.maxCachedWorkflows !== undefined
      ? {
          variant: {
            preloadModules: options.preload,
            maxCachedWorkflows: options.maxCachedWorkflows,
          },
        }
      : {}),
  };
  inProgress = { summary, workDir, keep: options.keep, started };
  const attempt = async <T>(phase: Phase, fn: () => Promise<T>): Promise<T | undefined> => {
    if (!options.only.has(phase)) return undefined;
    log(`— ${phase} —`);
    phaseErrors[phase] = 'interrupted (the run was stopped during this phase)';
    const t0 = performance.now();
    try {
      const result = await fn();
      delete phaseErrors[phase];
      log(`${phase} done in ${round((performance.now() - t0) / 1000)} s`);
      return result;
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${phase} FAILED: ${message}`);
      phaseErrors[phase] = message.split('\n').slice(0, 3).join(' | ');
      return undefined;
    }
  };
  try {
    summary.intake = await attempt('intake', async () =>
      runIntake(
        { ...options.intake, concurrency: options.concurrency },
        await bundleBaseline(workDir),
        options.rounds,
        ctx,
      ),
    );
    summary.scale = await attempt('scale', () =>
      runScale(
        { ...options.scale, concurrency: options.concurrency },
        medianKczgRate(summary.intake) ?? (options.quick ? 30 : 80),
        options.scaleCapMinutes,
        ctx,
      ),
    );
    summary.rehearsal = await attempt('rehearsal', () =>
      runRehearsal(options.rehearsal.programme, options.rehearsal.nominations, ctx),
    );
    summary.replay = await attempt('replay', () => runReplay(options.replayRepeats));
    summary.startup = await attempt('startup', async () => runStartup(options.startupRepetitions, log));
  } finally {
    inProgress = undefined;
    if (!options.keep) fs.rmSync(workDir, { recursive: true, force: true });
  }
  return finish(summary, started);
}

if (require.main === module) {
  // Warnings and errors only from the SDK (rehearsal's in-process worker, test environments).
  Runtime.install({ logger: new DefaultLogger('WARN') });
  let options: BenchOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(String(error instanceof Error ? error.message : error));
    process.exit(2);
  }
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping the servers and workers this run started`);
      killLeftovers('SIGTERM');
      const partial = inProgress;
      if (partial) {
        // What finished still counts: write it, with the interrupted phase marked.
        try {
          writeResults(finish(partial.summary, partial.started), options.out);
          log(`partial results → ${path.join(options.out, 'latest.json')}`);
        } catch (error) {
          log(`could not write partial results: ${String(error)}`);
        }
        if (!partial.keep) fs.rmSync(partial.workDir, { recursive: true, force: true });
      }
      setTimeout(() => {
        killLeftovers('SIGKILL');
        process.exit(130);
      }, 3_000);
    });
  }
  process.on('exit', () => killLeftovers('SIGKILL'));
  runBench(options).then(
    (summary) => {
      const markdown = writeResults(summary, options.out);
      process.stdout.write(`${markdown}\n`);
      log(`results → ${path.join(options.out, 'latest.json')}, ${path.join(options.out, 'latest.md')}`);
      process.exit(Object.keys(summary.phaseErrors).length > 0 ? 1 : 0);
    },
    (error: unknown) => {
      log(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
