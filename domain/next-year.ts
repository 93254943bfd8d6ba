/**
 * Next year's programme from this year's: the same lists, rules, roster and calendar, one year
 * later. Pure (used by the client that creates the Schedule, and safe in workflows).
 *
 * - Ids and names: "service-teams-2023" → "service-teams-2024"; the year in the names moves too.
 * - Every Beijing date-time moves to the same day and time a year on (29 February → 28 February).
 * - Deadlines (the collection's close, both reviews' dues, fixed report dues) follow the notices'
 *   style: a deadline the notice set on a working day stays on one; when the same date next
 *   year is a weekend or statutory holiday (domain/holidays.ts) it moves to the next working
 *   day, keeping its time — the rule for a period ending on a day off (《民法典》第二百零三条：
 *   期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日). A deadline the notice set on
 *   a day off keeps its date. Openings, publication and promotion move by the year alone.
 * - Rule dates move with the year (bornAfter, foundedBefore: "under 35" stays under 35);
 *   notPriorWinner's years move by one, so "not a winner of the last two years" keeps its sense.
 *   The winners themselves are not copied: later cycles read every earlier winner from the
 *   registry in storage (activities/registry.ts), this year's included once it is published.
 */
import { hasHolidayData, isWorkingDay, nextWorkingDay } from './holidays';
import type { Bilingual, Programme } from './programme';

export interface NextYear {
  programme: Programme;
  /** Deadlines moved off a day off, and what the calendar did not know. */
  notes: string[];
}

/** "service-teams-2023" → "service-teams-2024"; an id without its year gets the new one appended. */
export function nextProgrammeId(id: string, year: number): string {
  const suffix = `-${year}`;
  return id.endsWith(suffix) ? `${id.slice(0, -suffix.length)}-${year + 1}` : `${id}-${year + 1}`;
}

/** "YYYY-MM-DD" a year on; 29 February becomes 28 February. */
export function dateYearOn(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const next = month === 2 && day === 29 && !leap(year + 1) ? 28 : day;
  return `${year + 1}-${String(month).padStart(2, '0')}-${String(next).padStart(2, '0')}`;
}

/** "YYYY-MM-DD HH:mm" a year on. */
export function dateTimeYearOn(value: string): string {
  const [date, time] = value.split(' ');
  return `${dateYearOn(date)} ${time}`;
}

/** A deadline a year on, moved to the next working day when the notice's was on one and the new date is not. */
export function deadlineYearOn(value: string): { value: string; moved: boolean } {
  const [date, time] = value.split(' ');
  const shifted = dateYearOn(date);
  if (!isWorkingDay(date) || isWorkingDay(shifted)) return { value: `${shifted} ${time}`, moved: false };
  return { value: `${nextWorkingDay(shifted)} ${time}`, moved: true };
}

const RULE_DATES = new Set(['bornAfter', 'foundedBefore']);

/** Rule dates, notPriorWinner years and fixed report dues, wherever lists and fields carry them. */
function shiftNested(value: unknown, notes: string[], path: string): unknown {
  if (Array.isArray(value)) return value.map((item, i) => shiftNested(item, notes, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const shifted = Object.fromEntries(
    Object.entries(record).map(([key, v]) => [key, shiftNested(v, notes, `${path}.${key}`)]),
  );
  if (RULE_DATES.has(record.rule as string) && typeof record.date === 'string')
    shifted.date = dateYearOn(record.date);
  if (record.rule === 'notPriorWinner' && Array.isArray(record.years))
    shifted.years = (record.years as number[]).map((y) => y + 1);
  if (record.at === 'fixed' && typeof record.on === 'string') {
    const due = deadlineYearOn(record.on);
    if (due.moved)
      notes.push(`${path}.on: ${record.on} → ${due.value}（顺延至工作日 / moved to a working day）`);
    shifted.on = due.value;
  }
  return shifted;
}

export function nextYearProgramme(programme: Programme): NextYear {
  const notes: string[] = [];
  const year = programme.year + 1;
  const renamed = (text: Bilingual): Bilingual => ({
    zh: text.zh.replaceAll(String(programme.year), String(year)),
    ...(text.en ? { en: text.en.replaceAll(String(programme.year), String(year)) } : {}),
  });
  const deadline = (path: string, value: string) => {
    const due = deadlineYearOn(value);
    if (due.moved) notes.push(`${path}: ${value} → ${due.value}（顺延至工作日 / moved to a working day）`);
    return due.value;
  };
  const { stages } = programme;
  const next: Programme = {
    ...programme,
    id: nextProgrammeId(programme.id, programme.year),
    year,
    name: renamed(programme.name),
    assumptions: [
      ...programme.assumptions,
      {
        path: 'stages',
        note: `由 ${programme.id} 顺延一年生成（kczg schedule open-next）/ ${programme.id} a year on`,
      },
    ],
    lists: shiftNested(programme.lists, notes, 'lists') as Programme['lists'],
    stages: {
      collection: {
        opens: dateTimeYearOn(stages.collection.opens),
        closes: deadline('stages.collection.closes', stages.collection.closes),
      },
      preliminaryReview: { due: deadline('stages.preliminaryReview.due', stages.preliminaryReview.due) },
      finalReview: { due: deadline('stages.finalReview.due', stages.finalReview.due) },
      publication: { on: dateTimeYearOn(stages.publication.on) },
      promotion: {
        from: dateTimeYearOn(stages.promotion.from),
        until: dateTimeYearOn(stages.promotion.until),
      },
    },
    publication: {
      ...programme.publication,
      ...(programme.publication.title ? { title: renamed(programme.publication.title) } : {}),
    },
  };
  if (!hasHolidayData(`${year}-01-01`)) {
    notes.push(
      `节假日安排未收录 ${year} 年，仅按周末判断 / no holiday arrangements for ${year}: weekends only`,
    );
  }
  return { programme: next, notes };
}
