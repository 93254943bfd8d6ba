/**
 * Mainland China's working-day calendar: statutory holidays and the make-up working days
 * (调休上班) the State Council announces each year in its notice "关于XXXX年部分节假日安排的通知".
 * Dates are Beijing calendar days, "YYYY-MM-DD". Pure data and arithmetic, safe in workflows.
 */

export interface HolidayArrangement {
  /** Chinese first, English after. */
  name: { zh: string; en: string };
  /** Days off, inclusive, as the notice states them (weekend days inside the range included). */
  off: { from: string; to: string };
  /** Weekend days that become working days (调休上班). */
  makeUpWorkdays: string[];
}

export interface HolidayYear {
  year: number;
  /** The State Council notice the arrangements come from. */
  notice: string;
  arrangements: HolidayArrangement[];
}

const NEW_YEAR = { zh: '元旦', en: "New Year's Day" };
const SPRING_FESTIVAL = { zh: '春节', en: 'Spring Festival' };
const QINGMING = { zh: '清明节', en: 'Qingming Festival' };
const LABOUR_DAY = { zh: '劳动节', en: 'Labour Day' };
const DRAGON_BOAT = { zh: '端午节', en: 'Dragon Boat Festival' };
const MID_AUTUMN = { zh: '中秋节', en: 'Mid-Autumn Festival' };
const NATIONAL_DAY = { zh: '国庆节', en: 'National Day' };
const MID_AUTUMN_AND_NATIONAL_DAY = { zh: '中秋节、国庆节', en: 'Mid-Autumn Festival and National Day' };

function arrangement(
  name: HolidayArrangement['name'],
  from: string,
  to: string,
  makeUpWorkdays: string[] = [],
): HolidayArrangement {
  return { name, off: { from, to }, makeUpWorkdays };
}

export const holidayYears: readonly HolidayYear[] = [
  {
    year: 2022,
    notice: '国办发明电〔2021〕11号',
    arrangements: [
      arrangement(NEW_YEAR, '2022-01-01', '2022-01-03'),
      arrangement(SPRING_FESTIVAL, '2022-01-31', '2022-02-06', ['2022-01-29', '2022-01-30']),
      arrangement(QINGMING, '2022-04-03', '2022-04-05', ['2022-04-02']),
      arrangement(LABOUR_DAY, '2022-04-30', '2022-05-04', ['2022-04-24', '2022-05-07']),
      arrangement(DRAGON_BOAT, '2022-06-03', '2022-06-05'),
      arrangement(MID_AUTUMN, '2022-09-10', '2022-09-12'),
      arrangement(NATIONAL_DAY, '2022-10-01', '2022-10-07', ['2022-10-08', '2022-10-09']),
    ],
  },
  {
    year: 2023,
    notice: '国办发明电〔2022〕16号',
    arrangements: [
      arrangement(NEW_YEAR, '2022-12-31', '2023-01-02'),
      arrangement(SPRING_FESTIVAL, '2023-01-21', '2023-01-27', ['2023-01-28', '2023-01-29']),
      arrangement(QINGMING, '2023-04-05', '2023-04-05'),
      arrangement(LABOUR_DAY, '2023-04-29', '2023-05-03', ['2023-04-23', '2023-05-06']),
      arrangement(DRAGON_BOAT, '2023-06-22', '2023-06-24', ['2023-06-25']),
      arrangement(MID_AUTUMN_AND_NATIONAL_DAY, '2023-09-29', '2023-10-06', ['2023-10-07', '2023-10-08']),
    ],
  },
  {
    year: 2024,
    notice: '国办发明电〔2023〕7号',
    arrangements: [
      arrangement(NEW_YEAR, '2023-12-30', '2024-01-01'),
      arrangement(SPRING_FESTIVAL, '2024-02-10', '2024-02-17', ['2024-02-04', '2024-02-18']),
      arrangement(QINGMING, '2024-04-04', '2024-04-06', ['2024-04-07']),
      arrangement(LABOUR_DAY, '2024-05-01', '2024-05-05', ['2024-04-28', '2024-05-11']),
      arrangement(DRAGON_BOAT, '2024-06-08', '2024-06-10'),
      arrangement(MID_AUTUMN, '2024-09-15', '2024-09-17', ['2024-09-14']),
      arrangement(NATIONAL_DAY, '2024-10-01', '2024-10-07', ['2024-09-29', '2024-10-12']),
    ],
  },
  {
    year: 2025,
    notice: '国办发明电〔2024〕12号',
    arrangements: [
      arrangement(NEW_YEAR, '2025-01-01', '2025-01-01'),
      arrangement(SPRING_FESTIVAL, '2025-01-28', '2025-02-04', ['2025-01-26', '2025-02-08']),
      arrangement(QINGMING, '2025-04-04', '2025-04-06'),
      arrangement(LABOUR_DAY, '2025-05-01', '2025-05-05', ['2025-04-27']),
      arrangement(DRAGON_BOAT, '2025-05-31', '2025-06-02'),
      arrangement(MID_AUTUMN_AND_NATIONAL_DAY, '2025-10-01', '2025-10-08', ['2025-09-28', '2025-10-11']),
    ],
  },
  {
    year: 2026,
    notice: '国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）',
    arrangements: [
      arrangement(NEW_YEAR, '2026-01-01', '2026-01-03', ['2026-01-04']),
      arrangement(SPRING_FESTIVAL, '2026-02-15', '2026-02-23', ['2026-02-14', '2026-02-28']),
      arrangement(QINGMING, '2026-04-04', '2026-04-06'),
      arrangement(LABOUR_DAY, '2026-05-01', '2026-05-05', ['2026-05-09']),
      arrangement(DRAGON_BOAT, '2026-06-19', '2026-06-21'),
      arrangement(MID_AUTUMN, '2026-09-25', '2026-09-27'),
      arrangement(NATIONAL_DAY, '2026-10-01', '2026-10-07', ['2026-09-20', '2026-10-10']),
    ],
  },
];

const MS_PER_DAY = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a calendar date; throws on anything but a real YYYY-MM-DD date. */
function dayNumber(date: string): number {
  const match = DATE_PATTERN.exec(date);
  if (!match) throw new RangeError(`Expected a date as YYYY-MM-DD, got "${date}"`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`Not a real calendar date: "${date}"`);
  }
  return ms / MS_PER_DAY;
}

function dateOf(dayNum: number): string {
  return new Date(dayNum * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The calendar date `days` days after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  return dateOf(dayNumber(date) + days);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

function expand(from: string, to: string): string[] {
  const days: string[] = [];
  for (let n = dayNumber(from); n <= dayNumber(to); n++) days.push(dateOf(n));
  return days;
}

const daysOff = new Set(
  holidayYears.flatMap((y) => y.arrangements.flatMap((a) => expand(a.off.from, a.off.to))),
);
const makeUpWorkdays = new Set(holidayYears.flatMap((y) => y.arrangements.flatMap((a) => a.makeUpWorkdays)));
const coveredYears = new Set(holidayYears.map((y) => y.year));

/**
 * Whether the State Council's arrangements for the date's year are in the table. Outside it,
 * `isWorkingDay` knows only weekends; callers that care (a preset for a later year) can warn.
 */
export function hasHolidayData(date: string): boolean {
  dayNumber(date);
  return coveredYears.has(Number(date.slice(0, 4)));
}

/**
 * A working day is a Monday to Friday that is not a statutory day off, or a make-up working
 * day (a Saturday or Sunday the notice turns into a working day).
 */
export function isWorkingDay(date: string): boolean {
  const n = dayNumber(date);
  if (makeUpWorkdays.has(date)) return true;
  if (daysOff.has(date)) return false;
  // 1970-01-01 was a Thursday: day 0 → 4 (Sunday = 0).
  const weekday = (((n + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6;
}

/** The date itself when it is a working day, else the closest working day before it. */
export function previousWorkingDay(date: string): string {
  let day = date;
  while (!isWorkingDay(day)) day = addDays(day, -1);
  return day;
}

/** The date itself when it is a working day, else the closest working day after it. */
export function nextWorkingDay(date: string): string {
  let day = date;
  while (!isWorkingDay(day)) day = addDays(day, 1);
  return day;
}
