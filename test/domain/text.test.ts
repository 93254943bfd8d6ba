import fc from 'fast-check';
import { excerpt, normaliseTexts, textIssue, type TextKind } from '../../domain/text';

/** The strings issue 20 found accepted as names. */
const HOSTILE = {
  'only zero-width spaces': '\u200b\u200b\u200b',
  'a NUL': '量子\u0000平台',
  'ANSI escape sequences': '\u001b[31m量子平台\u001b[0m',
  'CR/LF followed by Bcc:': '量子平台\r\nBcc: x@example.com',
  'a right-to-left override': '\u202e台平子量',
};

describe('text policy', () => {
  it.each<[string, string, TextKind, string | undefined]>([
    ['a Chinese name', '量子计算云平台', 'name', undefined],
    ['a name with an emoji family (joiners)', '团队👨‍👩‍👧‍👦', 'name', undefined],
    ['a name with a subdivision flag (tags)', '🏴󠁧󠁢󠁳󠁣󠁴󠁿 team', 'name', undefined],
    ['a name in NFC with accents', 'Zürich', 'name', undefined],
    ['a decomposed accent', 'Zu\u0308rich', 'name', 'nfc'],
    ['zero-width spaces only', '\u200b\u200b', 'name', 'invisible'],
    ['joiners only', '\u200d\u200c', 'name', 'no-visible'],
    ['spaces only', ' \u3000 ', 'name', 'no-visible'],
    ['Hangul fillers only', '\u3164', 'name', 'no-visible'],
    ['braille blanks only', '\u2800\u2800', 'name', 'no-visible'],
    ['a NUL', 'a\u0000b', 'name', 'control'],
    ['DEL', 'a\u007f', 'name', 'control'],
    ['a C1 control (NEL)', 'a\u0085', 'name', 'control'],
    ['an ANSI escape', '\u001b[2J', 'name', 'control'],
    ['a line feed', 'a\nb', 'name', 'control'],
    ['a paragraph separator', 'a\u2029b', 'name', 'control'],
    ['a right-to-left override', '\u202eabc', 'name', 'bidi'],
    ['a left-to-right embedding', '\u202aabc', 'free', 'bidi'],
    ['a first-strong isolate', 'a\u2068b\u2069', 'free', 'bidi'],
    ['a right-to-left mark in a name', 'abc\u200f', 'name', 'bidi'],
    ['a right-to-left mark in prose', 'عربي\u200f text', 'free', undefined],
    ['a byte-order mark in a name', '\ufeffabc', 'name', 'invisible'],
    ['a soft hyphen in an id', 'pioneer\u00adtech', 'identifier', 'invisible'],
    ['a joiner in an id', 'a\u200db', 'identifier', 'invisible'],
    ['a lone surrogate', 'a\ud800b', 'free', 'lone-surrogate'],
    ['prose with CR/LF and tabs', '第一段\r\n\t第二段', 'free', undefined],
    ['prose with an escape', '第一段\u001b[0m', 'free', 'control'],
    ['prose with a vertical tab', 'a\u000bb', 'free', 'control'],
    ['an empty prose', '', 'free', undefined],
  ])('%s (%j) as %s: %s', (_case, value, kind, rule) => {
    expect(textIssue(value, kind)?.rule).toBe(rule);
  });

  it('names the character by position and code point, never the text', () => {
    const issue = textIssue('秘密名称\u202e', 'name');
    expect(issue?.message).toContain('U+202E');
    expect(issue?.message).toContain('5');
    expect(issue?.message).not.toContain('秘密');
  });

  const visibleName = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
    .map((s) => `名${s.normalize('NFC')}`)
    .filter((s) => textIssue(s, 'name') === undefined);

  it('refuses each hostile string wherever it sits in an otherwise good name or id', () => {
    fc.assert(
      fc.property(
        visibleName,
        fc.constantFrom(...Object.values(HOSTILE)),
        fc.nat(),
        fc.constantFrom<TextKind>('name', 'identifier'),
        (name, hostile, at, kind) => {
          const chars = [...name];
          const i = at % (chars.length + 1);
          const value = [...chars.slice(0, i), hostile, ...chars.slice(i)].join('');
          const issue = textIssue(value, kind);
          expect(issue).toBeDefined();
          expect(issue?.message).not.toContain(hostile);
        },
      ),
    );
  });

  it('refuses names made only of invisible characters and spaces', () => {
    const invisible = fc.constantFrom(
      '\u200b',
      '\u200c',
      '\u200d',
      '\u2060',
      '\ufeff',
      ' ',
      '\u3000',
      '\u3164',
      '\u2800',
    );
    fc.assert(
      fc.property(fc.array(invisible, { minLength: 1, maxLength: 20 }), (chars) => {
        expect(textIssue(chars.join(''), 'name')).toBeDefined();
      }),
    );
  });

  it('accepts any prose of printable text, line breaks and tabs, once normalised', () => {
    const printable = fc
      .string({ unit: 'grapheme', maxLength: 40 })
      .map((s) => s.replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, '').normalize('NFC'));
    fc.assert(
      fc.property(fc.array(fc.oneof(printable, fc.constantFrom('\n', '\r\n', '\t'))), (parts) => {
        expect(textIssue(parts.join(''), 'free')).toBeUndefined();
      }),
    );
  });

  it('normaliseTexts puts every string and key in NFC and never rewrites the prototype', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const normalised = normaliseTexts(value);
        const strings: string[] = [];
        JSON.stringify(normalised, (key, v: unknown) => {
          strings.push(key);
          if (typeof v === 'string') strings.push(v);
          return v;
        });
        for (const s of strings) expect(s).toBe(s.normalize('NFC'));
      }),
    );
    const parsed = normaliseTexts(JSON.parse('{"__proto__":{"polluted":"yes"},"name":"Zu\u0308rich"}'));
    expect(Object.keys(parsed)).toEqual(['__proto__', 'name']);
    expect((parsed as { polluted?: string }).polluted).toBeUndefined();
    expect((parsed as { name: string }).name).toBe('Zürich');
  });

  it('excerpt is short, one line and shows control, bidi and invisible characters as escapes', () => {
    expect(excerpt('x'.repeat(3_000_000))).toBe(`${'x'.repeat(40)}…`);
    expect(excerpt('\u202e台\r\nBcc:\u0000\u001b[0m')).toBe('\\u{202e}台\\u{d}\\u{a}Bcc:\\u{0}\\u{1b}[0m');
    expect(excerpt({ deep: {} })).toBe('{…}');
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const shown = excerpt(s, 20);
        expect(shown).not.toMatch(/(?![\u200c\u200d])[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u);
        expect([...shown].length).toBeLessThanOrEqual(20 * 8 + 1);
      }),
    );
  });
});
