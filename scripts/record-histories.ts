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
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { KczgClient } from '../client/api';
import { generateAuthKeyPair, issueCredential } from '../client/credentials';
import { beijingToEpochMs } from '../domain/calendar';
import type { Candidate } from '../domain/programme';
import { loadProgramme } from '../programmes/loader';
import { startStack, type Stack } from '../servers/stack';
import { cycleWorkflowId, reviewBodyWorkflowId, unitWorkflowId } from '../workflows/ids';
import {
  collectionDeadlineSignal,
  partReportedSignal,
  reviewDeadlineSignal,
  type CycleStatus,
  type UnitState,
} from '../workflows/messages';

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

export interface ScenarioOptions {
  scenario: Scenario;
  /** Default: national-2023 (open), national-2023-keyed (keyed, keyed-plain). */
  programmeId?: string;
}

const defaultProgrammeId = (scenario: Scenario) =>
  scenario === 'open'
    ? 'national-2023'
    : scenario === 'steering'
      ? 'national-2023-steering'
      : 'national-2023-keyed';

/** Polls until `done` holds: in keyed cycles entities confirm the cycle's signals first. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not seen within 30 s`);
}

const tech = (name: string): Candidate => ({ name, identity: `TECH-${name}`, classified: false });

/** `unitId` nominates technology `name` for pioneer-tech/electronics under idempotency key `key`. */
const nominateTech = (api: KczgClient, cycleId: string, unitId: string, key: string, name: string) =>
  api.nominate(cycleId, unitId, {
    idempotencyKey: key,
    listId: 'pioneer-tech',
    fieldId: 'electronics',
    candidate: tech(name),
  });

/** The repository root: the nearest folder above this module with package.json (src or dist). */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && path.basename(dir) !== 'dist') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

export const DEFAULT_HISTORIES_DIR = path.join(repoRoot(), 'test', 'histories');

/**
 * A history file is named after its workflow id, ':' written as '~' (portable file names), so the
 * replay test knows which workflow id to replay it under: `kczg~national-2023~unit~cie.json`.
 */
export function historyFileName(workflowId: string): string {
  return `${workflowId.replaceAll(':', '~')}.json`;
}

export function workflowIdOfHistoryFile(file: string): string {
  return path.basename(file, '.json').replaceAll('~', ':');
}

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}

/**
 * The SDK's historyToJSON / historyFromJSON, with a fallback for installs where npm left
 * @temporalio/common and @temporalio/proto with separate copies of protobufjs: the SDK's helpers
 * then throw "type must be a Type" (protojson checks `instanceof Type` against its own copy). The
 * fallback uses the protojson of the copy @temporalio/proto's types were built with. Same
 * output: canonical proto3 JSON, as `temporal workflow show --output json` writes it.
 */
function protoJsonOfProtoPackage(): { json: ProtoJson; historyType: unknown } {
  const protoDir = path.dirname(require.resolve('@temporalio/proto'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const json = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
  const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
  return { json, historyType: root.lookupType('temporal.api.history.v1.History') };
}

const isDuplicateProtobufError = (error: unknown) =>
  error instanceof TypeError && /must be a Type/.test(error.message);

export function historyToJson(history: History): string {
  try {
    return historyToJSON(history);
  } catch (error) {
    if (!isDuplicateProtobufError(error)) throw error;
    const { json, historyType } = protoJsonOfProtoPackage();
    const message = (proto.temporal.api.history.v1.History as { fromObject(o: unknown): unknown }).fromObject(
      history,
    );
    return JSON.stringify(json.toJson(historyType, message), null, 2);
  }
}

/** Parses a history file written by historyToJson (canonical enum names, as the SDK writes them). */
export function historyFromJson(parsed: unknown): History {
  try {
    return historyFromJSON(parsed);
  } catch (error) {
    if (!isDuplicateProtobufError(error)) throw error;
    const { json, historyType } = protoJsonOfProtoPackage();
    const history = json.fromJson(historyType, parsed, { ignoreUnknownFields: true });
    if (!history) throw new TypeError('Invalid history', { cause: error });
    return history;
  }
}

/**
 * What every scenario starts with: its start (programme time), the secretariat's client (with a
 * credential for the cycle when it is keyed, and the public key to start it with) and a sleep on
 * the time-skipping server's clock until programme time `at` (`offset`: the cycle's clock offset).
 */
function secretariatKit(stack: Stack, programmeId: string, keyed: boolean) {
  const startAt = beijingToEpochMs('2023-11-20 09:00');
  const keys = keyed ? generateAuthKeyPair() : undefined;
  const credential =
    keys &&
    issueCredential({
      privateKey: keys.privateKey,
      cycle: cycleWorkflowId(programmeId),
      party: { kind: 'secretariat' },
      validForMs: 400 * 86_400_000,
      now: startAt,
    });
  const api = new KczgClient(stack.env.client, credential ? { credential } : {});
  const sleepUntil = async (at: number, offset: number) => {
    const remaining = at - ((await stack.env.currentTimeMs()) + offset);
    if (remaining > 0) await stack.env.sleep(remaining);
  };
  return { startAt, authPublicKey: keys?.publicKey, api, sleepUntil };
}

async function runCycle(stack: Stack, log: (line: string) => void, options: ScenarioOptions) {
  const keyed = options.scenario !== 'open';
  const forge = options.scenario === 'keyed';
  const programme = {
    ...loadProgramme('national-2023'),
    id: options.programmeId ?? defaultProgrammeId(options.scenario),
  };
  const { api, startAt, authPublicKey, sleepUntil } = secretariatKit(stack, programme.id, keyed);
  const stageOf = async (cycleId: string) => (await api.status(cycleId)).stage;
  const raw = (workflowId: string) => stack.env.client.workflow.getHandle(workflowId);
  const unitSees = (cycleId: string, unitId: string, done: (s: UnitState) => boolean, what: string) =>
    eventually(() => api.unitState(cycleId, unitId), done, what);

  const { cycleId } = await api.startCycle(programme, { startAt, authPublicKey });
  const offset = (await api.status(cycleId)).clockOffsetMs;
  log(`started ${cycleId}${keyed ? ' (keyed)' : ''}`);

  // Collection: three units nominate; one withdraws and resubmits; one is extended.
  await nominateTech(api, cycleId, 'cie', 'cie-1', '量子通信芯片');
  const cie2 = await nominateTech(api, cycleId, 'cie', 'cie-2', '柔性显示材料');
  await api.withdraw(cycleId, 'cie', cie2.id);
  await nominateTech(api, cycleId, 'cie', 'cie-3', '类脑计算芯片');
  await api.nominate(cycleId, 'jiangsu-cast', {
    idempotencyKey: 'js-m1',
    listId: 'tech-manager-pioneer',
    candidate: { name: '王技术经理', certified: true },
  });
  await nominateTech(api, cycleId, 'buaa-cast', 'buaa-1', '高精度导航');
  await api.extend(cycleId, {
    scope: { kind: 'unit', unitId: 'buaa-cast' },
    until: beijingToEpochMs('2023-12-02 24:00'),
    reason: '材料补正',
  });
  await unitSees(
    cycleId,
    'buaa-cast',
    (s) => s.collectionClosesAt === beijingToEpochMs('2023-12-02 24:00'),
    'buaa-cast sees its extension',
  );
  if (forge) {
    // Someone signals a unit directly, reopening its collection: confirmed with the cycle, refused.
    await raw(unitWorkflowId(cycleId, 'cie')).signal(collectionDeadlineSignal, {
      closesAt: beijingToEpochMs('2023-12-20 24:00'),
      paused: false,
    });
    await unitSees(cycleId, 'cie', (s) => s.unverifiedSignals === 1, 'cie refuses the forged deadline');
  }

  // Past the common deadline, the extended unit still nominates.
  await sleepUntil(beijingToEpochMs('2023-12-01 00:00') + 200, offset);
  await nominateTech(api, cycleId, 'buaa-cast', 'buaa-2', '延期技术');

  // A pause of 36 hours moves every later deadline.
  await api.pause(cycleId, '系统维护');
  await sleepUntil(beijingToEpochMs('2023-12-02 12:00'), offset);
  const resumed = await api.resume(cycleId, '维护结束');
  log(`paused and resumed; stage ${resumed.stage}`);
  await unitSees(
    cycleId,
    'buaa-cast',
    (s) => !s.paused && s.collectionClosesAt === resumed.unitExtensions['buaa-cast'],
    'buaa-cast sees the resume',
  );

  await sleepUntil(resumed.unitExtensions['buaa-cast'] + 60_000, offset);
  if ((await stageOf(cycleId)) !== 'preliminary-review') throw new Error('expected preliminary review');

  // Preliminary review: info-tech-consortium reports, ittn stays silent and is escalated.
  const ids = (await api.reviewState(cycleId, 'info-tech-consortium')).parts[0].nominationIds;
  if (forge) {
    // A forged report with an arbitrary shortlist, and a forged deadline for the silent body.
    await raw(cycleId).signal(partReportedSignal, {
      bodyId: 'info-tech-consortium',
      listId: 'pioneer-tech',
      fieldId: 'electronics',
      reportedAt: (await stack.env.currentTimeMs()) + offset,
      shortlist: ids.slice(-2),
    });
    await eventually(
      () => api.status(cycleId),
      (s) => s.unverifiedSignals === 1,
      'the cycle refuses the forged report',
    );
    const ittn = reviewBodyWorkflowId(cycleId, 'ittn');
    await raw(ittn).signal(reviewDeadlineSignal, { dueAt: beijingToEpochMs('2024-03-01 24:00') });
    await eventually(
      () => api.reviewState(cycleId, 'ittn'),
      (s) => s.unverifiedSignals === 1,
      'ittn refuses the forged deadline',
    );
  }
  await api.reportReview(cycleId, 'info-tech-consortium', {
    listId: 'pioneer-tech',
    fieldId: 'electronics',
    results: ids.map((id, i) => ({
      nominationId: id,
      rank: i + 1,
      verdict: i < 2 ? 'recommended' : 'not-recommended',
    })),
  });
  await sleepUntil(resumed.deadlines.preliminaryReviewDueAt + 60_000, offset);
  const finalStage = await api.status(cycleId);
  if (finalStage.stage !== 'final-review') throw new Error(`expected final review, got ${finalStage.stage}`);
  log(`final review; escalated: ${finalStage.escalated.join(', ')}`);

  await api.finalComplete(cycleId, {
    winners: [{ listId: 'pioneer-tech', fieldId: 'electronics', nominationIds: [ids[1], ids[0]] }],
  });
  await sleepUntil(finalStage.deadlines.publicationAt + 60_000, offset);
  const published = await api.status(cycleId);
  log(`stage ${published.stage}; ${published.published?.winners ?? 0} winners published`);

  // Promotion runs to its end; the cycle closes and finishes its units and review bodies.
  await sleepUntil(published.deadlines.promotionUntil + 60_000, offset);
  const result = await api.cycle(cycleId).result();
  log(`cycle finished: ${JSON.stringify(result)}`);
  if (result.stage !== 'closed' && result.stage !== 'promotion') {
    throw new Error(`the cycle ended in ${result.stage}`);
  }
  return cycleId;
}

/**
 * The `steering` scenario: a keyed national-2023 cycle whose review is steered (issue 4). Roster
 * cut to the three units that nominate, so the histories stay small.
 */
async function runSteering(stack: Stack, log: (line: string) => void, options: ScenarioOptions) {
  const base = loadProgramme('national-2023');
  const programme = {
    ...base,
    id: options.programmeId ?? defaultProgrammeId(options.scenario),
    roster: {
      ...base.roster,
      units: base.roster.units.filter((u) => ['cie', 'cmes', 'buaa-cast'].includes(u.id)),
    },
  };
  const { api, startAt, authPublicKey, sleepUntil } = secretariatKit(stack, programme.id, true);
  const bodySees = (cycleId: string, bodyId: string, dueAt: number) =>
    eventually(
      () => api.reviewState(cycleId, bodyId),
      (s) => s.dueAt === dueAt,
      `${bodyId} sees its deadline`,
    );

  const { cycleId } = await api.startCycle(programme, { startAt, authPublicKey });
  const offset = (await api.status(cycleId)).clockOffsetMs;
  log(`started ${cycleId} (keyed, steering)`);

  await nominateTech(api, cycleId, 'cie', 'cie-1', '量子通信芯片');
  await api.nominate(cycleId, 'cmes', {
    idempotencyKey: 'cmes-1',
    listId: 'emerging-enterprise',
    candidate: {
      name: '新锐科技',
      identity: 'USCC-新锐科技',
      region: 'mainland',
      foundedOn: '2018-05-01',
      standing: 'good',
    },
  });
  // buaa-cast's extension keeps collection open to 12-25 24:00: five days of review remain.
  const handOver = beijingToEpochMs('2023-12-25 24:00');
  await api.extend(cycleId, {
    scope: { kind: 'unit', unitId: 'buaa-cast' },
    until: handOver,
    reason: '材料补正',
  });
  await sleepUntil(beijingToEpochMs('2023-12-20 10:00'), offset);
  await nominateTech(api, cycleId, 'buaa-cast', 'buaa-1', '高精度导航');
  await sleepUntil(handOver + 60_000, offset);
  if ((await api.status(cycleId)).stage !== 'preliminary-review')
    throw new Error('expected preliminary review');

  // One part extended explicitly; a pause and resume in review moves every date by an hour.
  await sleepUntil(beijingToEpochMs('2023-12-26 10:00'), offset);
  await api.extend(cycleId, {
    scope: { kind: 'part', listId: 'emerging-enterprise' },
    until: beijingToEpochMs('2024-01-05 24:00'),
    reason: '评审专家调整',
  });
  await bodySees(cycleId, 'kczg-secretariat', beijingToEpochMs('2024-01-05 24:00'));
  await api.pause(cycleId, '系统维护');
  await sleepUntil(beijingToEpochMs('2023-12-26 11:00'), offset);
  const resumed = await api.resume(cycleId, '维护结束');
  const partDue = (s: CycleStatus, listId: string) => s.parts.find((p) => p.listId === listId)?.dueAt;
  await bodySees(cycleId, 'info-tech-consortium', partDue(resumed, 'pioneer-tech') as number);
  await bodySees(cycleId, 'kczg-secretariat', partDue(resumed, 'emerging-enterprise') as number);
  log(`resumed: review due ${resumed.deadlines.preliminaryReviewDueAt}`);

  // T-3 goes out; then the stage is brought forward to 12-28 24:00, the same day.
  await sleepUntil(beijingToEpochMs('2023-12-28 10:00'), offset);
  const today = beijingToEpochMs('2023-12-28 24:00');
  const moved = await api.extend(cycleId, {
    scope: { kind: 'stage', stage: 'preliminary-review' },
    until: today,
    reason: '提前完成初评',
  });
  if (partDue(moved, 'pioneer-tech') !== today) throw new Error('the electronics part did not follow');
  await bodySees(cycleId, 'info-tech-consortium', today);
  await bodySees(cycleId, 'kczg-secretariat', partDue(moved, 'emerging-enterprise') as number);

  // kczg-secretariat reports within its extension; info-tech-consortium stays silent.
  await sleepUntil(beijingToEpochMs('2024-01-02 10:00'), offset);
  const ids = (await api.reviewState(cycleId, 'kczg-secretariat')).parts[0].nominationIds;
  await api.reportReview(cycleId, 'kczg-secretariat', {
    listId: 'emerging-enterprise',
    results: ids.map((id) => ({ nominationId: id, verdict: 'recommended' as const })),
  });
  await sleepUntil((partDue(moved, 'emerging-enterprise') as number) + 60_000, offset);
  const finalStage = await api.status(cycleId);
  if (finalStage.stage !== 'final-review') throw new Error(`expected final review, got ${finalStage.stage}`);
  log(`final review; escalated: ${finalStage.escalated.join(', ')}`);

  await api.finalComplete(cycleId, {
    winners: [{ listId: 'emerging-enterprise', nominationIds: ids }],
  });
  await sleepUntil(finalStage.deadlines.publicationAt + 60_000, offset);
  const published = await api.status(cycleId);
  await sleepUntil(published.deadlines.promotionUntil + 60_000, offset);
  const result = await api.cycle(cycleId).result();
  log(`cycle finished: ${JSON.stringify(result)}`);
  if (result.stage !== 'closed') throw new Error(`the cycle ended in ${result.stage}`);
  return cycleId;
}

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
