import {
  bodyReminder,
  formatBeijingTime,
  overdueNotice,
  secretariatDigest,
  stageNotice,
  unitReminder,
  type MailDeadline,
  type RenderedMail,
  type UnitReminderData,
} from '../../mail/templates';

const EVIL = '<script>alert(1)</script>\r\nBcc: victim@example.org';
const programme = { zh: '2023年度“科创中国”系列榜单', en: '2023 Sci-Tech China lists' };
const deadline: MailDeadline = {
  label: { zh: '推荐材料提交截止', en: 'Nomination deadline' },
  at: Date.parse('2023-12-01T00:00:00+08:00'), // 2023-11-30 24:00 Beijing
  calendarUid: '2023-national.collection.unit-a@kczg.example.org',
};
const t14 = Date.parse('2023-11-16T01:00:00Z'); // 2023-11-16 09:00 Beijing

function unitData(overrides: Partial<UnitReminderData> = {}): UnitReminderData {
  return {
    programme,
    issuedAt: t14,
    unit: '中国示例学会',
    deadline,
    usage: [
      { list: '先导技术榜', field: '电子信息', used: 2, limit: 3 },
      { list: '新锐企业榜', used: 5, limit: 5 },
    ],
    ...overrides,
  };
}

function expectChineseBeforeEnglish(parts: string[], zh: string, en: string): void {
  for (const part of parts) {
    expect(part).toContain(zh);
    expect(part).toContain(en);
    expect(part.indexOf(zh)).toBeLessThan(part.indexOf(en));
  }
}

/** Chinese before English in the subject, the text and the HTML. */
function expectChineseFirst(mail: RenderedMail, zh: string, en: string): void {
  expectChineseBeforeEnglish([mail.subject, mail.text, mail.html], zh, en);
}

/** Chinese before English in the text and the HTML. */
function expectChineseFirstInBody(mail: RenderedMail, zh: string, en: string): void {
  expectChineseBeforeEnglish([mail.text, mail.html], zh, en);
}

function expectHarmless(mail: RenderedMail): void {
  expect(mail.subject).not.toMatch(/[\r\n]/);
  expect(mail.html).not.toContain('<script>');
  expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(mail.text).not.toContain('\r');
  expect(mail.text).not.toMatch(/^Bcc:/m);
}

describe('times are written as the notices write them', () => {
  it('formats an end-of-day deadline as 24:00 Beijing time', () => {
    expect(formatBeijingTime(deadline.at)).toBe('2023-11-30 24:00 (北京时间 Beijing time)');
    expect(formatBeijingTime(Date.parse('2023-11-30T09:00:00Z'))).toBe(
      '2023-11-30 17:00 (北京时间 Beijing time)',
    );
  });
});

describe('unitReminder', () => {
  it('puts Chinese first, states the deadline, days left and quota usage per list and field', () => {
    const mail = unitReminder(unitData());
    expectChineseBeforeEnglish(
      [mail.subject],
      '推荐材料提交截止还有 14 天',
      'Nomination deadline: 14 days left',
    );
    expectChineseFirstInBody(mail, '还有 14 天', '14 days left');
    expect(mail.subject).toBe(
      '【2023年度“科创中国”系列榜单】推荐材料提交截止还有 14 天 | Nomination deadline: 14 days left - 2023 Sci-Tech China lists',
    );
    expect(mail.text).toContain('2023-11-30 24:00 (北京时间 Beijing time)');
    expect(mail.text).toContain('  - 先导技术榜 / 电子信息：已推荐 2 项，限额 3 项');
    expect(mail.text).toContain('  - 新锐企业榜: 5 nominated, quota 5');
    expect(mail.html).toContain('<li>先导技术榜 / 电子信息：已推荐 2 项，限额 3 项</li>');
  });

  it('attaches the deadline as an iCalendar event', () => {
    const { ics } = unitReminder(unitData());
    expect(ics).toContain('BEGIN:VCALENDAR\r\n');
    expect(ics).toContain('UID:2023-national.collection.unit-a@kczg.example.org\r\n');
    expect(ics).toContain('DTSTART:20231130T160000Z\r\n');
    expect(ics).toContain('DTSTAMP:20231116T010000Z\r\n');
  });

  it('escapes <script> and flattens CR/LF in unit and candidate names', () => {
    const mail = unitReminder(
      unitData({ unit: EVIL, nominations: [{ candidate: EVIL, list: '先导技术榜', field: '电子信息' }] }),
    );
    expectHarmless(mail);
    expect(mail.html).toContain(
      '<li>&lt;script&gt;alert(1)&lt;/script&gt; Bcc: victim@example.org (先导技术榜 / 电子信息)</li>',
    );
    expect(mail.text).toContain('<script>alert(1)</script> Bcc: victim@example.org：');
  });

  it('says "due today" on the deadline day', () => {
    const mail = unitReminder(unitData({ issuedAt: Date.parse('2023-11-30T01:00:00Z') }));
    expectChineseFirst(mail, '今天截止', 'due today');
    // The label ends in 截止: the subject says it once ("…提交今天截止", not "…截止今天截止").
    expect(mail.subject).toBe(
      '【2023年度“科创中国”系列榜单】推荐材料提交今天截止 | Nomination deadline: due today - 2023 Sci-Tech China lists',
    );
    expect(mail.text).toContain(
      '推荐材料提交截止时间为 2023-11-30 24:00 (北京时间 Beijing time)，今天截止。',
    );
  });

  it('keeps a label without 截止 whole on the deadline day', () => {
    const mail = unitReminder(
      unitData({
        issuedAt: Date.parse('2023-11-30T01:00:00Z'),
        deadline: { ...deadline, label: { zh: '材料报送', en: 'Submission' } },
      }),
    );
    expect(mail.subject).toContain('】材料报送：今天截止 | Submission: due today');
  });

  it('renders the same mail for the same data', () => {
    expect(unitReminder(unitData())).toEqual(unitReminder(unitData()));
  });
});

describe('bodyReminder', () => {
  it('tells a review body how many nominations await it, for which lists and fields', () => {
    const mail = bodyReminder({
      programme,
      issuedAt: Date.parse('2023-12-27T01:00:00Z'),
      body: '信息科技学会联合体',
      lists: [{ list: '先导技术榜', field: '电子信息' }],
      deadline: {
        ...deadline,
        label: { zh: '初评结果提交截止', en: 'Preliminary review due' },
        at: Date.parse('2023-12-31T00:00:00+08:00'),
      },
      awaiting: 12,
    });
    expectChineseFirstInBody(mail, '尚有 12 项推荐等待', '12 nominations still await');
    expectChineseBeforeEnglish([mail.subject], '12 项待评审', '12 awaiting review');
    expect(mail.subject).toContain('初评结果提交截止还有 3 天，12 项待评审');
    expect(mail.text).toContain('  - 先导技术榜 / 电子信息');
    expect(mail.ics).toContain('DTSTART:20231230T160000Z');
  });

  it('says the review is due today once in the subject (评审结果报送今天截止)', () => {
    const mail = bodyReminder({
      programme,
      issuedAt: Date.parse('2023-12-30T01:00:00Z'), // 2023-12-30 09:00 Beijing, the deadline day
      body: '信息科技学会联合体',
      lists: [{ list: '先导技术榜', field: '电子信息' }],
      deadline: {
        ...deadline,
        label: { zh: '评审结果报送截止', en: 'Review results due' },
        at: Date.parse('2023-12-31T00:00:00+08:00'),
      },
      awaiting: 2,
    });
    expect(mail.subject).toBe(
      '【2023年度“科创中国”系列榜单】评审结果报送今天截止，2 项待评审 | Review results due: due today, 2 awaiting review - 2023 Sci-Tech China lists',
    );
    expect(mail.subject).not.toContain('截止今天截止');
    expectChineseFirstInBody(mail, '今天截止', 'due today');
    expect(mail.text).toContain('  - 先导技术榜 / 电子信息');
    expect(mail.ics).toContain('DTSTART:20231230T160000Z');
  });

  it('escapes the body name', () => {
    expectHarmless(
      bodyReminder({ programme, issuedAt: t14, body: EVIL, lists: [{ list: EVIL }], deadline, awaiting: 1 }),
    );
  });
});

describe('secretariatDigest', () => {
  it('names who is missing, escaped', () => {
    const mail = secretariatDigest({
      programme,
      issuedAt: t14,
      secretariat: '“科创中国”联合体秘书处',
      deadline,
      missing: ['中国示例学会', EVIL],
    });
    expectChineseFirstInBody(mail, '以下 2 方尚未完成', '2 parties have not finished yet');
    expectChineseBeforeEnglish([mail.subject], '2 方未完成', '2 parties not finished');
    expect(mail.text).toContain('  - 中国示例学会');
    expectHarmless(mail);
  });

  it('labels the count after a unit that still owes work, in each language', () => {
    const mail = secretariatDigest({
      programme,
      issuedAt: t14,
      secretariat: '秘书处',
      deadline,
      // As activities/entities.ts sends them: units with their nominations so far, a review body with its part.
      missing: [
        '中国电子学会 (23)',
        '中国机械工程学会 (0)',
        'info-tech-consortium (pioneer-tech/electronics)',
      ],
    });
    const [zh, en] = mail.text.split('----------------------------------------');
    expect(zh).toContain('  - 中国电子学会（已推荐 23 项）\n');
    expect(zh).toContain('  - 中国机械工程学会（已推荐 0 项）\n');
    expect(en).toContain('  - 中国电子学会 (23 nominated)\n');
    expect(en).toContain('  - 中国机械工程学会 (0 nominated)\n');
    for (const part of [zh, en]) {
      expect(part).toContain('  - info-tech-consortium (pioneer-tech/electronics)');
      expect(part).not.toMatch(/\(\d+\)/);
    }
    expect(mail.html).toContain('<li>中国电子学会（已推荐 23 项）</li>');
    expect(mail.html).toContain('<li>中国电子学会 (23 nominated)</li>');
    expectChineseBeforeEnglish([mail.subject], '3 方未完成', '3 parties not finished');
  });

  it('says one party in the singular', () => {
    const mail = secretariatDigest({
      programme,
      issuedAt: t14,
      secretariat: '秘书处',
      deadline,
      missing: ['中国电子学会 (1)'],
    });
    expect(mail.subject).toContain('1 party not finished');
    expect(mail.text).toContain('1 party has not finished yet:');
  });

  it('says everyone is done when no one is missing', () => {
    const mail = secretariatDigest({
      programme,
      issuedAt: t14,
      secretariat: '秘书处',
      deadline,
      missing: [],
    });
    expectChineseFirstInBody(mail, '各方均已完成', 'Everyone is done');
  });
});

describe('overdueNotice', () => {
  it('counts the days overdue from the deadline day and attaches no calendar event', () => {
    const mail = overdueNotice({
      programme,
      issuedAt: Date.parse('2023-12-04T01:00:00Z'),
      recipient: '中国示例学会',
      deadline,
    });
    expectChineseFirst(mail, '已逾期 4 天', '4 days overdue');
    expect(mail.ics).toBeUndefined();
  });
});

describe('stageNotice', () => {
  it('announces the opening with the closing deadline as a calendar event', () => {
    const mail = stageNotice({
      programme,
      issuedAt: Date.parse('2023-10-07T01:00:00Z'),
      recipient: '中国示例学会',
      stage: 'collection-opened',
      at: Date.parse('2023-10-07T00:00:00+08:00'),
      deadline,
      url: 'https://kczg.example.org/nominate',
    });
    expectChineseFirst(mail, '推荐征集已开始', 'Nominations are open');
    expect(mail.text).toContain('2023-10-07 00:00 (北京时间 Beijing time)');
    expect(mail.html).toContain('<a href="https://kczg.example.org/nominate">');
    expect(mail.ics).toContain('URL:https://kczg.example.org/nominate');
  });

  it.each([
    ['collection-closed', '推荐征集已截止', 'Nominations are closed'],
    ['results-published', '榜单结果已发布', 'Results are published'],
  ] as const)('announces %s in Chinese, then English', (stage, zh, en) => {
    const mail = stageNotice({ programme, issuedAt: t14, recipient: '中国示例学会', stage, at: t14 });
    expectChineseFirst(mail, zh, en);
    expect(mail.ics).toBeUndefined();
  });

  it('renders no link for a non-http URL', () => {
    const mail = stageNotice({
      programme,
      issuedAt: t14,
      recipient: EVIL,
      stage: 'results-published',
      at: t14,
      url: 'javascript:alert(1)',
    });
    expect(mail.html).not.toContain('javascript:');
    expect(mail.text).not.toContain('javascript:');
    expectHarmless(mail);
  });
});
