/**
 * Notices carry a sign-in link for their recipient's party and cycle: signed at render time with
 * the secretariat's key, verifying with the cycle's public key, shown in the text and HTML parts.
 */
import { generateAuthKeyPair } from '../../client/credentials';
import { renderNotice } from '../../activities/notify';
import { signInLinkConfigFromEnv, signInLinkFor } from '../../activities/sign-in-links';
import { checkCredential, type Party } from '../../domain/credentials';
import { noticeKey, type NoticeParty } from '../../domain/mail-ids';
import type { NoticeRequest } from '../../workflows/notices';

const keys = generateAuthKeyPair();
const CYCLE = 'kczg:national-2023';
const NOW = Date.UTC(2026, 10, 30, 12);
const config = { portalUrl: 'https://kczg.example.org', privateKey: keys.privateKey, hours: 72 };

const reminder = (party: NoticeParty): NoticeRequest => ({
  cycleId: CYCLE,
  businessKey: noticeKey(CYCLE, party, 'collection:T-7'),
  to: [{ name: '中国电子学会', email: 'cie@example.org' }],
  template: 'unitReminder',
  programme: {
    id: 'national-2023',
    name: { zh: '2023年“科创中国”系列榜单', en: 'Kechuang China 2023' },
    year: 2023,
  },
  issuedAt: NOW,
  deadline: NOW + 7 * 86_400_000,
  party: '中国电子学会',
  usage: [],
});

const tokenOf = (url: string) => new URL(url).searchParams.get('token') as string;

describe('sign-in links in notices', () => {
  it.each<[NoticeParty, Party]>([
    [
      { kind: 'unit', id: 'cie' },
      { kind: 'unit', id: 'cie' },
    ],
    [
      { kind: 'review', id: 'ittn' },
      { kind: 'body', id: 'ittn' },
    ],
    [{ kind: 'secretariat' }, { kind: 'secretariat' }],
  ])('links %j in as %j, for 72 hours from sending', (noticeParty, party) => {
    const url = signInLinkFor(reminder(noticeParty), config, NOW) as string;
    expect(url.startsWith('https://kczg.example.org/signin?token=')).toBe(true);
    const check = (now: number) =>
      checkCredential({
        token: tokenOf(url),
        publicKey: keys.publicKey,
        cycle: CYCLE,
        allowed: [party],
        now,
      });
    expect(check(NOW + 71 * 3_600_000)).toBeUndefined();
    expect(check(NOW + 72 * 3_600_000)).toMatchObject({ code: 'NOT_ALLOWED' });
    expect(
      checkCredential({
        token: tokenOf(url),
        publicKey: keys.publicKey,
        cycle: CYCLE,
        allowed: [{ kind: 'unit', id: 'other' }],
        now: NOW,
      }),
    ).toEqual(party.kind === 'secretariat' ? undefined : expect.objectContaining({ code: 'NOT_ALLOWED' }));
  });

  it('puts the link in the text and HTML parts of the reminder', () => {
    const request = reminder({ kind: 'unit', id: 'cie' });
    const url = signInLinkFor(request, config, NOW) as string;
    const mail = renderNotice(request, url);
    expect(mail.text).toContain(url);
    expect(mail.html).toContain(url.replace(/&/g, '&amp;'));
  });

  it('is configured by KCZG_PORTAL_URL and the private key together, or not at all', () => {
    expect(signInLinkConfigFromEnv({ KCZG_PORTAL_URL: 'https://x.example' })).toBeUndefined();
    expect(signInLinkConfigFromEnv({ KCZG_AUTH_PRIVATE_KEY: keys.privateKey })).toBeUndefined();
    expect(
      signInLinkConfigFromEnv({
        KCZG_PORTAL_URL: 'https://x.example',
        KCZG_AUTH_PRIVATE_KEY: keys.privateKey,
      }),
    ).toEqual({ portalUrl: 'https://x.example', privateKey: keys.privateKey, hours: 72 });
    expect(() =>
      signInLinkConfigFromEnv({
        KCZG_PORTAL_URL: 'https://x.example',
        KCZG_AUTH_PRIVATE_KEY: keys.privateKey,
        KCZG_SIGN_IN_LINK_HOURS: 'soon',
      }),
    ).toThrow(/KCZG_SIGN_IN_LINK_HOURS/);
  });
});
