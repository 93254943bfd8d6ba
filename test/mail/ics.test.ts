import { escapeText, foldLine, icsCalendar, icsEvent, type IcsEventInput } from '../../domain/ics';

const event: IcsEventInput = {
  uid: 'collection.unit-a@kczg.example.org',
  title: 'Nomination deadline',
  description: 'Submit before the deadline',
  at: Date.parse('2023-12-01T00:00:00+08:00'),
  stamp: Date.parse('2023-11-23T01:00:00.123Z'),
};

function unfold(text: string): string {
  return text.replace(/\r\n /g, '');
}

describe('icsCalendar', () => {
  it('writes a VCALENDAR with CRLF line ends, DTSTART in UTC and DTSTAMP from the passed stamp', () => {
    expect(icsCalendar([event])).toBe(
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//kczg//Ranking cycle deadlines//ZH',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        'BEGIN:VEVENT',
        'UID:collection.unit-a@kczg.example.org',
        'DTSTAMP:20231123T010000Z',
        'DTSTART:20231130T160000Z',
        'SUMMARY:Nomination deadline',
        'DESCRIPTION:Submit before the deadline',
        'TRANSP:TRANSPARENT',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
  });

  it('is deterministic: the same input gives the same text', () => {
    expect(icsCalendar([event, { ...event, uid: 'b' }])).toBe(icsCalendar([event, { ...event, uid: 'b' }]));
  });

  it('adds DTEND for a duration and a URL without line breaks', () => {
    const text = icsEvent({ ...event, durationMinutes: 30, url: 'https://kczg.example.org/\r\nX-EVIL:1' });
    expect(text).toContain('DTSTART:20231130T160000Z\r\nDTEND:20231130T163000Z\r\n');
    expect(text).toContain('URL:https://kczg.example.org/X-EVIL:1\r\n');
    expect(text).not.toMatch(/\r\nX-EVIL/);
    expect(text.startsWith('BEGIN:VEVENT\r\n')).toBe(true);
    expect(text.endsWith('END:VEVENT\r\n')).toBe(true);
  });

  it('has no bare LF or CR', () => {
    const text = icsCalendar([{ ...event, description: 'one\ntwo\r\nthree\rfour' }]);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text).toContain('DESCRIPTION:one\\ntwo\\nthree\\nfour\r\n');
  });
});

describe('escapeText', () => {
  it('escapes backslash, semicolon, comma and newlines, and drops other control characters', () => {
    expect(escapeText('a,b;c\\d\ne\u0007f\tg')).toBe('a\\,b\\;c\\\\d\\nef\tg');
  });
});

describe('foldLine', () => {
  it('leaves a line of 75 octets alone and folds one of 76', () => {
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldLine('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
  });

  it('folds multi-byte text at 75 octets per physical line without splitting a character', () => {
    const line = `DESCRIPTION:${escapeText('2023年度“科创中国”系列榜单推荐材料提交截止，请各推荐单位按时提交。'.repeat(4))}`;
    const folded = foldLine(line);
    const physical = folded.split('\r\n');
    expect(physical.length).toBeGreaterThan(1);
    for (const part of physical) {
      expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
      expect(Buffer.from(part, 'utf8').toString('utf8')).toBe(part);
    }
    expect(physical.slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(unfold(folded)).toBe(line);
  });

  it('keeps surrogate pairs (4-octet characters) whole', () => {
    const line = `SUMMARY:${'😀'.repeat(30)}`;
    const physical = foldLine(line).split('\r\n');
    for (const part of physical) expect(part).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(unfold(foldLine(line))).toBe(line);
  });
});
