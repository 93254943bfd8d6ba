/**
 * What a portal instance is configured with. It keeps no business state: sessions live in signed
 * cookies, everything else is asked of Temporal (and the file store, for published lists), so any
 * number of instances can serve behind a load balancer given the same secret.
 */
import fs from 'node:fs';
import type { AttachmentStore } from '../storage/attachments';
import type { FileStore } from '../storage/files';

export interface PortalConfig {
  /** Signs session cookies and derives CSRF tokens (KCZG_PORTAL_SECRET, at least 32 characters). */
  secret: string;
  /** Where people reach the portal, e.g. https://kczg.example.org (KCZG_PORTAL_URL); for links. */
  publicUrl?: string;
  /** Secure cookies: on when publicUrl is https, or when the portal serves TLS itself. */
  secureCookies: boolean;
  /** Mints a fresh short credential per write when set (KCZG_AUTH_PRIVATE_KEY). */
  authPrivateKey?: string;
  /** Verifies links for cycles started without a key of their own (KCZG_AUTH_PUBLIC_KEY). */
  authPublicKey?: string;
  /** Published lists: published/<programme>/<list>.<format>. */
  files?: FileStore;
  /** Where uploads go (opened once per process from storage); without it, uploads are refused. */
  attachments?: AttachmentStore;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  /** Sign-in attempts per address per minute. */
  signInPerMinute: number;
  /** API and page requests per address per minute. */
  requestsPerMinute: number;
  /**
   * Behind a load balancer: take the client address from X-Forwarded-For (KCZG_PORTAL_TRUST_PROXY,
   * the proxy's address or `true`). Off by default, so a client cannot choose its own address and
   * slip past the sign-in rate limit.
   */
  trustProxy?: string | boolean;
}

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 3_600_000;

/**
 * The portal's configuration from the environment; refuses to start without a proper secret.
 * `attachments`: the store opened once for the process (storage/attachments.ts), for uploads.
 */
export function portalConfigFromEnv(
  env: NodeJS.ProcessEnv,
  files?: FileStore,
  attachments?: AttachmentStore,
): PortalConfig {
  const secret = env.KCZG_PORTAL_SECRET ?? '';
  if (secret.length < 32) {
    throw new Error(
      'KCZG_PORTAL_SECRET 须至少 32 个字符 / must be at least 32 characters: export KCZG_PORTAL_SECRET=$(openssl rand -hex 32)',
    );
  }
  const keyFile = env.KCZG_AUTH_PRIVATE_KEY_FILE;
  const authPrivateKey = keyFile ? fs.readFileSync(keyFile, 'utf8').trim() : env.KCZG_AUTH_PRIVATE_KEY;
  return {
    secret,
    publicUrl: env.KCZG_PORTAL_URL,
    secureCookies: env.KCZG_PORTAL_URL?.startsWith('https:') ?? false,
    ...(authPrivateKey ? { authPrivateKey } : {}),
    ...(env.KCZG_AUTH_PUBLIC_KEY ? { authPublicKey: env.KCZG_AUTH_PUBLIC_KEY } : {}),
    ...(files ? { files } : {}),
    ...(attachments ? { attachments } : {}),
    sessionIdleMs: SESSION_IDLE_MS,
    sessionAbsoluteMs: SESSION_ABSOLUTE_MS,
    signInPerMinute: 20,
    requestsPerMinute: 600,
    ...(env.KCZG_PORTAL_TRUST_PROXY
      ? { trustProxy: env.KCZG_PORTAL_TRUST_PROXY === 'true' ? true : env.KCZG_PORTAL_TRUST_PROXY }
      : {}),
  };
}
