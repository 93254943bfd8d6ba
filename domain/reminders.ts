/**
 * The reminder plan: who is reminded of which deadline, and when. Pure and deterministic, so a
 * workflow can re-plan whenever a deadline moves and get the same ids for the same reminders.
 * Times are Beijing time (UTC+8, no daylight saving).
 */
import { addDays, nextWorkingDay, previousWorkingDay } from './holidays';
import type { ReminderPolicy } from './programme';

export type ReminderRole = 'unit' | 'reviewBody' | 'secretariat' | 'finalReviewBody';

export interface ReminderDeadline {
  /** Stable business key of the deadline, e.g. "collection" or "review:pioneer-tech". */
  key: string;
  /** The deadline instant, epoch ms. "2023-11-30 24:00" is 2023-12-01T00:00+08:00. */
  at: number;
  /** Who must meet it. */
  role: ReminderRole;
}

export interface ReminderPlanInput {
  deadlines: ReminderDeadline[];
  policy: ReminderPolicy;
  /** Nothing is planned before this instant (e.g. the collection opening), epoch ms. */
  opensAt?: number;
}

export type ReminderKind = 'reminder' | 'overdue' | 'digest';

export interface PlannedReminder {
  /** Stable: `${key}:T-${n}`, `${key}:overdue-${k}` or `${key}:digest-T-${n}`. */
  id: string;
  key: string;
  /** When to send, epoch ms. */
  at: number;
  kind: ReminderKind;
  /** Calendar days before the deadline's day as the policy states it; negative after it (overdue). */
  offsetDays: number;
  role: ReminderRole;
}

const BEIJING_OFFSET_MS = 8 * 3_600_000;
const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The Beijing calendar day a deadline belongs to. A deadline is the end of the period it closes,
 * so the instant itself is excluded: "2023-11-30 24:00" (= 2023-12-01T00:00+08) is on 2023-11-30.
 */
export function beijingDeadlineDay(at: number): string {
  return beijingDay(at - 1);
}

/** The Beijing calendar day an instant falls on. */
export function beijingDay(at: number): string {
  return new Date(at + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant of a Beijing local date ("YYYY-MM-DD") and time of day ("HH:mm"), epoch ms. */
export function beijingInstant(date: string, time: string): number {
  const match = TIME_OF_DAY.exec(time);
  if (!match) throw new RangeError(`Expected a time of day as HH:mm, got "${time}"`);
  // addDays(date, 0) validates the date and returns it unchanged.
  const midnightUtc = Date.parse(`${addDays(date, 0)}T00:00:00Z`);
  return midnightUtc - BEIJING_OFFSET_MS + (Number(match[1]) * 60 + Number(match[2])) * 60_000;
}

/**
 * A deadline instant as the notices write it, "YYYY-MM-DD HH:mm" in Beijing time, with midnight
 * written as "24:00" of the day before ("2023-11-30 24:00").
 */
export function formatBeijingDeadline(at: number): string {
  const local = new Date(at + BEIJING_OFFSET_MS).toISOString();
  // Only midnight itself ends the day before; 00:00:00.001 onwards is the new day.
  if (local.slice(11, 23) === '00:00:00.000') return `${beijingDeadlineDay(at)} 24:00`;
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`;
}

/**
 * An instant something began or happened, "YYYY-MM-DD HH:mm" in Beijing time: midnight is the
 * start of its day ("2023-10-07 00:00"), never "24:00" of the day before.
 */
export function formatBeijingInstant(at: number): string {
  const local = new Date(at + BEIJING_OFFSET_MS).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)}`;
}

function compareReminders(a: PlannedReminder, b: PlannedReminder): number {
  if (a.at !== b.at) return a.at - b.at;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function planBefore(deadline: ReminderDeadline, policy: ReminderPolicy, opensAt: number): PlannedReminder[] {
  const day = beijingDeadlineDay(deadline.at);
  const byInstant = new Map<number, number>();
  for (const n of [...new Set(policy.daysBefore)].sort((a, b) => a - b)) {
    const nominal = addDays(day, -n);
    const sendDay = policy.workingDaysOnly ? previousWorkingDay(nominal) : nominal;
    const at = beijingInstant(sendDay, policy.at);
    // Smaller offsets come first, so an instant already taken keeps the smaller offset.
    if (at < opensAt || at >= deadline.at || byInstant.has(at)) continue;
    byInstant.set(at, n);
  }
  const planned: PlannedReminder[] = [];
  for (const [at, n] of byInstant) {
    planned.push({
      id: `${deadline.key}:T-${n}`,
      key: deadline.key,
      at,
      kind: 'reminder',
      offsetDays: n,
      role: deadline.role,
    });
    // The secretariat follows every other party's deadline with a digest of who is missing.
    if (deadline.role !== 'secretariat') {
      planned.push({
        id: `${deadline.key}:digest-T-${n}`,
        key: deadline.key,
        at,
        kind: 'digest',
        offsetDays: n,
        role: 'secretariat',
      });
    }
  }
  return planned;
}

function planOverdue(deadline: ReminderDeadline, policy: ReminderPolicy, opensAt: number): PlannedReminder[] {
  if (policy.overdueEveryDays === 0) return [];
  const day = beijingDeadlineDay(deadline.at);
  const taken = new Set<number>();
  const planned: PlannedReminder[] = [];
  for (let k = 1; k <= policy.overdueMaxCount; k++) {
    const nominal = addDays(day, k * policy.overdueEveryDays);
    // An overdue notice moves forward, never back towards (or before) the deadline itself.
    const sendDay = policy.workingDaysOnly ? nextWorkingDay(nominal) : nominal;
    const at = beijingInstant(sendDay, policy.at);
    if (at < opensAt || at <= deadline.at || taken.has(at)) continue;
    taken.add(at);
    planned.push({
      id: `${deadline.key}:overdue-${k}`,
      key: deadline.key,
      at,
      kind: 'overdue',
      offsetDays: -k * policy.overdueEveryDays,
      role: deadline.role,
    });
  }
  return planned;
}

/**
 * Plans every reminder, secretariat digest and overdue notice for the deadlines.
 *
 * - Reminder T-n: n days before the deadline's Beijing day, at `policy.at`; with
 *   `workingDaysOnly`, moved back to the previous working day. Dropped when before `opensAt` or
 *   at/after the deadline; two offsets landing on the same instant keep the smaller offset.
 * - Digest: one per reminder instant, to the secretariat, for deadlines other parties must meet.
 * - Overdue k: k × `overdueEveryDays` days after the deadline's day at `policy.at`, for k up to
 *   `overdueMaxCount`; with `workingDaysOnly`, moved forward to the next working day (moving back
 *   could land before the deadline); two landing on the same instant keep the earlier k.
 *
 * Sorted by time, then id.
 */
export function planReminders(input: ReminderPlanInput): PlannedReminder[] {
  const opensAt = input.opensAt ?? Number.NEGATIVE_INFINITY;
  return input.deadlines
    .flatMap((deadline) => [
      ...planBefore(deadline, input.policy, opensAt),
      ...planOverdue(deadline, input.policy, opensAt),
    ])
    .sort(compareReminders);
}
