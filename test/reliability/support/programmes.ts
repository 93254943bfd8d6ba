/**
 * Programmes for the dev-server drills, where programme time runs at real speed: national-2023
 * with collection closing "2023-12-01 00:01" and one reminder a day before at 23:59, so a
 * reminder, the secretariat's digest and the close fall within two minutes.
 */
import type { Programme } from '../../../domain/programme';
import { loadProgramme, validateProgramme } from '../../../programmes/loader';

export function minuteApartProgramme(id: string): Programme {
  const base = loadProgramme('national-2023');
  return validateProgramme(
    {
      ...base,
      id,
      stages: { ...base.stages, collection: { ...base.stages.collection, closes: '2023-12-01 00:01' } },
      reminders: {
        daysBefore: [1],
        at: '23:59',
        workingDaysOnly: false,
        overdueEveryDays: 0,
        overdueMaxCount: 0,
      },
    },
    id,
  );
}
