/**
 * Replays the committed histories of a whole national-2023 cycle (test/histories/*.json, written
 * by scripts/record-histories.ts) against the current workflow code. A change that would make a
 * running cycle, unit or review body take a different path than its history (reordered or new
 * activities, timers, signals; changed conditions without `patched()`) fails here, before it
 * reaches a worker with live cycles. Needs no server: the replay worker runs on its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { historyFromJson, workflowIdOfHistoryFile } from '../../scripts/history-files';

const HISTORIES_DIR = path.resolve(__dirname, '..', 'histories');

const historyFiles = fs.existsSync(HISTORIES_DIR)
  ? fs
      .readdirSync(HISTORIES_DIR)
      .filter((name) => name.endsWith('.json'))
      .sort()
  : [];

// The bundle built once by the global setup; without it (KCZG_SKIP_SERVERS), the sources.
const workflowSource: Pick<ReplayWorkerOptions, 'workflowBundle' | 'workflowsPath'> = process.env
  .KCZG_WORKFLOW_BUNDLE
  ? { workflowBundle: { codePath: process.env.KCZG_WORKFLOW_BUNDLE } }
  : { workflowsPath: require.resolve('../../workflows') };

describe('replay of committed histories', () => {
  it('has histories to replay (npm run build && node dist/scripts/record-histories.js)', () => {
    expect(historyFiles.length).toBeGreaterThan(0);
  });

  it.each(historyFiles)('replays %s deterministically', async (file) => {
    const parsed: unknown = JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8'));
    const history = historyFromJson(parsed);
    expect(history.events?.length).toBeGreaterThan(0);
    // Throws DeterminismViolationError (or another ReplayError) when the code no longer fits.
    await expect(
      Worker.runReplayHistory({ ...workflowSource }, history, workflowIdOfHistoryFile(file)),
    ).resolves.toBeUndefined();
  });
});
