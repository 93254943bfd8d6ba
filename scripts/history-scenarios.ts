/**
 * The cycles scripts/record-histories.ts runs to record histories: a whole national-2023 year
 * (open or keyed) and one steered through the review. See that script for what each scenario pins.
 */
import { KczgClient } from '../client/api';
import { generateAuthKeyPair, issueCredential } from '../client/credentials';
import { beijingToEpochMs } from '../domain/calendar';
import type { Candidate } from '../domain/programme';
import { loadProgramme } from '../programmes/loader';
import type { Stack } from '../servers/stack';
import { cycleWorkflowId, reviewBodyWorkflowId, unitWorkflowId } from '../workflows/ids';
import {
  collectionDeadlineSignal,
  partReportedSignal,
  reviewDeadlineSignal,
  type CycleStatus,
  type UnitState,
} from '../workflows/messages';

import type { Scenario } from './record-histories';

export interface ScenarioOptions {
  scenario: Scenario;
  /** Default: national-2023 (open), national-2023-keyed (keyed, keyed-plain). */
  programmeId?: string;
}

export const defaultProgrammeId = (scenario: Scenario) =>
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

export async function runCycle(stack: Stack, log: (line: string) => void, options: ScenarioOptions) {
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
export async function runSteering(stack: Stack, log: (line: string) => void, options: ScenarioOptions) {
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
