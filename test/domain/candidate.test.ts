import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  CANDIDATE_FIELDS,
  checkCandidate,
  isCalendarDate,
  isEmailAddress,
  storedCandidate,
} from '../../domain/candidate';
import { candidateJsonSchema } from '../../programmes/candidate-schema';

describe('checkCandidate', () => {
  it('keeps the known fields and trims name and identity', () => {
    expect(
      checkCandidate({
        name: '  量子计算平台 ',
        identity: ' 91110000X ',
        region: 'hong-kong',
        foundedOn: '2013-01-01',
        focusFields: ['量子', '芯片'],
        classified: false,
        contactEmail: 'a@b.cn',
      }),
    ).toEqual({
      ok: true,
      candidate: {
        name: '量子计算平台',
        identity: '91110000X',
        region: 'hong-kong',
        foundedOn: '2013-01-01',
        focusFields: ['量子', '芯片'],
        classified: false,
        contactEmail: 'a@b.cn',
      },
    });
  });

  it('a name alone is a candidate', () => {
    expect(checkCandidate({ name: 'X' })).toEqual({ ok: true, candidate: { name: 'X' } });
  });

  it.each<[string, unknown, Array<string | number>]>([
    ['not an object', 'name', []],
    ['null', null, []],
    ['an array', [{ name: 'x' }], []],
    ['no name', {}, ['name']],
    ['a blank name', { name: '   ' }, ['name']],
    ['a name of 201 characters', { name: 'x'.repeat(201) }, ['name']],
    ['a numeric name', { name: 42 }, ['name']],
    ['a blank identity', { name: 'x', identity: ' ' }, ['identity']],
    ['an unknown region', { name: 'x', region: 'mars' }, ['region']],
    ['an impossible date', { name: 'x', foundedOn: '2023-02-30' }, ['foundedOn']],
    ['a date in another format', { name: 'x', birthDate: '1987/10/31' }, ['birthDate']],
    ['a numeric date', { name: 'x', enterpriseFoundedOn: 20130101 }, ['enterpriseFoundedOn']],
    ['a string flag', { name: 'x', classified: 'no' }, ['classified']],
    ['an unknown standing', { name: 'x', standing: 'excellent' }, ['standing']],
    ['focus fields not a list', { name: 'x', focusFields: 'AI' }, ['focusFields']],
    ['21 focus fields', { name: 'x', focusFields: Array(21).fill('a') }, ['focusFields']],
    ['a non-text focus field', { name: 'x', focusFields: ['a', 3] }, ['focusFields', 1]],
    ['a summary of 2001 characters', { name: 'x', summary: 's'.repeat(2001) }, ['summary']],
    ['a malformed e-mail', { name: 'x', contactEmail: 'a@b' }, ['contactEmail']],
    ['an e-mail with a header break', { name: 'x', contactEmail: 'a@b.cn\r\nBcc: c@d.cn' }, ['contactEmail']],
    ['an e-mail with a NUL', { name: 'x', contactEmail: 'a\u0000@b.cn' }, ['contactEmail']],
    ['an unknown key', { name: 'x', injected: '<script>' }, ['injected']],
    ['a "constructor" key', { name: 'x', constructor: { prototype: {} } }, ['constructor']],
    [
      'a "__proto__" key (as JSON.parse makes it)',
      JSON.parse('{"name":"x","__proto__":{"a":1}}'),
      ['__proto__'],
    ],
    ['a name of zero-width spaces', { name: '\u200b\u200b\u200b' }, ['name']],
    ['a name of Hangul fillers', { name: '\u3164\u3164' }, ['name']],
    ['a name with a NUL', { name: '量子\u0000平台' }, ['name']],
    ['a name with ANSI escapes', { name: '\u001b[31m量子\u001b[0m' }, ['name']],
    ['a name with CR/LF and Bcc:', { name: '量子\r\nBcc: x@y.z' }, ['name']],
    ['a name with a right-to-left override', { name: '\u202e台平子量' }, ['name']],
    ['a name with a C1 control', { name: '量子\u0085平台' }, ['name']],
    ['a name not in NFC', { name: 'Cafe\u0301' }, ['name']],
    ['a city with a line separator', { name: 'x', city: '保定\u2028' }, ['city']],
    ['a focus field with a bidi isolate', { name: 'x', focusFields: ['a', '\u2067b'] }, ['focusFields', 1]],
    ['a summary with an escape sequence', { name: 'x', summary: '好\u001b[2J' }, ['summary']],
    ['a summary with an override', { name: 'x', summary: '简介\u202d' }, ['summary']],
  ])('refuses %s, naming the field', (_case, raw, path) => {
    const checked = checkCandidate(raw);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.issue.path).toEqual(path);
      expect(checked.issue.message).toMatch(/ \/ /); // Chinese / English
    }
  });

  it('refuses an unknown key rather than dropping it, and lists the keys it takes', () => {
    const checked = checkCandidate({ name: 'x', employees: 12 });
    expect(checked).toEqual({
      ok: false,
      issue: expect.objectContaining({ path: ['employees'], rule: 'unknown-key' }),
    });
    if (!checked.ok) expect(checked.issue.fix).toContain('contactEmail');
  });

  it('names the rule and the limit of a too-long name without echoing it', () => {
    const checked = checkCandidate({ name: '长'.repeat(3_000_000) });
    expect(checked).toEqual({
      ok: false,
      issue: expect.objectContaining({ path: ['name'], rule: 'max-length', limit: 200 }),
    });
    if (!checked.ok) expect(checked.issue.message.length).toBeLessThan(100);
  });

  it.each([
    ['an emoji family (zero-width joiners)', { name: '团队👨‍👩‍👧‍👦' }],
    ['a name in NFC with accents', { name: 'Café Zürich' }],
    ['a summary with line breaks and tabs', { name: 'x', summary: '第一段\r\n\t第二段\n' }],
    ['a summary with a right-to-left mark', { name: 'x', summary: 'عربي\u200f text' }],
    ['an empty city (left blank)', { name: 'x', city: '' }],
  ])('accepts %s unchanged', (_case, raw) => {
    expect(checkCandidate(raw)).toEqual({ ok: true, candidate: raw });
  });

  it.each([
    ['2023-11-30', true],
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2023-13-01', false],
    ['2023-1-1', false],
    ['', false],
  ])('isCalendarDate(%j) is %s', (text, expected) => {
    expect(isCalendarDate(text)).toBe(expected);
  });

  it.each([
    ['office@cast.org.cn', true],
    ['名@例子.中国', true],
    ['no-at.cn', false],
    ['a@b', false],
    ['a b@c.cn', false],
    ['"x"@c.cn', false],
  ])('isEmailAddress(%j) is %s', (text, expected) => {
    expect(isEmailAddress(text)).toBe(expected);
  });
});

describe('candidate file JSON Schema (programmes/candidate.schema.json)', () => {
  const schema = JSON.parse(candidateJsonSchema());

  it('is committed and matches the rules checkCandidate applies (npm run build && npm run schema refreshes it)', () => {
    const committed = path.resolve(__dirname, '..', '..', 'programmes', 'candidate.schema.json');
    expect(JSON.parse(fs.readFileSync(committed, 'utf8'))).toEqual(JSON.parse(candidateJsonSchema()));
  });

  it('documents every field in Chinese and English, refuses unknown ones, and requires the name', () => {
    expect(Object.keys(schema.properties)).toEqual(['$schema', ...Object.keys(CANDIDATE_FIELDS)]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['name']);
    for (const key of Object.keys(CANDIDATE_FIELDS)) {
      expect(schema.properties[key].description).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/);
    }
  });

  it('lists the allowed values with their meaning', () => {
    expect(schema.properties.region.enum).toEqual(['mainland', 'hong-kong', 'macao', 'taiwan', 'abroad']);
    expect(schema.properties.region.oneOf).toContainEqual({
      const: 'hong-kong',
      description: '香港 / Hong Kong',
    });
    expect(schema.properties.standing.enum).toEqual(['good', 'abnormal-operation', 'serious-dishonesty']);
    expect(schema.properties.name.maxLength).toBe(200);
    expect(schema.properties.focusFields.maxItems).toBe(20);
  });

  it('its name pattern refuses the hostile names checkCandidate refuses, and accepts real ones', () => {
    const pattern = new RegExp(schema.properties.name.pattern, 'u');
    for (const hostile of ['\u200b\u200b', 'a\u0000', '\u001b[31mx', 'x\r\nBcc: y@z.cn', '\u202ex', '   ']) {
      expect(pattern.test(hostile)).toBe(false);
      expect(checkCandidate({ name: hostile }).ok).toBe(false);
    }
    for (const name of ['量子计算云平台', 'Café Zürich', '团队👨‍👩‍👧‍👦']) {
      expect(pattern.test(name)).toBe(true);
      expect(checkCandidate({ name }).ok).toBe(true);
    }
    const summary = new RegExp(schema.properties.summary.pattern, 'u');
    expect(summary.test('第一段\r\n\t第二段')).toBe(true);
    expect(summary.test('x\u202e')).toBe(false);
  });
});

describe('storedCandidate (what an update handler stores, on replay too)', () => {
  it('stores what checkCandidate accepts exactly as checkCandidate returns it', () => {
    const candidate = fc.record(
      {
        name: fc
          .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
          .map((s) => ` ${s.normalize('NFC')} `),
        identity: fc.string({ minLength: 1, maxLength: 20 }),
        region: fc.constantFrom('mainland', 'hong-kong'),
        summary: fc.string({ maxLength: 50 }),
        focusFields: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
        classified: fc.boolean(),
      },
      { requiredKeys: ['name'] },
    );
    fc.assert(
      fc.property(candidate, (raw) => {
        const checked = checkCandidate(raw);
        if (checked.ok) expect(storedCandidate(raw)).toEqual(checked.candidate);
      }),
    );
  });

  it('replays a nomination accepted before the text policy as it was stored then (unknown keys dropped)', () => {
    expect(storedCandidate({ name: ' 旧\u200b名 ', injected: '<script>', city: undefined })).toEqual({
      name: '旧\u200b名',
    });
  });
});
