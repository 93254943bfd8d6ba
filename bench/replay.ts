/**
 * Replay: the largest committed history in test/histories/ replayed against the production
 * bundle, as test/workflows/replay.test.ts does. Cold: one Worker.runReplayHistory call, replay
 * worker creation and bundle load included (what the test pays per file). Warm: the same history
 * replayed again and again by one replay worker (Worker.runReplayHistories), per history.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJson, workflowIdOfHistoryFile } from '../scripts/history-files';
import { DEFAULT_BUNDLE_PATH } from '../worker/create';
import { round, summarise, type LatencySummary } from './stats';

export interface ReplayResult {
  file: string;
  workflowId: string;
  events: number;
  bytes: number;
  coldSeconds: number;
  warm: LatencySummary;
  /** Replays that did not fit the current code (a determinism error): the timing still stands. */
  failures: number;
  firstError?: string;
}

export const HISTORIES_DIR = path.resolve(__dirname, '..', '..', 'test', 'histories');

export async function runReplay(repeats: number, historiesDir = HISTORIES_DIR): Promise<ReplayResult> {
  const files = fs
    .readdirSync(historiesDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ name, bytes: fs.statSync(path.join(historiesDir, name)).size }))
    .sort((a, b) => b.bytes - a.bytes);
  if (files.length === 0) throw new Error(`no histories in ${historiesDir}`);
  const { name, bytes } = files[0];
  const history = historyFromJson(JSON.parse(fs.readFileSync(path.join(historiesDir, name), 'utf8')));
  const workflowId = workflowIdOfHistoryFile(name);
  const source = { workflowBundle: { codePath: DEFAULT_BUNDLE_PATH } };

  let failures = 0;
  let firstError: string | undefined;
  const coldStarted = performance.now();
  try {
    await Worker.runReplayHistory(source, history, workflowId);
  } catch (error) {
    failures++;
    firstError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  const coldSeconds = round((performance.now() - coldStarted) / 1000, 3);

  const times: number[] = [];
  let last = performance.now();
  const histories = Array.from({ length: repeats + 1 }, () => ({ history, workflowId }));
  for await (const result of Worker.runReplayHistories(source, histories)) {
    const now = performance.now();
    times.push(now - last);
    last = now;
    if (result.error) {
      failures++;
      firstError ??= `${result.error.name}: ${result.error.message}`;
    }
  }
  // The first warm time includes the replay worker's start: keep it out when there are others.
  const warm = times.length > 1 ? times.slice(1) : times;
  return {
    file: path.relative(path.resolve(historiesDir, '..', '..'), path.join(historiesDir, name)),
    workflowId,
    events: history.events?.length ?? 0,
    bytes,
    coldSeconds,
    warm: summarise(warm),
    failures,
    firstError,
  };
}
