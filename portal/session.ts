/**
 * Sessions in a signed cookie (httpOnly, SameSite=Strict, Secure under TLS): the party, the
 * cycle and the credential from the sign-in link, with an idle and an absolute expiry. Nothing is
 * kept on the server, so every portal instance reads every session. The CSRF token is derived
 * from the session's random id with the server secret.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PortalConfig } from './config';

export const SESSION_COOKIE = 'kczg_session';

export interface Session {
  /** The party label ("unit:cie") and the cycle (workflow id) the link was for. */
  party: string;
  cycle: string;
  credential: string;
  sid: string;
  /** Signed in at, and last seen at (epoch ms, real time). */
  iat: number;
  seen: number;
}

export function newSession(party: string, cycle: string, credential: string, now: number): Session {
  return { party, cycle, credential, sid: randomBytes(18).toString('base64url'), iat: now, seen: now };
}

export function csrfTokenOf(secret: string, session: Session): string {
  return createHmac('sha256', secret).update(`csrf:${session.sid}`).digest('base64url');
}

function isSession(value: unknown): value is Session {
  const s = value as Session;
  return (
    typeof s?.party === 'string' &&
    typeof s.cycle === 'string' &&
    typeof s.credential === 'string' &&
    typeof s.sid === 'string' &&
    typeof s.iat === 'number' &&
    typeof s.seen === 'number'
  );
}

const macOf = (secret: string, value: string) =>
  createHmac('sha256', secret).update(`session:${value}`).digest('base64url');

/** The value of one cookie of the request's Cookie header. */
function cookieOf(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The request's session, if its cookie is genuine and neither idle nor absolute expiry passed. */
export function readSession(request: FastifyRequest, config: PortalConfig, now: number): Session | undefined {
  const [value, mac] = (cookieOf(request, SESSION_COOKIE) ?? '').split('.');
  if (!value || !mac) return undefined;
  const expected = Buffer.from(macOf(config.secret, value));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const session: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!isSession(session)) return undefined;
    if (now - session.seen > config.sessionIdleMs || now - session.iat > config.sessionAbsoluteMs)
      return undefined;
    return session;
  } catch {
    return undefined;
  }
}

function setCookie(reply: FastifyReply, value: string, maxAgeSeconds: number, config: PortalConfig): void {
  const attributes = ['Path=/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict'];
  if (config.secureCookies) attributes.push('Secure');
  // One Set-Cookie per response: a later write (sign-out after the idle refresh) replaces it.
  reply.header('set-cookie', `${SESSION_COOKIE}=${value}; ${attributes.join('; ')}`);
}

/** Base64url JSON with an HMAC of the server secret: readable by its holder, unforgeable. */
export function writeSession(reply: FastifyReply, session: Session, config: PortalConfig): void {
  const value = Buffer.from(JSON.stringify(session), 'utf8').toString('base64url');
  const remaining = Math.max(0, session.iat + config.sessionAbsoluteMs - session.seen);
  setCookie(reply, `${value}.${macOf(config.secret, value)}`, Math.floor(remaining / 1000), config);
}

export function clearSession(reply: FastifyReply, config: PortalConfig): void {
  setCookie(reply, '', 0, config);
}
