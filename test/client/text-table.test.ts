/** The CLI's text tables line up in a terminal, whatever mix of Chinese and Latin they hold. */
import { displayWidth, textTable } from '../../client/text-table';

describe('displayWidth', () => {
  it.each([
    ['ascii', 'pioneer-tech', 12],
    ['CJK ideographs', '先导技术榜', 10],
    ['full-width punctuation', '（北京时间）', 12],
    ['mixed', '榜单 / part', 11],
    ['Hangul', '한국', 4],
    ['a combining mark takes no column', 'e\u0301', 1],
    ['a zero-width space takes no column', 'a\u200bb', 2],
    ['an ideograph outside the BMP', '\u{20000}', 2],
  ])('%s', (_what, text, width) => {
    expect(displayWidth(text)).toBe(width);
  });
});

describe('textTable', () => {
  it('pads every column but the last to its widest cell, by display width', () => {
    // The second column starts at the same terminal column on every line: 26 (24 + two spaces).
    const lines = textTable(
      ['榜单 / part', '剩余 / left'],
      [
        ['pioneer-tech/electronics', '3'],
        ['新锐企业榜', '10'],
      ],
    );
    expect(lines).toEqual([
      '榜单 / part               剩余 / left',
      '------------------------  -----------',
      'pioneer-tech/electronics  3',
      '新锐企业榜                10',
    ]);
  });
});
