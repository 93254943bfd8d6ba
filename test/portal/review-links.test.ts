/**
 * A review body's reminder to one of its experts signs in that expert — never the body, whose
 * credential may confirm shortlists — and lands on the expert's home; the body's own reminder
 * signs in the body.
 */
import { renderNotice } from '../../activities/notify';
import { signInLinkFor } from '../../activities/sign-in-links';
import { generateAuthKeyPair } from '../../client/credentials';
import { readClaims } from '../../domain/credentials';
import { expertMailId, noticeKey } from '../../domain/mail-ids';
import { homeOf } from '../../portal/routes/signin';
import type { NoticeRequest } from '../../workflows/notices';

const keys = generateAuthKeyPair();
const CYCLE = 'kczg:national-2023';
const NOW = Date.UTC(2026, 10, 30, 12);
const config = { portalUrl: 'https://kczg.example.org', privateKey: keys.privateKey, hours: 72 };

const reminder = (mailId: string): NoticeRequest => ({
  cycleId: CYCLE,
  businessKey: noticeKey(CYCLE, { kind: 'review', id: 'ittn' }, mailId),
  to: [{ name: '专家e01', email: 'e01@experts.example.org' }],
  template: 'expertReminder',
  programme: {
    id: 'national-2023',
    name: { zh: '2023年“科创中国”系列榜单', en: 'Kechuang China 2023' },
    year: 2023,
  },
  issuedAt: NOW,
  deadline: NOW + 3 * 86_400_000,
  party: '专家e01',
  awaiting: [{ list: '先导技术榜', field: '电子信息', count: 2 }],
});

const partyOf = (url: string) => readClaims(new URL(url).searchParams.get('token') as string)?.party;

describe('sign-in links in review reminders', () => {
  it('signs an expert’s reminder in as that expert, landing on their review home', () => {
    const request = reminder(expertMailId('e01', 'review:ittn:T-3'));
    const url = signInLinkFor(request, config, NOW) as string;
    const party = partyOf(url);
    expect(party).toEqual({ kind: 'expert', body: 'ittn', id: 'e01' });
    expect(homeOf(party as never, 'national-2023')).toBe('/r/national-2023/ittn/e/e01');
    const mail = renderNotice(request, url);
    expect(mail.text).toContain(url);
    expect(mail.text).toMatch(/尚有 2 份评分表未提交/);
  });

  it('signs the body’s own reminder in as the body, landing on its panel', () => {
    const party = partyOf(signInLinkFor(reminder('review:ittn:T-3'), config, NOW) as string);
    expect(party).toEqual({ kind: 'body', id: 'ittn' });
    expect(homeOf(party as never, 'national-2023')).toBe('/r/national-2023/ittn');
  });
});
