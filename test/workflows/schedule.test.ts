/**
 * One schedule for the workflows and `kczg mail plan` (issue 12): a programme whose reminders
 * are set to T-5 and T-2 (instead of T-14, T-7, T-3, T-1) gets exactly those reminders and
 * digests, both in the mail plan read from the cycle's status and in the outbox the workflows
 * filled, on the time-skipping server with the real loopback SMTP outbox.
 */
import { buildMailPlan } from '../../client/mail-plan';
import { beijingToEpochMs } from '../../domain/calendar';
import type { Programme } from '../../domain/programme';
import { noticeKey } from '../../domain/mail-ids';
import { loadProgramme } from '../../programmes/loader';
import { eventually, finishCycle, useTimeSkippingStack } from '../support/time-skipping';

const STARTS_AT = beijingToEpochMs('2023-11-24 08:50');
const CLOSES = beijingToEpochMs('2023-11-30 24:00');

describe('the schedule drives both the workflows and the mail plan', () => {
  const kit = useTimeSkippingStack();
  const base = loadProgramme('national-2023');
  const cie = base.roster.units.find((u) => u.id === 'cie') ?? base.roster.units[0];

  it('changing the reminder offsets in the programme changes what is sent and what is planned alike', async () => {
    const programme: Programme = {
      ...base,
      id: 'offsets-2023',
      roster: { ...base.roster, units: [cie] },
      reminders: { ...base.reminders, daysBefore: [5, 2] },
    };
    const { stack, outbox } = kit;
    const { cycleId } = await stack.api.startCycle(programme, { startAt: STARTS_AT });
    const status = await stack.api.status(cycleId);
    const plan = buildMailPlan({ programme, status, now: status.now });
    const planned = plan.messages
      .filter((m) => m.at < CLOSES && m.kind !== 'notice')
      .map((m) => m.reminderId)
      .sort();
    expect(planned).toEqual([
      'collection:T-2',
      'collection:T-5',
      'collection:digest-T-2',
      'collection:digest-T-5',
    ]);

    await stack.sleepUntil(CLOSES - 60_000, status.clockOffsetMs);
    const sent = async (party: 'unit' | 'secretariat', id: string) => {
      const key = noticeKey(cycleId, party === 'unit' ? { kind: 'unit', id: cie.id } : { kind: party }, id);
      return (await outbox.deliveriesOf(key)).length;
    };
    const delivered = await eventually('the planned reminders and digests', async () => {
      const counts = {
        'collection:T-5': await sent('unit', 'collection:T-5'),
        'collection:T-2': await sent('unit', 'collection:T-2'),
        'collection:digest-T-5': await sent('secretariat', 'collection:digest-T-5'),
        'collection:digest-T-2': await sent('secretariat', 'collection:digest-T-2'),
      };
      return Object.values(counts).every((n) => n > 0) ? counts : undefined;
    });
    expect(Object.keys(delivered).sort()).toEqual(planned);
    expect(Object.values(delivered)).toEqual([1, 1, 1, 1]);
    // The programme's default offsets are not in its schedule: none of them went out.
    for (const id of ['collection:T-7', 'collection:T-3', 'collection:T-1'])
      expect(await sent('unit', id)).toBe(0);
    for (const id of ['collection:digest-T-7', 'collection:digest-T-3', 'collection:digest-T-1'])
      expect(await sent('secretariat', id)).toBe(0);
    await finishCycle(stack, cycleId);
  });
});
