/**
 * Issue 5, on the time-skipping server against the real loopback SMTP outbox: every unit of
 * national-2023 gets the collection-opened notice, then T-14/T-7/T-3/T-1 at the planned instants
 * (not a minute early), Chinese first, with its quota usage, the deadline and an .ics; a unit that
 * completes gets no more reminders; an extension moves a unit's later reminders; and a unit name
 * carrying `<script>` and CR/LF arrives escaped, with no injected header. Also: the opened notice
 * states the opening instant as the programme does, and one unit's extension leaves the
 * secretariat's T-1 digest of the common deadline in place.
 *
 * Messages are found by Message-ID, which the mail activity derives from the business key
 * (`<cycleId>/unit/<unitId>/<reminderId>`), so each assertion names exactly one message.
 */
import type { AddressObject } from 'mailparser';
import { messageIdFor } from '../../activities/mail';
import { beijingToEpochMs } from '../../domain/calendar';
import type { Programme, Unit } from '../../domain/programme';
import { quotaKey, quotaUsageReport } from '../../domain/quota';
import { planReminders } from '../../domain/reminders';
import { partNames } from '../../workflows/notices';
import { loadProgramme } from '../../programmes/loader';
import { electronicsTech } from '../support/candidates';
import type { TestStack } from '../support/stack';
import {
  eventually,
  finishCycle,
  MESSAGE_ID_DOMAIN,
  useTimeSkippingStack,
  type Delivered,
  type Outbox,
} from '../support/time-skipping';

const MINUTE = 60_000;

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  return (Array.isArray(field) ? field : [field]).flatMap((g) =>
    g.value.flatMap((a) => (a.address ? [a.address] : [])),
  );
}

describe('deadline reminders on the time-skipping server, delivered by the loopback SMTP outbox', () => {
  const kit = useTimeSkippingStack();
  let stack: TestStack;
  let outbox: Outbox;
  const programme = loadProgramme('national-2023');
  const units = programme.roster.units;
  const unit = (id: string) => units.find((u) => u.id === id) as Unit;
  const opensAt = beijingToEpochMs('2023-10-07 00:00');
  const closesAt = beijingToEpochMs('2023-11-30 24:00');
  const extendedUntil = beijingToEpochMs('2023-12-08 24:00');
  const plannedAt = (deadline: number, id: string) =>
    (
      planReminders({
        deadlines: [{ key: 'collection', at: deadline, role: 'unit' }],
        policy: programme.reminders,
        opensAt,
      }).find((r) => r.id === id) ?? { at: NaN }
    ).at;
  let cycleId = '';
  let offset = 0;
  const key = (unitId: string, reminder: string) => `${cycleId}/unit/${unitId}/${reminder}`;

  /** Each unit has exactly one delivery of `reminder`, to its own address only. */
  async function expectOneEach(unitIds: string[], reminder: string): Promise<Delivered[]> {
    const found = await eventually(`${reminder} for ${unitIds.join(', ')}`, async () => {
      const each = await Promise.all(unitIds.map((id) => outbox.deliveriesOf(key(id, reminder))));
      return each.every((d) => d.length >= 1) ? each : undefined;
    });
    found.forEach((deliveries, i) => {
      expect(deliveries).toHaveLength(1);
      expect(addresses(deliveries[0].mail.to)).toEqual([unit(unitIds[i]).email]);
      expect(addresses(deliveries[0].mail.cc)).toEqual([]);
    });
    return found.map((d) => d[0]);
  }

  async function expectNone(unitIds: string[], reminder: string): Promise<void> {
    for (const id of unitIds) {
      const found = await outbox.deliveriesOf(key(id, reminder));
      expect(found.map((d) => `${id}: ${d.file} ${d.mail.subject}`)).toEqual([]);
    }
  }

  /** A minute before `at` the units have no `reminder`; a minute after, exactly one each. */
  async function expectSentAt(at: number, reminder: string, unitIds: string[]): Promise<Delivered[]> {
    await stack.sleepUntil(at - MINUTE, offset);
    await expectNone(unitIds, reminder);
    await stack.sleepUntil(at + MINUTE, offset);
    return expectOneEach(unitIds, reminder);
  }

  function expectChineseFirst(d: Delivered): void {
    const { subject = '', text = '', html = '' } = d.mail;
    expect(subject.startsWith(`【${programme.name.zh}】`)).toBe(true);
    expect(subject.indexOf(' | ')).toBeGreaterThan(0);
    expect(text.indexOf('推荐材料提交截止')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('推荐材料提交截止')).toBeLessThan(text.indexOf('Nomination deadline'));
    expect(String(html).indexOf('<div lang="zh-CN">')).toBeLessThan(String(html).indexOf('<div lang="en">'));
  }

  function expectDeadline(d: Delivered, written: string, utc: string): void {
    expect(d.mail.text).toContain(`${written} (北京时间 Beijing time)`);
    expect(d.mail.html).toContain(written);
    const ics = d.mail.attachments.filter((a) => a.contentType === 'text/calendar');
    expect(ics).toHaveLength(1);
    expect(ics[0].filename).toBe('deadline.ics');
    const calendar = ics[0].content.toString('utf8');
    expect(calendar).toContain('BEGIN:VEVENT');
    expect(calendar).toContain(`DTSTART:${utc}`);
  }

  /** The unit's quota rows as the reminder must list them ("list / field：已推荐 n 项，限额 m 项"). */
  function usageLines(u: Unit, usage: Record<string, number>): string[] {
    return quotaUsageReport(programme, u, usage).map((row) => {
      const names = partNames(programme, row.listId, row.fieldId);
      const name = names.field ? `${names.list} / ${names.field}` : names.list;
      return `${name}：已推荐 ${row.used} 项，限额 ${row.limit} 项`;
    });
  }

  beforeAll(() => ({ stack, outbox } = kit));

  it('plans the reminders on the notice’s working days at 09:00 Beijing time', () => {
    expect(plannedAt(closesAt, 'collection:T-14')).toBe(beijingToEpochMs('2023-11-16 09:00'));
    expect(plannedAt(closesAt, 'collection:T-7')).toBe(beijingToEpochMs('2023-11-23 09:00'));
    expect(plannedAt(closesAt, 'collection:T-3')).toBe(beijingToEpochMs('2023-11-27 09:00'));
    expect(plannedAt(closesAt, 'collection:T-1')).toBe(beijingToEpochMs('2023-11-29 09:00'));
    expect(plannedAt(extendedUntil, 'collection:T-1')).toBe(beijingToEpochMs('2023-12-07 09:00'));
    // Every unit on the roster owes work at the start, so every unit is reminded.
    for (const u of units) expect(quotaUsageReport(programme, u, {}).some((r) => r.remaining > 0)).toBe(true);
  });

  it('sends every unit the collection-opened notice at the opening, Chinese first, with the deadline and an .ics', async () => {
    const started = await stack.api.startCycle(programme, { startAt: opensAt });
    cycleId = started.cycleId;
    offset = (await stack.api.status(cycleId)).clockOffsetMs;
    const opened = await expectOneEach(
      units.map((u) => u.id),
      'opened',
    );
    for (const [i, d] of opened.entries()) {
      expectChineseFirst(d);
      expect(d.mail.subject).toContain('推荐征集已开始');
      expect(d.mail.text).toContain(`${units[i].name}：`);
      expectDeadline(d, '2023-11-30 24:00', '20231130T160000Z');
    }
  });

  it('states in the opened notice that collection opened at 2023-10-07 00:00, not a day later', async () => {
    for (const u of units) {
      const [d] = await outbox.deliveriesOf(key(u.id, 'opened'));
      expect(d.mail.text).toContain('推荐征集已开始（2023-10-07 00:00 (北京时间 Beijing time)）');
      expect(d.mail.text).not.toContain('2023-10-07 24:00');
    }
  });

  it('sends T-14 to every unit at 2023-11-16 09:00 Beijing, not a minute earlier, with its quota usage rows', async () => {
    await stack.api.nominate(cycleId, 'cie', electronicsTech('cie-1', '量子通信芯片'));
    const sent = await expectSentAt(
      plannedAt(closesAt, 'collection:T-14'),
      'collection:T-14',
      units.map((u) => u.id),
    );
    for (const [i, d] of sent.entries()) {
      const u = units[i];
      expectChineseFirst(d);
      expect(d.mail.subject).toContain('推荐材料提交截止还有 14 天');
      expect(d.mail.text).toContain(`${u.name}：`);
      expect(d.mail.text).toContain('还有 14 天');
      expectDeadline(d, '2023-11-30 24:00', '20231130T160000Z');
      const usage: Record<string, number> =
        u.id === 'cie' ? { [quotaKey('pioneer-tech', 'electronics')]: 1 } : {};
      const lines = usageLines(u, usage);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(d.mail.text).toContain(line);
        expect(d.mail.html).toContain(line);
      }
    }
    // The one nomination shows as used on cie's row.
    const cie = sent[units.findIndex((u) => u.id === 'cie')];
    expect(cie.mail.text).toMatch(/：已推荐 1 项，限额 3 项/);
  });

  it('sends T-7 to every unit at 2023-11-23 09:00 Beijing', async () => {
    const sent = await expectSentAt(
      plannedAt(closesAt, 'collection:T-7'),
      'collection:T-7',
      units.map((u) => u.id),
    );
    for (const d of sent) {
      expect(d.mail.subject).toContain('还有 7 天');
      expectDeadline(d, '2023-11-30 24:00', '20231130T160000Z');
    }
  });

  it('sends no T-3 to a unit that marked itself complete, while every other unit gets T-3 at 2023-11-27 09:00', async () => {
    await stack.sleepUntil(beijingToEpochMs('2023-11-24 10:00'), offset);
    const state = await stack.api.markComplete(cycleId, 'cmes');
    expect(state.complete).toBe(true);
    const others = units.map((u) => u.id).filter((id) => id !== 'cmes');
    const sent = await expectSentAt(plannedAt(closesAt, 'collection:T-3'), 'collection:T-3', others);
    for (const d of sent) expect(d.mail.subject).toContain('还有 3 天');
    await expectNone(['cmes'], 'collection:T-3');
  });

  it('after an extension, the unit gets no T-1 on 2023-11-29 (nor does the completed unit); everyone else does', async () => {
    await stack.sleepUntil(beijingToEpochMs('2023-11-28 10:00'), offset);
    const extended = await stack.api.extend(cycleId, {
      scope: { kind: 'unit', unitId: 'buaa-cast' },
      until: extendedUntil,
      reason: '材料补正',
    });
    expect(extended.unitExtensions['buaa-cast']).toBe(extendedUntil);
    expect((await stack.api.unitState(cycleId, 'buaa-cast')).collectionClosesAt).toBe(extendedUntil);
    const others = units.map((u) => u.id).filter((id) => id !== 'cmes' && id !== 'buaa-cast');
    const sent = await expectSentAt(plannedAt(closesAt, 'collection:T-1'), 'collection:T-1', others);
    for (const d of sent) {
      expect(d.mail.subject).toContain('还有 1 天');
      expectDeadline(d, '2023-11-30 24:00', '20231130T160000Z');
    }
    await expectNone(['cmes', 'buaa-cast'], 'collection:T-1');
  });

  it('still sends the secretariat its T-1 digest of the common deadline 2023-11-30 24:00 on 2023-11-29 after one unit’s extension', async () => {
    // Programme time is 2023-11-29 09:01 here (previous test).
    const [digest, ...more] = await outbox.deliveriesOf(`${cycleId}/secretariat/collection:digest-T-1`);
    expect(more).toEqual([]);
    expect(digest?.mail.subject).toContain('阶段截止汇总');
    expect(digest?.mail.text).toContain('2023-11-30 24:00 (北京时间 Beijing time)，还有 1 天');
    expect(addresses(digest?.mail.to)).toEqual(programme.secretariat.contacts.map((c) => c.email));
  });

  it('sends the extended unit its T-1 at 2023-12-07 09:00, naming the new deadline 2023-12-08 24:00', async () => {
    // The common deadline passes: everyone else is told collection closed; the extended unit is not.
    await stack.sleepUntil(closesAt + MINUTE, offset);
    const others = units.map((u) => u.id).filter((id) => id !== 'buaa-cast');
    await expectOneEach(others, `closed@${closesAt}`);
    await expectNone(['buaa-cast'], `closed@${closesAt}`);

    const [t1] = await expectSentAt(plannedAt(extendedUntil, 'collection:T-1'), 'collection:T-1', [
      'buaa-cast',
    ]);
    expectChineseFirst(t1);
    expect(t1.mail.subject).toContain('还有 1 天');
    expectDeadline(t1, '2023-12-08 24:00', '20231208T160000Z');
    expect(t1.mail.text).not.toContain('2023-11-30 24:00');

    // Nothing else went to units: each business key once, and only the planned ones.
    await stack.sleepUntil(extendedUntil + MINUTE, offset);
    await expectOneEach(['buaa-cast'], `closed@${extendedUntil}`);
    const expected = new Map<string, string[]>(
      units.map((u) => [
        u.id,
        [
          'opened',
          'collection:T-14',
          'collection:T-7',
          ...(u.id === 'cmes' ? [] : ['collection:T-3', 'collection:T-1']),
          `closed@${u.id === 'buaa-cast' ? extendedUntil : closesAt}`,
        ],
      ]),
    );
    const byId = new Map<string, string>();
    for (const [unitId, reminders] of expected) {
      for (const r of reminders) byId.set(messageIdFor(key(unitId, r), MESSAGE_ID_DOMAIN), key(unitId, r));
    }
    const unitAddresses = new Set(units.map((u) => u.email));
    const toUnits = (await outbox.all()).filter((d) =>
      addresses(d.mail.to).some((a) => unitAddresses.has(a)),
    );
    const keys = toUnits.map((d) => byId.get(d.mail.messageId ?? '') ?? `unexpected ${d.mail.subject}`);
    expect(keys.sort()).toEqual([...byId.values()].sort());
    await finishCycle(stack, cycleId);
  });

  it('delivers a unit name carrying <script> and CR/LF escaped in the HTML part, with no injected header', async () => {
    const base = loadProgramme('national-2023');
    const evilName = '恶意学会<script>alert("x")</script>\r\nBcc: victim@evil.example\r\nX-Injected: yes';
    const evil: Unit = { ...base.roster.units[0], name: evilName, contact: '王\r\nCc: cc@evil.example' };
    const programme: Programme = {
      ...base,
      id: 'mail-escape-2023',
      roster: { ...base.roster, units: [evil] },
    };
    // Start just before T-14, so the opened notice goes at once and T-14 two minutes later.
    const { cycleId } = await stack.api.startCycle(programme, {
      startAt: beijingToEpochMs('2023-11-16 08:58'),
    });
    const offset = (await stack.api.status(cycleId)).clockOffsetMs;
    await stack.sleepUntil(beijingToEpochMs('2023-11-16 09:01'), offset);
    for (const reminder of ['opened', 'collection:T-14']) {
      const businessKey = `${cycleId}/unit/${evil.id}/${reminder}`;
      const [d, ...more] = await eventually(reminder, async () => {
        const found = await outbox.deliveriesOf(businessKey);
        return found.length > 0 ? found : undefined;
      });
      expect(more).toEqual([]);
      const html = String(d.mail.html);
      expect(html).not.toMatch(/<script/i);
      expect(html).toContain(
        '恶意学会&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Bcc: victim@evil.example X-Injected: yes',
      );
      // The text part is plain text: the name is there, flattened to one line.
      expect(d.mail.text).toContain(
        '恶意学会<script>alert("x")</script> Bcc: victim@evil.example X-Injected: yes：',
      );
      // No header was injected: only the unit's address, no Bcc/Cc/X-Injected anywhere in the header block.
      expect(addresses(d.mail.to)).toEqual([evil.email]);
      expect(d.mail.cc).toBeUndefined();
      expect(d.mail.bcc).toBeUndefined();
      expect(d.mail.headers.has('x-injected')).toBe(false);
      const headerBlock = d.raw.slice(0, d.raw.search(/\r?\n\r?\n/));
      expect(headerBlock).not.toMatch(/^(bcc|cc|x-injected):/im);
    }
    await finishCycle(stack, cycleId);
  });
});
