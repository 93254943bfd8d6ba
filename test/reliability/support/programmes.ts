/**
 * Programmes for the real-time drills (dev server or Temporal on PostgreSQL), where programme time
 * runs at real speed: national-2023 with collection closing "2023-12-01 00:01" and one reminder a
 * day before at 23:59, so a reminder, the secretariat's digest and the close fall within two
 * minutes; a roster of 100 units for bulk intakes; a whole year squeezed into minutes.
 */
import type { Programme, ReminderPolicy, Unit } from '../../../domain/programme';
import { loadProgramme, validateProgramme } from '../../../programmes/loader';

/** One reminder (and the secretariat's digest) at 23:59 the day before each deadline. */
const MINUTE_REMINDERS: ReminderPolicy = {
  daysBefore: [1],
  at: '23:59',
  workingDaysOnly: false,
  overdueEveryDays: 0,
  overdueMaxCount: 0,
};

export function minuteApartProgramme(id: string): Programme {
  const base = loadProgramme('national-2023');
  return validateProgramme(
    {
      ...base,
      id,
      stages: { ...base.stages, collection: { ...base.stages.collection, closes: '2023-12-01 00:01' } },
      reminders: MINUTE_REMINDERS,
    },
    id,
  );
}

/** national-2023 under `id`, with `units` units on the roster and room for 5 per field of pioneer-tech. */
export function bulkIntakeProgramme(id: string, units = 100): Programme {
  const base = loadProgramme('national-2023');
  const roster: Unit[] = Array.from({ length: units }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return {
      id: `unit-${n}`,
      name: `可靠性测试单位${n}`,
      channels: ['national-society'],
      email: `unit-${n}@units.example.org`,
      contact: `联系人${n}`,
    };
  });
  return validateProgramme(
    {
      ...base,
      id,
      lists: base.lists.map((list) =>
        list.id === 'pioneer-tech' && list.quota ? { ...list, quota: { ...list.quota, default: 5 } } : list,
      ),
      roster: { sample: true, units: roster },
    },
    id,
  );
}

/** The collection close of a year squeezed by minutesYear(), Beijing time. */
export const minutesYearCloses = (year: number) => `${year}-12-01 00:01`;

/**
 * `programme` as the year `year` squeezed into minutes: collection closes "<year>-12-01 00:01"
 * with one reminder (and digest) at 23:59 the day before; the preliminary review, the final review
 * and the publication are all due `reviewMinutes` after the close (review ends as soon as every
 * body has reported, the final review when its results are in, and the lists are published at
 * that instant or at once if it has passed); promotion lasts an hour.
 */
export function minutesYear(programme: Programme, year: number, reviewMinutes: number): Programme {
  const due = `${year}-12-01 00:${String(1 + reviewMinutes).padStart(2, '0')}`;
  return validateProgramme(
    {
      ...programme,
      year,
      stages: {
        collection: { opens: `${year}-10-07 00:00`, closes: minutesYearCloses(year) },
        preliminaryReview: { due },
        finalReview: { due },
        publication: { on: due },
        promotion: { from: `${year}-10-01 00:00`, until: `${year}-12-01 01:00` },
      },
      reminders: MINUTE_REMINDERS,
    },
    programme.id,
  );
}
