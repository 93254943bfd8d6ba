/**
 * A society's own call feeding the national one, on the time-skipping server: a relay whose
 * selection falls after the national close is refused at start; the relay runs, extending it past
 * the parent (or the parent before it) is refused; its winners arrive in the national cycle as
 * the society's nominations within its quota, the one over quota is refused and reported back
 * (audit, chain status, a mail to the society's secretariat), and forwarding again forwards
 * nothing twice.
 */
import { createForwarding } from '../../activities/chain';
import { beijingToEpochMs } from '../../domain/calendar';
import { forwardingKey } from '../../domain/chain';
import { noticeKey } from '../../domain/mail-ids';
import type { Programme } from '../../domain/programme';
import { programmeDeadlines } from '../../domain/timeline';
import { loadProgramme } from '../../programmes/loader';
import { cycleWorkflowId } from '../../workflows/ids';
import { electronicsTech } from '../support/candidates';
import { eventually, finishCycle, rejectionOf, useTimeSkippingStack } from '../support/time-skipping';

const national = loadProgramme('national-2023');
const relay = loadProgramme('national-2023-relay');
const relayDeadlines = programmeDeadlines(relay);

describe('a society’s call feeding the national call', () => {
  const kit = useTimeSkippingStack();

  it('forwards its winners within quota, reports the refused one, never twice; deadlines hold', async () => {
    const { stack, outbox } = kit;
    const { api } = stack;
    const parent = await api.startCycle(national, {
      startAt: programmeDeadlines(national).collectionOpensAt + 3_600_000,
    });
    const parentOffset = (await api.status(parent.cycleId)).clockOffsetMs;

    // A relay that would select after the national close is refused before it starts.
    const late: Programme = {
      ...relay,
      id: 'national-2023-relay-late',
      stages: {
        ...relay.stages,
        finalReview: { due: '2023-11-30 12:00' },
        publication: { on: '2023-12-01 10:00' },
      },
    };
    const refusedStart = await rejectionOf(
      api.startCycle(late, { startAt: await stack.programmeNow(parentOffset) }),
    );
    expect(refusedStart).toMatchObject({
      code: 'CHAIN_DEADLINE',
      field: 'stages.finalReview.due',
      rule: 'beforeParentCollection',
    });
    expect(refusedStart.message).toContain('2023-11-30 12:00 (北京时间)');
    expect(refusedStart.message).toContain('2023-11-30 24:00 (北京时间)');
    await expect(api.cycle(cycleWorkflowId(late.id)).describe()).rejects.toThrow();

    // The relay runs on the parent's clock; each side hears of the other.
    const child = await api.startCycle(relay, { startAt: await stack.programmeNow(parentOffset) });
    const childOffset = (await api.status(child.cycleId)).clockOffsetMs;
    await eventually('the chain is linked both ways', async () => {
      const [up, down] = await Promise.all([
        api.chain.status(parent.cycleId),
        api.chain.status(child.cycleId),
      ]);
      return up.children.length === 1 && down.parent?.collectionClosesAt !== undefined ? true : undefined;
    });
    expect((await api.chain.status(parent.cycleId)).children[0]).toMatchObject({
      cycleId: child.cycleId,
      unitId: 'cie',
      deadlines: { finalReviewDueAt: relayDeadlines.finalReviewDueAt },
    });

    const extend = (cycleId: string, stage: 'collection' | 'final-review', until: string) =>
      api.extend(cycleId, {
        scope: { kind: 'stage', stage },
        until: beijingToEpochMs(until),
        reason: '测试 / test',
      });
    const childPastParent = await rejectionOf(extend(child.cycleId, 'final-review', '2023-12-01 24:00'));
    expect(childPastParent).toMatchObject({ code: 'CHAIN_DEADLINE', field: 'until' });
    const parentBeforeChild = await rejectionOf(extend(parent.cycleId, 'collection', '2023-11-28 24:00'));
    expect(parentBeforeChild).toMatchObject({ code: 'CHAIN_DEADLINE', rule: 'notBeforeChild' });
    expect(parentBeforeChild.message).toContain(child.cycleId);
    // Later is fine on the parent's side.
    await extend(parent.cycleId, 'collection', '2023-12-05 24:00');

    // Four members apply in 电子信息 (the society's national quota there is 3).
    await stack.sleepUntil(relayDeadlines.collectionOpensAt + 60_000, childOffset);
    const members = ['zz-materials', 'henan-equipment', 'xx-electronics', 'kf-tech-transfer'];
    const applied = [];
    for (const [i, unitId] of members.entries()) {
      applied.push(
        await api.nominate(
          child.cycleId,
          unitId,
          electronicsTech(`${unitId}-1`, `学会推荐技术${i + 1}`, relay),
        ),
      );
    }
    await stack.sleepUntil(relayDeadlines.collectionClosesAt + 60_000, childOffset);
    await api.reportReview(child.cycleId, 'society-experts', {
      listId: 'pioneer-tech',
      fieldId: 'electronics',
      results: applied.map((n, i) => ({
        nominationId: n.id,
        rank: i + 1,
        score: 95 - i,
        verdict: 'recommended',
      })),
    });
    await eventually('the relay reaches its selection', async () =>
      (await api.status(child.cycleId)).stage === 'final-review' ? true : undefined,
    );
    const winners = [
      { listId: 'pioneer-tech', fieldId: 'electronics', nominationIds: applied.map((n) => n.id) },
    ];
    await api.finalComplete(child.cycleId, { winners });

    const forwarded = await eventually('the relay forwards its winners', async () => {
      const status = await api.chain.status(child.cycleId);
      return status.forwardedAt !== undefined ? status : undefined;
    });
    expect(forwarded.accepted.map((f) => f.nominationId)).toEqual(applied.slice(0, 3).map((n) => n.id));
    expect(forwarded.refused).toEqual([
      expect.objectContaining({
        nominationId: applied[3].id,
        parentListId: 'pioneer-tech',
        parentFieldId: 'electronics',
        refusal: expect.objectContaining({ code: 'QUOTA_EXCEEDED' }),
      }),
    ]);

    // In the national cycle: the society's three nominations, keyed by the relay, dossiers as they were.
    const society = await api.unitState(parent.cycleId, 'cie');
    expect(society.nominations.map((n) => n.idempotencyKey)).toEqual(
      applied.slice(0, 3).map((n) => forwardingKey(child.cycleId, n.id)),
    );
    expect(society.nominations.map((n) => n.dossier)).toEqual(applied.slice(0, 3).map((n) => n.dossier));
    expect(society.nominations.map((n) => n.candidate.name)).toEqual(
      applied.slice(0, 3).map((n) => n.candidate.name),
    );
    const seenFromParent = await api.chain.status(parent.cycleId);
    expect(seenFromParent.children[0]).toMatchObject({ cycleId: child.cycleId });
    expect(seenFromParent.children[0].accepted).toHaveLength(3);
    expect(seenFromParent.children[0].refused).toHaveLength(1);

    // The refusal is audited on the relay and mailed to its secretariat, once.
    const audit = await api.audit(child.cycleId);
    const forwards = audit.filter((e) => e.action === 'chain-forward');
    expect(forwards.map((e) => e.outcome)).toEqual(['accepted', 'accepted', 'accepted', 'rejected']);
    expect(forwards[3]).toMatchObject({ code: 'QUOTA_EXCEEDED' });
    const refusalKey = noticeKey(child.cycleId, { kind: 'secretariat' }, 'chain-refusals');
    const mails = await eventually('the refusal mail', async () => {
      const sent = await outbox.mailsOf(refusalKey);
      return sent.length > 0 ? sent : undefined;
    });
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toMatchObject({ value: [{ address: 'secretariat@society.example.org' }] });
    expect(mails[0].text).toContain(applied[3].id);
    expect(mails[0].text).toContain('QUOTA_EXCEEDED');

    // Forwarding again forwards nothing twice: the same nominations come back, none is added.
    const again = await createForwarding({ client: stack.env.client }).forwardToParent({
      childCycleId: child.cycleId,
      parentCycleId: parent.cycleId,
      parent: relay.parent!,
      winners,
    });
    expect(again.filter((f) => f.outcome === 'accepted').map((f) => f.parentNominationId)).toEqual(
      forwarded.accepted.map((f) => f.parentNominationId),
    );
    expect((await api.unitState(parent.cycleId, 'cie')).nominations).toHaveLength(3);

    await finishCycle(stack, child.cycleId);
    await finishCycle(stack, parent.cycleId);
  });
});
