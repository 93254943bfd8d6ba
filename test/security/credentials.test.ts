/**
 * Authorization: every write carries a credential for its party, issued by the secretariat,
 * scoped to one cycle and expiring. The client checks it, and the workflows check it again with
 * the signature, so a direct Temporal call cannot act for another party.
 */
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
import { unitWorkflowId } from '../../workflows/ids';
import { extendUpdate, nominateUpdate } from '../../workflows/messages';
import { startTestStack, type TestStack } from '../support/stack';

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
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack('time-skipping');
  });
  afterAll(async () => {
    await stack?.shutdown();
  });

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
