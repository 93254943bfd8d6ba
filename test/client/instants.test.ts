/** `--json` instants: RFC 3339 in Beijing time, found by the naming rule, durations left alone. */
import { rfc3339Beijing, withRfc3339Instants } from '../../client/instants';

describe('rfc3339Beijing', () => {
  it.each([
    ['2023-11-30 24:00 Beijing', Date.parse('2023-11-30T16:00:00Z'), '2023-12-01T00:00:00+08:00'],
    ['with milliseconds', Date.parse('2023-10-07T01:02:03.456Z'), '2023-10-07T09:02:03.456+08:00'],
    ['the epoch', 0, '1970-01-01T08:00:00+08:00'],
  ])('%s', (_what, epochMs, expected) => {
    expect(rfc3339Beijing(epochMs)).toBe(expected);
    expect(Date.parse(expected)).toBe(epochMs);
  });
});

describe('withRfc3339Instants', () => {
  const at = Date.parse('2023-11-30T16:00:00Z');
  const text = '2023-12-01T00:00:00+08:00';

  it('converts keys ending in At or Until, and at, now, until, at any depth and in arrays', () => {
    expect(
      withRfc3339Instants({
        now: at,
        deadlines: { collectionClosesAt: at, promotionUntil: at },
        timeline: [{ at, actor: 'secretariat' }],
        published: { at, winners: 3 },
        until: at,
      }),
    ).toEqual({
      now: text,
      deadlines: { collectionClosesAt: text, promotionUntil: text },
      timeline: [{ at: text, actor: 'secretariat' }],
      published: { at: text, winners: 3 },
      until: text,
    });
  });

  it('converts the values of unitExtensions (unit id → deadline)', () => {
    expect(withRfc3339Instants({ unitExtensions: { cie: at } })).toEqual({ unitExtensions: { cie: text } });
  });

  it('leaves durations, counts, display strings and other values as they are', () => {
    const value = {
      clockOffsetMs: 60_000,
      wallSeconds: 9.8,
      year: 2023,
      offsetDays: -3,
      deadline: '2023-11-30 24:00',
      reportedAt: undefined,
      startsAt: null,
      flags: [true, 'x'],
    };
    expect(withRfc3339Instants(value)).toEqual(value);
  });
});
