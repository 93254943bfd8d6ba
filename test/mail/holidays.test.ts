import {
  addDays,
  hasHolidayData,
  holidayYears,
  isWorkingDay,
  nextWorkingDay,
  previousWorkingDay,
} from '../../domain/holidays';

function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

describe('isWorkingDay follows the State Council holiday notices', () => {
  it.each([
    ['2023-11-16', true, 'an ordinary Thursday'],
    ['2023-11-18', false, 'an ordinary Saturday'],
    ['2023-11-19', false, 'an ordinary Sunday'],
    ['2022-01-03', false, '2022 New Year (Monday off)'],
    ['2022-01-29', true, '2022 Spring Festival make-up Saturday'],
    ['2022-04-24', true, '2022 Labour Day make-up Sunday'],
    ['2022-10-07', false, '2022 National Day'],
    ['2022-10-09', true, '2022 National Day make-up Sunday'],
    ['2022-12-30', true, 'the Friday before the 2023 New Year holiday'],
    ['2023-01-02', false, '2023 New Year (Monday off)'],
    ['2023-04-05', false, '2023 Qingming (a Wednesday)'],
    ['2023-06-25', true, '2023 Dragon Boat make-up Sunday'],
    ['2023-09-29', false, '2023 Mid-Autumn and National Day, first day'],
    ['2023-10-06', false, '2023 Mid-Autumn and National Day, last day'],
    ['2023-10-07', true, '2023 National Day make-up Saturday'],
    ['2023-10-08', true, '2023 National Day make-up Sunday'],
    ['2024-01-01', false, '2024 New Year'],
    ['2024-02-04', true, '2024 Spring Festival make-up Sunday'],
    ['2024-02-16', false, '2024 Spring Festival (a Friday)'],
    ['2024-06-10', false, '2024 Dragon Boat (a Monday)'],
    ['2024-09-14', true, '2024 Mid-Autumn make-up Saturday'],
    ['2024-10-12', true, '2024 National Day make-up Saturday'],
    ['2025-01-01', false, '2025 New Year (a Wednesday, no make-up)'],
    ['2025-02-04', false, '2025 Spring Festival, last day'],
    ['2025-02-08', true, '2025 Spring Festival make-up Saturday'],
    ['2025-10-08', false, '2025 National Day and Mid-Autumn, eighth day'],
    ['2025-10-11', true, '2025 National Day make-up Saturday'],
    ['2026-01-02', false, '2026 New Year (a Friday)'],
    ['2026-01-04', true, '2026 New Year make-up Sunday'],
    ['2026-02-23', false, '2026 Spring Festival, ninth day (a Monday)'],
    ['2026-02-28', true, '2026 Spring Festival make-up Saturday'],
    ['2026-05-09', true, '2026 Labour Day make-up Saturday'],
    ['2026-09-25', false, '2026 Mid-Autumn (a Friday)'],
    ['2026-09-20', true, '2026 National Day make-up Sunday'],
  ])('%s is a working day: %s (%s)', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });

  it('knows only weekends for a year without a notice in the table', () => {
    expect(hasHolidayData('2027-10-01')).toBe(false);
    expect(hasHolidayData('2023-10-01')).toBe(true);
    expect(isWorkingDay('2027-10-01')).toBe(true);
  });

  it('rejects strings that are not real calendar dates', () => {
    expect(() => isWorkingDay('2023-02-30')).toThrow(RangeError);
    expect(() => isWorkingDay('2023/10/01')).toThrow(RangeError);
  });
});

describe('the holiday table is consistent with the notices', () => {
  const all = holidayYears.flatMap((y) => y.arrangements.map((a) => ({ year: y.year, ...a })));

  it('lists every make-up working day on a Saturday or Sunday', () => {
    for (const a of all) {
      for (const day of a.makeUpWorkdays) expect([0, 6]).toContain(weekday(day));
    }
  });

  it.each([
    [2023, '中秋节、国庆节', 8],
    [2024, '春节', 8],
    [2025, '中秋节、国庆节', 8],
    [2026, '春节', 9],
    [2022, '劳动节', 5],
  ])('%i %s lasts %i days', (year, name, days) => {
    const a = all.find((x) => x.year === year && x.name.zh === name);
    expect(a).toBeDefined();
    let count = 0;
    for (let d = a!.off.from; d <= a!.off.to; d = addDays(d, 1)) count++;
    expect(count).toBe(days);
  });
});

describe('moving to a working day', () => {
  it('previousWorkingDay keeps a working day and steps back over a holiday', () => {
    expect(previousWorkingDay('2023-11-16')).toBe('2023-11-16');
    expect(previousWorkingDay('2023-10-06')).toBe('2023-09-28');
    expect(previousWorkingDay('2023-11-19')).toBe('2023-11-17');
  });

  it('nextWorkingDay steps forward over a holiday onto a make-up Saturday', () => {
    expect(nextWorkingDay('2023-09-29')).toBe('2023-10-07');
    expect(nextWorkingDay('2023-12-03')).toBe('2023-12-04');
  });

  it('addDays crosses month and year ends', () => {
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });
});
