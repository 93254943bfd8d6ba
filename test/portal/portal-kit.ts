/**
 * A portal over a keyed cycle on the test stack: a one-off copy of national-2023 with three units,
 * started in collection with the secretariat's public key, and the portal built in-process from
 * the stack's typed client and file store. Sign-in goes through the real link exchange.
 */
import type { FastifyInstance } from 'fastify';
import { KczgClient } from '../../client/api';
import { generateAuthKeyPair, issueCredential } from '../../client/credentials';
import { beijingToEpochMs } from '../../domain/calendar';
import { parseParty, type Party } from '../../domain/credentials';
import { loadProgramme } from '../../programmes/loader';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, type PortalConfig } from '../../portal/config';
import { buildPortal } from '../../portal/server';
import { AttachmentStore } from '../../storage/attachments';
import { ephemeralKeyring } from '../../codec/keys';
import type { TestStack } from '../support/stack';

export const keys = generateAuthKeyPair();
export const SECRET = 'test-portal-secret-0123456789abcdef0123456789';

export function portalConfig(stack: TestStack, extra: Partial<PortalConfig> = {}): PortalConfig {
  return {
    secret: SECRET,
    secureCookies: false,
    files: stack.storage.files,
    sessionIdleMs: SESSION_IDLE_MS,
    sessionAbsoluteMs: SESSION_ABSOLUTE_MS,
    signInPerMinute: 20,
    requestsPerMinute: 10_000,
    ...extra,
  };
}

/** Starts a keyed copy of national-2023 (three units) in collection; returns its programme id. */
export async function startKeyedCycle(stack: TestStack, programmeId: string, startAt = '2023-11-10 08:00') {
  const base = loadProgramme('national-2023');
  const programme = {
    ...base,
    id: programmeId,
    roster: { ...base.roster, units: base.roster.units.slice(0, 3) },
  };
  const { cycleId } = await stack.api.startCycle(programme, {
    startAt: beijingToEpochMs(startAt),
    authPublicKey: keys.publicKey,
  });
  return { programme, cycleId };
}

/** A credential for `party` (e.g. "unit:cie") on `cycleId`, valid for `hours` from `now` (real time). */
export function credential(cycleId: string, party: string, hours = 72, now = Date.now()): string {
  return issueCredential({
    privateKey: keys.privateKey,
    cycle: cycleId,
    party: parseParty(party) as Party,
    validForMs: hours * 3_600_000,
    now,
  });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions read any shape
}

/**
 * The portal listening on a loopback port, asked over real HTTP. (Fastify's inject needs the
 * ESM-only `cookie` package, which Jest's CommonJS sandbox cannot load untransformed.)
 */
export class PortalUnderTest {
  private constructor(
    readonly app: FastifyInstance,
    readonly base: string,
  ) {}

  /** Listens on `port` (default: a free one). */
  static async start(app: FastifyInstance, port = 0): Promise<PortalUnderTest> {
    return new PortalUnderTest(app, await app.listen({ host: '127.0.0.1', port }));
  }

  async inject(request: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: unknown;
  }): Promise<Answer> {
    const form = !request.url.startsWith('/api/');
    const body =
      request.payload === undefined
        ? undefined
        : form
          ? new URLSearchParams(request.payload as Record<string, string>).toString()
          : JSON.stringify(request.payload);
    const response = await fetch(`${this.base}${request.url}`, {
      method: request.method,
      redirect: 'manual',
      headers: {
        ...(body === undefined
          ? {}
          : { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
        ...request.headers,
      },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return {
      statusCode: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      body: text,
      json: () => JSON.parse(text),
    };
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

/** The session cookie a response set, as a Cookie header value. */
export function sessionCookie(response: Answer): string {
  const session = (response.headers['set-cookie'] ?? '')
    .split(/,(?=\s*kczg_session=)/)
    .find((c) => c.trim().startsWith('kczg_session='));
  if (!session)
    throw new Error(`no session cookie in ${response.statusCode} ${JSON.stringify(response.headers)}`);
  return session.trim().split(';')[0];
}

/** Cancels the keyed cycle as the secretariat and waits for it to close. */
export async function finishKeyedCycle(stack: TestStack, cycleId: string): Promise<void> {
  const secretariat = new KczgClient(stack.env.client, { credential: credential(cycleId, 'secretariat') });
  await secretariat.cancel(cycleId, '测试结束 / test over');
  await stack.api.cycle(cycleId).result();
}

/** Signs in with a link's token; returns the cookie, where it landed and the page's CSRF token. */
export async function signIn(app: PortalUnderTest, token: string) {
  const response = await app.inject({ method: 'GET', url: `/signin?token=${encodeURIComponent(token)}` });
  expect(response.statusCode).toBe(303);
  const cookie = sessionCookie(response);
  const location = String(response.headers.location);
  const page = await app.inject({ method: 'GET', url: location, headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!csrf) throw new Error(`no CSRF token on ${location}: ${page.statusCode}`);
  return { cookie, location, csrf, page };
}

/** The portal over the stack's client and files, listening on a free loopback port. */
export async function startPortal(
  stack: TestStack,
  extra: Partial<PortalConfig> = {},
  port = 0,
): Promise<PortalUnderTest> {
  return PortalUnderTest.start(
    await buildPortal({ api: stack.api, config: portalConfig(stack, extra) }),
    port,
  );
}

/** An attachment store on the stack's storage, with a key for this test process. */
export function attachmentStoreOf(stack: TestStack): AttachmentStore {
  return new AttachmentStore(stack.storage.records.db, stack.storage.files, ephemeralKeyring());
}

/** How many attachments the stack's records hold. */
export async function storedAttachments(stack: TestStack): Promise<number> {
  const { n } = await stack.storage.records.db
    .selectFrom('attachments')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}
