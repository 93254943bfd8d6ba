/**
 * Records the event histories that test/workflows/replay.test.ts replays against the current
 * workflow code, so that a non-deterministic change to workflows/ fails CI.
 *
 * Runs a compact but complete national-2023 cycle on the time-skipping server (the same embedded
 * stack as the tests and `kczg rehearse`): nominations from three units, a unit extension, a
 * pause and resume, one review body reporting and one silent (escalated), the final review,
 * publication, promotion and the close. Then it writes the histories of the cycle workflow, two
 * unit workflows and two review-body workflows to test/histories/<workflow id>.json.
 *
 * Scenarios (each its own programme id, so its own files):
 * - `open`: national-2023 without a credential key (local rehearsals), as first recorded;
 * - `keyed`: national-2023-keyed, started with a key, every write with the secretariat's
 *   credential, and forged internal signals sent straight to Temporal (confirmed, refused and
 *   counted: workflows/confirm.ts);
 * - `keyed-plain`: the keyed cycle without forgeries, for recording with an older workflow bundle
 *   (KCZG_WORKFLOW_BUNDLE) under its own --programme-id: a keyed cycle started before a change.
 *   test/histories/kczg~national-2023-keyed-v1* were recorded so from the workflows of commit
 *   b4df25d, before internal signals were confirmed.
 * - `steering`: national-2023-steering, keyed, steered through the review (issue 4): one unit's
 *   extension hands the review over with five days left (bodies skip the reminders already
 *   past), one part is extended explicitly, a pause and resume in review, then the stage's
 *   deadline is brought forward to the same day (the other part and its body follow, the
 *   extended part keeps its date, one "due today" reminder) and the silent body is escalated.
 *
 * The `-v2` files (national-2023-v2, national-2023-keyed-v2, national-2023-steering-v2) were
 * recorded with --programme-id from the workflows split into rooms (workflows/cycle/, unit/,
 * review-body/), with notices beside the stages and mail due while no worker ran sent once on
 * waking (patches notices-beside-stages, late-mail-once-on-waking).
 *
 * Histories already committed are kept: a file that exists is not rewritten (--force rewrites),
 * and a scenario whose files all exist is not run. Old histories are the point: they pin what
 * running cycles did.
 *
 *   npm run build && node dist/scripts/record-histories.js [--scenario open|keyed|keyed-plain|steering]
 *     [--programme-id <id>] [--out <dir>] [--force]
 *
 * The worker runs KCZG_WORKFLOW_BUNDLE when set, else dist/workflow-bundle.js when built (see
 * worker/create.ts), else bundles workflows/ itself. KCZG_TEST_SERVER may point at a test server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack } from '../servers/stack';
import { cycleWorkflowId, reviewBodyWorkflowId, unitWorkflowId } from '../workflows/ids';

import { DEFAULT_HISTORIES_DIR, historyFileName, historyToJson } from './history-files';
import { defaultProgrammeId, runCycle, runSteering, type ScenarioOptions } from './history-scenarios';

export interface RecordedHistory {
  workflowId: string;
  file: string;
  bytes: number;
  events: number;
  /** False when the file existed and was kept. */
  written: boolean;
}

export type Scenario = 'open' | 'keyed' | 'keyed-plain' | 'steering';
const SCENARIOS: Scenario[] = ['open', 'keyed', 'keyed-plain', 'steering'];

export async function recordHistories(
  outDir = DEFAULT_HISTORIES_DIR,
  log: (line: string) => void = () => undefined,
  options: ScenarioOptions & { force?: boolean } = { scenario: 'open' },
): Promise<RecordedHistory[]> {
  const cycleId = cycleWorkflowId(options.programmeId ?? defaultProgrammeId(options.scenario));
  // The cycle; a unit with an extension, a pause and a late nomination; one that withdrew (and, in
  // the keyed scenario, refused a forged deadline); the review body that reported and the silent
  // one (reminded, overdue, escalated).
  // Steering: the cycle and its two review bodies (handed over late, deadlines moved).
  const wanted =
    options.scenario === 'steering'
      ? [
          cycleId,
          reviewBodyWorkflowId(cycleId, 'info-tech-consortium'),
          reviewBodyWorkflowId(cycleId, 'kczg-secretariat'),
        ]
      : [
          cycleId,
          unitWorkflowId(cycleId, 'buaa-cast'),
          unitWorkflowId(cycleId, 'cie'),
          reviewBodyWorkflowId(cycleId, 'info-tech-consortium'),
          reviewBodyWorkflowId(cycleId, 'ittn'),
        ];
  const fileOf = (workflowId: string) => path.join(outDir, historyFileName(workflowId));
  if (!options.force && wanted.every((id) => fs.existsSync(fileOf(id)))) {
    log(`${options.scenario}: every history of ${cycleId} is committed already: kept`);
    return wanted.map((workflowId) => ({
      workflowId,
      file: fileOf(workflowId),
      bytes: 0,
      events: 0,
      written: false,
    }));
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-record-'));
  const stack = await startStack({
    mode: 'time-skipping',
    dataDir,
    workflowBundlePath: process.env.KCZG_WORKFLOW_BUNDLE,
    // Committed histories are replayed without keys: test data only, unencrypted.
    codec: 'none',
    log,
  });
  try {
    await stack.withWorker(() =>
      options.scenario === 'steering' ? runSteering(stack, log, options) : runCycle(stack, log, options),
    );
    fs.mkdirSync(outDir, { recursive: true });
    const written: RecordedHistory[] = [];
    for (const workflowId of wanted) {
      const handle = stack.env.client.workflow.getHandle(workflowId);
      // Entities finish when the cycle closes; wait so each history is complete.
      await handle.result();
      const history = await handle.fetchHistory();
      const file = fileOf(workflowId);
      const json = `${historyToJson(history)}\n`;
      const keep = !options.force && fs.existsSync(file);
      if (!keep) fs.writeFileSync(file, json);
      written.push({
        workflowId,
        file,
        bytes: Buffer.byteLength(json),
        events: history.events?.length ?? 0,
        written: !keep,
      });
    }
    return written;
  } finally {
    await stack.shutdown();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const valueOf = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const outDir = valueOf('--out') ? path.resolve(valueOf('--out') as string) : DEFAULT_HISTORIES_DIR;
  const scenario = valueOf('--scenario') as Scenario | undefined;
  if (scenario && !SCENARIOS.includes(scenario)) {
    console.error(`--scenario: ${SCENARIOS.join(', ')}, not "${scenario}"`);
    process.exit(2);
  }
  const force = args.includes('--force');
  const programmeId = valueOf('--programme-id');
  const started = Date.now();
  (async () => {
    for (const s of scenario ? [scenario] : (['open', 'keyed', 'steering'] as Scenario[])) {
      const written = await recordHistories(outDir, (line) => console.log(line), {
        scenario: s,
        programmeId,
        force,
      });
      for (const h of written) {
        const where = path.relative(process.cwd(), h.file);
        console.log(
          h.written
            ? `${h.workflowId}: ${h.events} events, ${(h.bytes / 1024).toFixed(1)} KiB → ${where}`
            : `${h.workflowId}: kept ${where}`,
        );
      }
    }
    console.log(`用时 / took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
