import { checkCandidate, isCalendarDate, isEmailAddress } from '../../domain/candidate';

describe('checkCandidate', () => {
  it('keeps the known fields, trims name and identity, and drops unknown keys', () => {
    expect(
      checkCandidate({
        name: '  量子计算平台 ',
        identity: ' 91110000X ',
        region: 'hong-kong',
        foundedOn: '2013-01-01',
        focusFields: ['量子', '芯片'],
        classified: false,
        contactEmail: 'a@b.cn',
        injected: '<script>',
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
  ])('refuses %s, naming the field', (_case, raw, path) => {
    const checked = checkCandidate(raw);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.issue.path).toEqual(path);
      expect(checked.issue.message).toMatch(/ \/ /); // Chinese / English
    }
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
