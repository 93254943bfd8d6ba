/**
 * Sign-in links: the portal's address with a short-lived credential for one party of one cycle,
 * signed with the secretariat's key. `kczg link issue` prints them; reminder mails can carry them.
 */
import { issueCredential } from '../client/credentials';
import type { Party } from '../domain/credentials';

export const DEFAULT_LINK_HOURS = 72;
export const DEFAULT_PORTAL_URL = 'http://127.0.0.1:8080';

export function signInUrl(args: {
  privateKey: string;
  portalUrl: string;
  cycle: string;
  party: Party;
  hours?: number;
  now?: number;
}): { url: string; expiresAt: number } {
  const now = args.now ?? Date.now();
  const validForMs = (args.hours ?? DEFAULT_LINK_HOURS) * 3_600_000;
  const token = issueCredential({
    privateKey: args.privateKey,
    cycle: args.cycle,
    party: args.party,
    validForMs,
    now,
  });
  const url = new URL('/signin', args.portalUrl);
  url.searchParams.set('token', token);
  return { url: url.toString(), expiresAt: now + validForMs };
}
