/**
 * Authorization: every write carries a credential for its party, issued by the secretariat,
 * scoped to one cycle and expiring. The client checks it, and the workflows check it again with
 * the signature, so a direct Temporal call cannot act for another party. The internal signals
 * (partReported, collectionDeadline, reviewDeadline, mailHolds, mailFailed, cycleFinished) carry
 * no credential: in a keyed cycle the receiver confirms each with its sender first, so one sent
 * directly changes nothing (workflows/confirm.ts).
 */
import { temporal } from '@temporalio/proto';
import { KczgClient, RejectionError } from '../../client/api';
import { generateAuthKeyPair, issueCredential } from '../../client/credentials';
import { beijingToEpochMs } from '../../domain/calendar';
import {
  base64UrlDecode,
  base64UrlEncode,
  checkCredential,
  parseParty,
  type Party,
} from '../../domain/credentials';
import { loadProgramme } from '../../programmes/loader';
import { reviewBodyWorkflowId, unitWorkflowId } from '../../workflows/ids';
import {
  collectionDeadlineSignal,
  cycleFinishedSignal,
  extendUpdate,
  mailFailedSignal,
  mailHoldsSignal,
  nominateUpdate,
  partReportedSignal,
  reviewDeadlineSignal,
} from '../../workflows/messages';
import { listOutbox } from '../../mail/outbox';
import { messageIdFor } from '../../activities/mail';
import { dossierFor } from '../support/candidates';
import type { TestStack } from '../support/stack';
import { useTimeSkippingStack } from '../support/time-skipping';

const keys = generateAuthKeyPair();
const DAY = 86_400_000;

async function rejectionOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (error instanceof RejectionError) return error.rejection;
    const cause = (error as { cause?: { type?: string } }).cause;
    if (cause?.type) return { code: cause.type };
    throw error;
  }
  throw new Error('expected a rejection, but the call was accepted');
}

describe('credential checks (pure)', () => {
  const cycle = 'kczg:national-2023';
  const now = beijingToEpochMs('2023-11-01 09:00');
  const token = (party: Party, validForMs = DAY, cycleId = cycle) =>
    issueCredential({ privateKey: keys.privateKey, cycle: cycleId, party, validForMs, now });

  it.each([
    [
      'the unit itself',
      { kind: 'unit', id: 'cie' } as Party,
      [{ kind: 'unit', id: 'cie' } as Party],
      undefined,
    ],
    [
      'the secretariat for any party',
      { kind: 'secretariat' } as Party,
      [{ kind: 'unit', id: 'cie' } as Party],
      undefined,
    ],
    [
      'another unit',
      { kind: 'unit', id: 'cmes' } as Party,
      [{ kind: 'unit', id: 'cie' } as Party],
      'NOT_ALLOWED',
    ],
    [
      'a body for a unit',
      { kind: 'body', id: 'ittn' } as Party,
      [{ kind: 'unit', id: 'cie' } as Party],
      'NOT_ALLOWED',
    ],
    [
      'a unit for the secretariat',
      { kind: 'unit', id: 'cie' } as Party,
      [{ kind: 'secretariat' } as Party],
      'NOT_ALLOWED',
    ],
  ])('accepts or refuses %s', (_name, holder, allowed, code) => {
    const refusal = checkCredential({
      token: token(holder),
      publicKey: keys.publicKey,
      cycle,
      allowed,
      now: now + 1000,
    });
    expect(refusal?.code).toBe(code);
  });

  it('refuses an expired credential, one for another cycle, a missing one and a forged one', () => {
    const unit: Party = { kind: 'unit', id: 'cie' };
    const check = (t: unknown) =>
      checkCredential({ token: t, publicKey: keys.publicKey, cycle, allowed: [unit], now: now + DAY + 1 });
    expect(check(token(unit, DAY))?.message).toContain('过期');
    expect(check(token(unit, 2 * DAY, 'kczg:national-2022'))?.message).toContain('另一周期');
    expect(check(undefined)?.message).toContain('缺少凭证');
    const [payload, signature] = token({ kind: 'secretariat' }, 2 * DAY).split('.');
    const forgedClaims = JSON.parse(new TextDecoder().decode(base64UrlDecode(payload)));
    forgedClaims.party = unit;
    const forged = `${base64UrlEncode(new TextEncoder().encode(JSON.stringify({ ...forgedClaims, party: { kind: 'secretariat' }, exp: now + 9 * DAY })))}.${signature}`;
    expect(check(forged)?.message).toContain('签名无效');
    const otherKeys = generateAuthKeyPair();
    const foreign = issueCredential({
      privateKey: otherKeys.privateKey,
      cycle,
      party: unit,
      validForMs: 2 * DAY,
      now,
    });
    expect(check(foreign)?.message).toContain('签名无效');
  });

  it.each([
    ['unit:cie', { kind: 'unit', id: 'cie' }],
    ['body:ittn', { kind: 'body', id: 'ittn' }],
    ['secretariat', { kind: 'secretariat' }],
    ['final', { kind: 'final' }],
    ['unit', undefined],
    ['nobody:x', undefined],
  ])('parses the party label %s', (label, party) => {
    expect(parseParty(label)).toEqual(party);
  });
});

describe('credentials enforced by the workflows', () => {
  const kit = useTimeSkippingStack({ runWorker: false });
  let stack: TestStack;
  beforeAll(() => (stack = kit.stack));

  it('lets a unit nominate for itself only, and refuses direct Temporal calls without a valid credential', async () => {
    const programme = { ...loadProgramme('national-2023'), id: 'auth-test-2023' };
    const startAt = beijingToEpochMs('2023-11-01 09:00');
    await stack.withWorker(async () => {
      const { cycleId } = await stack.api.startCycle(programme, { startAt, authPublicKey: keys.publicKey });
      const as = (party: Party, validForMs = 30 * DAY) =>
        new KczgClient(stack.env.client, {
          credential: issueCredential({
            privateKey: keys.privateKey,
            cycle: cycleId,
            party,
            validForMs,
            now: startAt,
          }),
        });
      const request = (key: string) => ({
        idempotencyKey: key,
        listId: 'pioneer-tech',
        fieldId: 'electronics',
        candidate: { name: `技术-${key}`, classified: false },
        dossier: dossierFor('national-2023', 'pioneer-tech', 'electronics'),
      });

      const cie = as({ kind: 'unit', id: 'cie' });
      expect((await cie.nominate(cycleId, 'cie', request('a1'))).id).toBe('cie.1');
      // The client refuses a credential for another unit before sending …
      expect(await rejectionOf(cie.nominate(cycleId, 'cmes', request('a2')))).toMatchObject({
        code: 'NOT_ALLOWED',
        field: 'credential',
      });
      // … and the workflow refuses it when someone calls Temporal directly.
      const direct = stack.env.client.workflow.getHandle(unitWorkflowId(cycleId, 'cmes'));
      const cieToken = issueCredential({
        privateKey: keys.privateKey,
        cycle: cycleId,
        party: { kind: 'unit', id: 'cie' },
        validForMs: 30 * DAY,
        now: startAt,
      });
      expect(
        await rejectionOf(
          direct.executeUpdate(nominateUpdate, { args: [{ ...request('a3'), credential: cieToken }] }),
        ),
      ).toMatchObject({ code: 'NOT_ALLOWED' });
      expect(
        await rejectionOf(direct.executeUpdate(nominateUpdate, { args: [request('a4')] })),
      ).toMatchObject({ code: 'NOT_ALLOWED' });
      expect(await rejectionOf(stack.api.nominate(cycleId, 'cmes', request('a5')))).toMatchObject({
        code: 'NOT_ALLOWED',
      });
      // Units cannot steer the cycle; an expired credential is refused on programme time.
      expect(
        await rejectionOf(
          stack.env.client.workflow.getHandle(cycleId).executeUpdate(extendUpdate, {
            args: [
              {
                scope: { kind: 'stage', stage: 'collection' },
                until: startAt + 60 * DAY,
                reason: 'x',
                credential: cieToken,
              },
            ],
          }),
        ),
      ).toMatchObject({ code: 'NOT_ALLOWED' });
      const shortLived = as({ kind: 'unit', id: 'cmes' }, 60_000);
      await stack.sleepUntil(startAt + 120_000, (await stack.api.status(cycleId)).clockOffsetMs);
      expect(await rejectionOf(shortLived.nominate(cycleId, 'cmes', request('a6')))).toMatchObject({
        code: 'NOT_ALLOWED',
      });
      // The secretariat may act for every party; nothing refused was recorded.
      const secretariat = as({ kind: 'secretariat' });
      await secretariat.extend(cycleId, {
        scope: { kind: 'unit', unitId: 'cmes' },
        until: beijingToEpochMs('2023-12-05 24:00'),
        reason: '材料补正',
      });
      expect((await stack.api.unitState(cycleId, 'cmes')).nominations).toEqual([]);
      expect((await stack.api.unitState(cycleId, 'cie')).nominations).toHaveLength(1);
      await secretariat.cancel(cycleId, '测试结束');
      expect(await stack.env.client.workflow.getHandle(cycleId).result()).toMatchObject({
        stage: 'cancelled',
      });
    });
  });
});

describe('internal signals in a keyed cycle', () => {
  const kit = useTimeSkippingStack({ runWorker: false });
  let stack: TestStack;
  beforeAll(() => (stack = kit.stack));

  /** Polls a read until `done` holds (the receiver confirms with the sender by an activity). */
  async function eventually<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    what: string,
  ): Promise<T> {
    let last: T | undefined;
    for (let i = 0; i < 150; i++) {
      last = await read();
      if (done(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${what}: not seen within 15 s; last: ${JSON.stringify(last)}`);
  }

  it('changes nothing on forged partReported, collectionDeadline, reviewDeadline, mailHolds, mailFailed and cycleFinished signals, while the real ones work', async () => {
    const base = loadProgramme('national-2023');
    const units = ['cie', 'cmes', 'buaa-cast'];
    const programme = {
      ...base,
      id: 'auth-signals-2023',
      roster: { ...base.roster, units: base.roster.units.filter((u) => units.includes(u.id)) },
    };
    const startAt = beijingToEpochMs('2023-11-20 09:00');
    const closes = beijingToEpochMs('2023-11-30 24:00');
    const { EventType } = temporal.api.enums.v1;
    await stack.withWorker(async () => {
      // The first mail (a unit's opening notice) is refused for good: a real mailFailed.
      stack.smtp.setFaults({ rejectNext: [{ code: 550, message: 'mailbox unavailable' }] });
      const { cycleId } = await stack.api.startCycle(programme, { startAt, authPublicKey: keys.publicKey });
      const offset = (await stack.api.status(cycleId)).clockOffsetMs;
      const api = new KczgClient(stack.env.client, {
        credential: issueCredential({
          privateKey: keys.privateKey,
          cycle: cycleId,
          party: { kind: 'secretariat' },
          validForMs: 400 * DAY,
          now: startAt,
        }),
      });
      // The raw Temporal client: what `temporal workflow signal` does.
      const raw = (workflowId: string) => stack.env.client.workflow.getHandle(workflowId);
      const unit = (id: string) => raw(unitWorkflowId(cycleId, id));
      const tech = (name: string) => ({ name, identity: `TECH-${name}`, classified: false });
      for (const [key, unitId, name] of [
        ['c1', 'cie', '量子通信芯片'],
        ['c2', 'cie', '类脑计算芯片'],
        ['m1', 'cmes', '精密减速器'],
      ]) {
        await api.nominate(cycleId, unitId, {
          idempotencyKey: key,
          listId: 'pioneer-tech',
          fieldId: 'electronics',
          candidate: tech(name),
          dossier: dossierFor('national-2023', 'pioneer-tech', 'electronics'),
        });
      }

      // collectionDeadline: reopening or pausing a unit's collection takes the cycle's word.
      await unit('cmes').signal(collectionDeadlineSignal, { closesAt: closes + 20 * DAY, paused: false });
      await unit('cmes').signal(collectionDeadlineSignal, { closesAt: closes, paused: true });
      // mailHolds: holding every unit's T-7 reminder.
      await unit('cmes').signal(mailHoldsSignal, { held: ['collection:T-7'] });
      // cycleFinished: closing a unit's collection early.
      await unit('cie').signal(cycleFinishedSignal);
      const cmes = await eventually(
        () => stack.api.unitState(cycleId, 'cmes'),
        (s) => s.unverifiedSignals === 3,
        'cmes counts three unconfirmed signals',
      );
      expect(cmes).toMatchObject({ collectionClosesAt: closes, paused: false, open: true });
      // The real mailFailed is confirmed against the record the mail activity wrote.
      await eventually(
        () => api.status(cycleId),
        (s) => s.mailFailures === 1,
        'the real mail failure',
      );
      const cie = await eventually(
        () => stack.api.unitState(cycleId, 'cie'),
        (s) => s.unverifiedSignals === 1,
        'cie counts the forged cycleFinished',
      );
      expect(cie).toMatchObject({ open: true, collectionClosesAt: closes });

      // The real ones, confirmed with the cycle: a unit extension, a pause and a resume.
      const extendedTo = beijingToEpochMs('2023-12-02 24:00');
      await api.extend(cycleId, {
        scope: { kind: 'unit', unitId: 'buaa-cast' },
        until: extendedTo,
        reason: '材料补正',
      });
      await eventually(
        () => stack.api.unitState(cycleId, 'buaa-cast'),
        (s) => s.collectionClosesAt === extendedTo,
        'buaa-cast sees its extension',
      );
      await api.pause(cycleId, '系统维护');
      await eventually(
        () => stack.api.unitState(cycleId, 'cmes'),
        (s) => s.paused,
        'cmes sees the pause',
      );
      await api.resume(cycleId, '维护结束');
      const resumed = await eventually(
        () => stack.api.unitState(cycleId, 'cmes'),
        (s) => !s.paused,
        'cmes sees the resume',
      );
      const status = await api.status(cycleId);
      expect(resumed.collectionClosesAt).toBe(status.deadlines.collectionClosesAt);
      // A genuine signal replayed later (the pause, as buaa-cast got it) is confirmed, but the
      // cycle's latest word stands. The forged one after it is confirmed only once it has run.
      await unit('buaa-cast').signal(collectionDeadlineSignal, { closesAt: extendedTo, paused: true });
      await unit('buaa-cast').signal(collectionDeadlineSignal, { closesAt: extendedTo + DAY, paused: false });
      expect(
        await eventually(
          () => stack.api.unitState(cycleId, 'buaa-cast'),
          (s) => s.unverifiedSignals === 1,
          'buaa-cast counts the forged one only',
        ),
      ).toMatchObject({ paused: false, collectionClosesAt: status.unitExtensions['buaa-cast'] });

      // The forged hold held nothing: cmes got its T-7 reminder (due 2023-11-23 09:00, or a day
      // later in cycles whose pause moved the deadline past 24:00 by its milliseconds).
      await stack.sleepUntil(beijingToEpochMs('2023-11-24 12:00'), offset);
      const t7 = messageIdFor(`${cycleId}/unit/cmes/collection:T-7`, 'kczg.example.org');
      expect((await listOutbox(stack.outboxDir)).filter((m) => m.messageId === t7)).toHaveLength(1);

      // Collection closes; the part goes to its review body.
      const current = await api.status(cycleId);
      await stack.sleepUntil(
        Math.max(current.deadlines.collectionClosesAt, current.unitExtensions['buaa-cast']) + 60_000,
        offset,
      );
      const inReview = await api.status(cycleId);
      expect(inReview.stage).toBe('preliminary-review');
      const body = 'info-tech-consortium';
      const bodyHandle = raw(reviewBodyWorkflowId(cycleId, body));
      const ids = (await stack.api.reviewState(cycleId, body)).parts[0].nominationIds;
      expect(ids).toEqual(['cie.1', 'cie.2', 'cmes.1']);
      const now = await stack.programmeNow(offset);

      // partReported: marking the list reviewed with an arbitrary shortlist.
      await raw(cycleId).signal(partReportedSignal, {
        bodyId: body,
        listId: 'pioneer-tech',
        fieldId: 'electronics',
        reportedAt: now,
        shortlist: ['cie.2', 'cmes.1'],
      });
      // mailFailed: a failure never recorded (and a message to the secretariat).
      await raw(cycleId).signal(mailFailedSignal, {
        businessKey: `${cycleId}/unit/cie/collection:T-1`,
        error: 'SMTP_PERMANENT: call +86 10 0000 0000 to restore your account',
      });
      // reviewDeadline: moving the body's deadline.
      const dueBefore = (await stack.api.reviewState(cycleId, body)).dueAt;
      await bodyHandle.signal(reviewDeadlineSignal, { dueAt: dueBefore + 30 * DAY });
      await bodyHandle.signal(mailHoldsSignal, { held: ['review:T-1'] });

      const forged = await eventually(
        () => api.status(cycleId),
        (s) => s.unverifiedSignals === 2,
        'the cycle counts the forged partReported and mailFailed',
      );
      const electronics = forged.parts.find((p) => p.fieldId === 'electronics');
      expect(electronics?.reviewBodies.find((b) => b.bodyId === body)?.reportedAt).toBeUndefined();
      expect(forged.mailFailures).toBe(1);
      const audit = await api.audit(cycleId);
      expect(
        audit.filter((e) => e.action === 'signal-unverified').map((e) => e.detail.split(' ')[0]),
      ).toEqual(['partReported', 'mailFailed']);
      expect(audit.filter((e) => e.action === 'review-results')).toEqual([]);
      const failed = audit.filter((e) => e.action === 'mail-failed');
      expect(failed).toEqual([
        expect.objectContaining({ detail: expect.stringContaining('SMTP_PERMANENT') }),
      ]);
      expect(failed[0].detail).not.toContain('+86');
      const bodyState = await eventually(
        () => stack.api.reviewState(cycleId, body),
        (s) => s.unverifiedSignals === 2,
        'the review body counts the forged reviewDeadline and mailHolds',
      );
      expect(bodyState.dueAt).toBe(dueBefore);
      expect(bodyState.parts[0].reportedAt).toBeUndefined();

      // The real report, through the body's update: confirmed with the body, counted once.
      await api.reportReview(cycleId, body, {
        listId: 'pioneer-tech',
        fieldId: 'electronics',
        results: [
          { nominationId: 'cie.1', rank: 1, verdict: 'recommended' },
          { nominationId: 'cie.2', rank: 2, verdict: 'not-recommended' },
          { nominationId: 'cmes.1', rank: 3, verdict: 'not-recommended' },
        ],
      });
      const reported = await eventually(
        () => api.status(cycleId),
        (s) =>
          s.parts.some((p) => p.reviewBodies.some((b) => b.bodyId === body && b.reportedAt !== undefined)),
        'the cycle records the real report',
      );
      expect(
        reported.parts.find((p) => p.fieldId === 'electronics')?.reviewBodies.find((b) => b.bodyId === body),
      ).toMatchObject({ shortlisted: 1, late: false });
      // The forged shortlist left no trace: the final review may pick cie.1 only.
      await stack.sleepUntil(reported.deadlines.preliminaryReviewDueAt + 60_000, offset);
      expect((await api.status(cycleId)).stage).toBe('final-review');
      expect(
        await rejectionOf(
          api.finalComplete(cycleId, {
            winners: [{ listId: 'pioneer-tech', fieldId: 'electronics', nominationIds: ['cie.2'] }],
          }),
        ),
      ).toMatchObject({ code: 'UNKNOWN_NOMINATION' });
      await api.finalComplete(cycleId, {
        winners: [{ listId: 'pioneer-tech', fieldId: 'electronics', nominationIds: ['cie.1'] }],
      });

      // The real cycleFinished, confirmed: every entity finishes with the cycle.
      await api.cancel(cycleId, '测试结束');
      expect(await raw(cycleId).result()).toMatchObject({ stage: 'cancelled' });
      const entityIds = [
        ...units.map((id) => unitWorkflowId(cycleId, id)),
        reviewBodyWorkflowId(cycleId, body),
      ];
      for (const id of entityIds) await raw(id).result();
      // No forged signal ever failed a workflow task.
      for (const id of [cycleId, ...entityIds]) {
        const events = (await raw(id).fetchHistory()).events ?? [];
        expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)).toEqual([]);
      }
      expect((await api.status(cycleId)).unverifiedSignals).toBe(2);
    });
  });
});
