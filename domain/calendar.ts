/**
 * Beijing-time arithmetic. The notices give every deadline as Beijing local time
 * (Asia/Shanghai, UTC+8, no daylight saving), often as "24:00" for the end of a day.
 * Pure: no wall clock, safe inside workflow code.
 */
import { DateTime } from 'luxon';

export const BEIJING_ZONE = 'Asia/Shanghai';

const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2})$/;

/** "2023-11-30 24:00" (Beijing) → epoch ms of 2023-11-30T16:00:00Z. "24:00" is the end of that day. */
export function beijingToEpochMs(dateTime: string): number {
  const match = DATE_TIME.exec(dateTime);
  const endOfDay = match !== null && match[2] === '24' && match[3] === '00';
  const parsed = match
    ? DateTime.fromFormat(endOfDay ? `${match[1]} 00:00` : dateTime, 'yyyy-MM-dd HH:mm', {
        zone: BEIJING_ZONE,
      })
    : null;
  if (!parsed || !parsed.isValid) {
    throw new RangeError(
      `北京时间格式无效："${dateTime}"，应为 "YYYY-MM-DD HH:mm" / invalid Beijing date-time "${dateTime}", expected "YYYY-MM-DD HH:mm"`,
    );
  }
  return (endOfDay ? parsed.plus({ days: 1 }) : parsed).toMillis();
}

/** Plain Beijing local time, "YYYY-MM-DD HH:mm" (midnight shows as "00:00" of the next day). */
export function formatBeijing(epochMs: number): string {
  return toBeijing(epochMs).toFormat('yyyy-MM-dd HH:mm');
}

/**
 * A deadline as the notices write it: an instant at Beijing midnight is the end of the previous
 * day, "2023-11-30 24:00 (北京时间)"; any other instant is shown as is.
 */
export function formatDeadline(epochMs: number): string {
  const local = toBeijing(epochMs);
  const text =
    local.hour === 0 && local.minute === 0
      ? `${local.minus({ days: 1 }).toFormat('yyyy-MM-dd')} 24:00`
      : local.toFormat('yyyy-MM-dd HH:mm');
  return `${text} (北京时间)`;
}

/** The Beijing calendar date of an instant, "YYYY-MM-DD". */
export function beijingDate(epochMs: number): string {
  return toBeijing(epochMs).toFormat('yyyy-MM-dd');
}

/** Shift by whole days (negative goes back). Beijing has no DST, so a day is always 24 h. */
export function addDays(epochMs: number, days: number): number {
  return epochMs + days * DAY_MS;
}

function toBeijing(epochMs: number): DateTime {
  const local = DateTime.fromMillis(epochMs, { zone: BEIJING_ZONE });
  if (!local.isValid) {
    throw new RangeError(`无效的时间戳 ${epochMs} / invalid epoch milliseconds ${epochMs}`);
  }
  return local;
}
