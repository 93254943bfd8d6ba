import fc from 'fast-check';
import { addDays, beijingDate, beijingToEpochMs, formatBeijing, formatDeadline } from '../../domain/calendar';
import { programmeDeadlines, reviewAssignments } from '../../domain/timeline';
import { loadProgramme } from '../../programmes/loader';

describe('beijingToEpochMs reads Beijing local time, "24:00" as the end of the day', () => {
  it.each([
    ['2023-11-30 24:00', '2023-11-30T16:00:00.000Z'],
    ['2023-12-01 00:00', '2023-11-30T16:00:00.000Z'],
    ['2023-11-30 23:59', '2023-11-30T15:59:00.000Z'],
    ['2023-10-07 00:00', '2023-10-06T16:00:00.000Z'],
    ['2022-10-31 24:00', '2022-10-31T16:00:00.000Z'],
    ['2023-12-31 24:00', '2023-12-31T16:00:00.000Z'],
    ['2024-02-29 10:00', '2024-02-29T02:00:00.000Z'],
  ])('%s → %s', (local, iso) => {
    expect(beijingToEpochMs(local)).toBe(Date.parse(iso));
  });

  it.each(['2023-02-30 10:00', '2023-11-30', '2023-11-30 24:01', '2023-11-30 25:00', '2023/11/30 10:00', ''])(
    'refuses %j with a bilingual RangeError',
    (bad) => {
      expect(() => beijingToEpochMs(bad)).toThrow(/北京时间格式无效.*invalid Beijing date-time/);
    },
  );
});

describe('formatting', () => {
  const endOfNov30 = Date.parse('2023-11-30T16:00:00Z');

  it('formatBeijing shows plain local time, midnight as 00:00 of the next day', () => {
    expect(formatBeijing(endOfNov30)).toBe('2023-12-01 00:00');
    expect(formatBeijing(Date.parse('2024-02-29T02:00:00Z'))).toBe('2024-02-29 10:00');
  });

  it('formatDeadline shows a midnight instant as 24:00 of the day that ends', () => {
    expect(formatDeadline(endOfNov30)).toBe('2023-11-30 24:00 (北京时间)');
    expect(formatDeadline(Date.parse('2024-02-29T02:00:00Z'))).toBe('2024-02-29 10:00 (北京时间)');
  });

  it.each([
    ['2023-11-30T15:59:59.999Z', '2023-11-30'],
    ['2023-11-30T16:00:00.000Z', '2023-12-01'],
    ['2023-12-31T16:00:00.000Z', '2024-01-01'],
  ])('beijingDate(%s) = %s', (iso, date) => {
    expect(beijingDate(Date.parse(iso))).toBe(date);
  });

  it('addDays moves by whole days either way', () => {
    expect(formatDeadline(addDays(endOfNov30, -7))).toBe('2023-11-23 24:00 (北京时间)');
    expect(beijingDate(addDays(endOfNov30, 31))).toBe('2024-01-01');
  });

  it('an end-of-day deadline round-trips through formatDeadline for any date', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-30'), noInvalidDate: true }),
        (d) => {
          const day = d.toISOString().slice(0, 10);
          expect(formatDeadline(beijingToEpochMs(`${day} 24:00`))).toBe(`${day} 24:00 (北京时间)`);
        },
      ),
    );
  });
});

describe('timeline: programmeDeadlines and reviewAssignments', () => {
  it('national-2023 collects from 2023-10-07 00:00 to 2023-11-30 24:00, preliminary review due 2023-12-30 24:00', () => {
    const d = programmeDeadlines(loadProgramme('national-2023'));
    expect(new Date(d.collectionOpensAt).toISOString()).toBe('2023-10-06T16:00:00.000Z');
    expect(new Date(d.collectionClosesAt).toISOString()).toBe('2023-11-30T16:00:00.000Z');
    expect(new Date(d.preliminaryReviewDueAt).toISOString()).toBe('2023-12-30T16:00:00.000Z');
  });

  it('national-2022 collection closes 2022-10-31 24:00 and preliminary review is due 2022-11-30 24:00', () => {
    const d = programmeDeadlines(loadProgramme('national-2022'));
    expect(new Date(d.collectionClosesAt).toISOString()).toBe('2022-10-31T16:00:00.000Z');
    expect(new Date(d.preliminaryReviewDueAt).toISOString()).toBe('2022-11-30T16:00:00.000Z');
  });

  it('national-2022: one assignment per body and field, two for 绿色低碳, none for separately organised lists', () => {
    const assignments = reviewAssignments(loadProgramme('national-2022'));
    expect(assignments.filter((a) => a.fieldId === 'green-low-carbon').map((a) => a.bodyId)).toEqual([
      'eco-environment-consortium',
      'clean-energy-consortium',
    ]);
    expect(assignments).toContainEqual({
      listId: 'pioneer-tech',
      fieldId: 'industrial-foundation',
      bodyId: 'intelligent-manufacturing-consortium',
    });
    expect(assignments).toContainEqual({ listId: 'emerging-enterprise', bodyId: 'kczg-secretariat' });
    expect(
      assignments.some((a) => a.listId === 'international-cooperation' || a.listId === 'open-source'),
    ).toBe(false);
    // 6 fields (绿色低碳 twice) + 新锐 + 融通 + 2 创业就业 fields + 技术经理人.
    expect(assignments).toHaveLength(7 + 1 + 1 + 2 + 1);
  });
});
