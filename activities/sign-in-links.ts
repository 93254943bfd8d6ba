/**
 * Sign-in links in notices: each message links its recipient's party into the portal with a
 * short-lived credential for that party and cycle, signed when the message is rendered (so a
 * retry after days carries a fresh link). Needs the portal's address and the secretariat's
 * private key on the worker; without them notices keep the plain platform address.
 */
import fs from 'node:fs';
import type { Party } from '../domain/credentials';
import { expertOfMailId, parseNoticeKey, type NoticeKey } from '../domain/mail-ids';
import { DEFAULT_LINK_HOURS, signInUrl } from '../portal/links';
import type { NoticeRequest } from '../workflows/notices';

export interface SignInLinkConfig {
  /** The portal's public address (KCZG_PORTAL_URL). */
  portalUrl: string;
  /** The secretariat's Ed25519 private key (KCZG_AUTH_PRIVATE_KEY or KCZG_AUTH_PRIVATE_KEY_FILE). */
  privateKey: string;
  /** How long a link is valid (KCZG_SIGN_IN_LINK_HOURS, default 72). */
  hours: number;
}

/** The links' settings from the worker's environment; undefined when either part is missing. */
export function signInLinkConfigFromEnv(env: NodeJS.ProcessEnv): SignInLinkConfig | undefined {
  const keyFile = env.KCZG_AUTH_PRIVATE_KEY_FILE;
  const privateKey = keyFile ? fs.readFileSync(keyFile, 'utf8').trim() : env.KCZG_AUTH_PRIVATE_KEY;
  if (!env.KCZG_PORTAL_URL || !privateKey) return undefined;
  const hours = Number(env.KCZG_SIGN_IN_LINK_HOURS ?? DEFAULT_LINK_HOURS);
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new Error(
      `KCZG_SIGN_IN_LINK_HOURS 应为正数 / must be a positive number of hours, got "${env.KCZG_SIGN_IN_LINK_HOURS}"`,
    );
  }
  return { portalUrl: env.KCZG_PORTAL_URL, privateKey, hours };
}

/**
 * Whom a notice signs in: its party, except that a body's reminder to one of its experts
 * (`expert/<id>/…`) signs in that expert, never the body (which may confirm shortlists).
 */
function credentialParty({ party, mailId }: NoticeKey): Party {
  if (party.kind !== 'review') return party;
  const expertId = expertOfMailId(mailId);
  return expertId ? { kind: 'expert', body: party.id, id: expertId } : { kind: 'body', id: party.id };
}

/** The sign-in link for a notice's recipient, from its business key; undefined for a foreign key. */
export function signInLinkFor(
  request: NoticeRequest,
  config: SignInLinkConfig,
  now = Date.now(),
): string | undefined {
  const key = parseNoticeKey(request.businessKey);
  if (!key || key.cycleId !== request.cycleId) return undefined;
  return signInUrl({
    privateKey: config.privateKey,
    portalUrl: config.portalUrl,
    cycle: request.cycleId,
    party: credentialParty(key),
    hours: config.hours,
    now,
  }).url;
}
