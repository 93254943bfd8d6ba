/**
 * A unit workflow started directly under a unit's id by someone else, before its cycle starts
 * the unit, is refused by the cycle as a review body's report is: the cycle finds it is not its
 * own (no credential key; the right key but another programme), terminates it, starts its own in
 * its place and audits the refusal. The foreign workflow's nominations count for nothing; the
 * unit's own workflow enforces the cycle's key. Real Temporal client, time-skipping server.
 */
import { RejectionError } from '../../client/requests';
import { beijingToEpochMs } from '../../domain/calendar';
import { cycleWorkflowId, unitWorkflowId } from '../../workflows/ids';
import { auditQuery, nominateUpdate, type UnitInput } from '../../workflows/messages';
import { unitWorkflow } from '../../workflows/unit';
import { credential, finishKeyedCycle, keys, startKeyedCycle } from '../portal/portal-kit';
import { dossierFor } from '../support/candidates';
import { eventually, useTimeSkippingStack } from '../support/time-skipping';
import { KczgClient } from '../../client/api';
import { loadProgramme } from '../../programmes/loader';

const PROGRAMME = 'foreign-unit-2023';

const request = (key: string) => ({
  idempotencyKey: key,
  listId: 'pioneer-tech',
  fieldId: 'electronics',
  candidate: { name: `技术-${key}`, identity: `TECH-${key}`, classified: false },
  dossier: dossierFor('national-2023', 'pioneer-tech', 'electronics'),
});

describe('a unit workflow someone else started under a unit’s id', () => {
  let cycleId: string;
  afterAll(async () => {
    if (cycleId) await finishKeyedCycle(kit.stack, cycleId);
  });
  const kit = useTimeSkippingStack();

  it('is terminated, replaced by the cycle’s own and audited; its nominations count for nothing', async () => {
    const { stack } = kit;
    cycleId = cycleWorkflowId(PROGRAMME);
    const base = loadProgramme('national-2023');
    const units = base.roster.units.slice(0, 3);
    const [cie, cmes, genuine] = units;
    // What an impostor gives: no roster, open for a year from now, ten times the quota.
    const now = await stack.programmeNow(0);
    const inflated = {
      ...base,
      id: PROGRAMME,
      roster: { ...base.roster, units: [] },
      lists: base.lists.map((l) => ({ ...l, quota: { ...l.quota, default: 30 } })),
    };
    const forged = (unit: (typeof units)[number], authPublicKey?: string): UnitInput => ({
      cycleId,
      programme: inflated as UnitInput['programme'],
      unit,
      collectionOpensAt: now - 60_000,
      collectionClosesAt: now + 365 * 86_400_000,
      clockOffsetMs: 0,
      priorWinners: [],
      ...(authPublicKey ? { authPublicKey } : {}),
    });
    const client = stack.env.client;
    // cie: no key at all, so anyone may nominate for it; cmes: the right key, another programme.
    await client.workflow.start(unitWorkflow, {
      workflowId: unitWorkflowId(cycleId, cie.id),
      taskQueue: stack.api.taskQueue,
      args: [forged(cie)],
    });
    await client.workflow.start(unitWorkflow, {
      workflowId: unitWorkflowId(cycleId, cmes.id),
      taskQueue: stack.api.taskQueue,
      args: [forged(cmes, keys.publicKey)],
    });
    const impostor = client.workflow.getHandle(unitWorkflowId(cycleId, cie.id));
    const filed = await impostor.executeUpdate(nominateUpdate, { args: [request('forged-1')] });
    expect(filed.id).toBe(`${cie.id}.1`);

    await startKeyedCycle(stack, PROGRAMME);

    const refusals = await eventually('the cycle audits the foreign unit workflows', async () => {
      const audit = await stack.api.cycle(cycleId).query(auditQuery);
      const found = audit.filter((e) => e.action === 'foreign-unit-workflow');
      return found.length >= 2 ? found : undefined;
    });
    expect(refusals).toEqual([
      expect.objectContaining({
        actor: `unit:${cie.id}`,
        outcome: 'rejected',
        code: 'NOT_ALLOWED',
        detail: expect.stringContaining('started with another credential key'),
      }),
      expect.objectContaining({
        actor: `unit:${cmes.id}`,
        outcome: 'rejected',
        detail: expect.stringContaining('started with another programme or window'),
      }),
    ]);
    expect(refusals[0].detail).toContain('held 1 nominations');
    // The genuine unit's workflow was the cycle's own: not refused.
    expect(refusals.some((e) => e.actor === `unit:${genuine.id}`)).toBe(false);

    // The cycle's own cie: none of the impostor's nominations, the cycle's window and key.
    const state = await stack.api.unitState(cycleId, cie.id);
    expect(state.nominations).toEqual([]);
    expect(state.collectionClosesAt).toBeLessThan(beijingToEpochMs('2024-01-01 00:00'));
    const anonymous = await stack.api.nominate(cycleId, cie.id, request('anon-1')).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(anonymous).toBeInstanceOf(RejectionError);
    expect((anonymous as RejectionError).rejection).toMatchObject({
      code: 'NOT_ALLOWED',
      field: 'credential',
    });
    const own = new KczgClient(client, {
      taskQueue: stack.api.taskQueue,
      credential: credential(cycleId, `unit:${cie.id}`),
    });
    // The kit's cycle starts in collection: the unit's own credential works.
    expect((await own.nominate(cycleId, cie.id, request('own-1'))).id).toBe(`${cie.id}.1`);
  });
});
