/**
 * Who is asking: a session from a sign-in link, or an API call with `Authorization: Bearer
 * <credential>`. Both end in the party's Ed25519 credential, verified here with the cycle's public
 * key and checked again by the workflows on every write. Writes go out under that credential (or a
 * fresh short one when the portal holds the secretariat's key).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KczgClient } from '../client/api';
import { issueCredential } from '../client/credentials';
import { RejectionError } from '../client/requests';
import { checkCredential, parseParty, partyLabel, readClaims, type Party } from '../domain/credentials';
import type { ApiTokenStore } from '../storage/api-tokens';
import { cycleWorkflowId } from '../workflows/ids';
import type { PortalConfig } from './config';
import { forbidden, PortalError } from './errors';
import { csrfTokenOf, readSession, writeSession, type Session } from './session';

export interface Principal {
  party: Party;
  cycle: string;
  credential: string;
  /** Present for cookie sessions: writes then need the CSRF token. */
  session?: Session;
}

/** How long a credential minted for one write lives. */
const MINTED_FOR_MS = 10 * 60_000;

export class Auth {
  private readonly keys = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly api: KczgClient,
    private readonly config: PortalConfig,
    /** The API tokens issued through the portal: a revoked one is refused here. */
    private readonly tokens?: ApiTokenStore,
  ) {}

  /** The cycle's public key (asked once per cycle and instance), else the configured one. */
  private publicKeyOf(cycle: string): Promise<string | undefined> {
    let key = this.keys.get(cycle);
    if (!key) {
      key = this.api.reader.setup(cycle).then(
        (setup) => setup.authPublicKey ?? this.config.authPublicKey,
        () => undefined,
      );
      this.keys.set(cycle, key);
      // A cycle not found now may be started later: forget the miss.
      void key.then((found) => found === undefined && this.keys.delete(cycle));
    }
    return key;
  }

  /** The credential's party and cycle if it verifies now (real time), else the refusal. */
  async verify(token: string, now: number): Promise<{ party: Party; cycle: string }> {
    const claims = readClaims(token);
    if (!claims)
      throw new RejectionError({
        code: 'NOT_ALLOWED',
        field: 'credential',
        rule: 'credential',
        message: '凭证格式无效 / the credential is malformed',
      });
    const publicKey = await this.publicKeyOf(claims.cycle);
    if (!publicKey) {
      throw new RejectionError({
        code: 'NOT_ALLOWED',
        field: 'credential',
        rule: 'cycle-key',
        message: `周期 ${claims.cycle} 未设凭证公钥，无法登录 / cycle ${claims.cycle} has no credential key, so no one can sign in`,
        fix: '以 KCZG_AUTH_PUBLIC_KEY 开启周期，或为门户设置该变量 / start the cycle with KCZG_AUTH_PUBLIC_KEY, or set it for the portal',
      });
    }
    const refusal = checkCredential({ token, publicKey, cycle: claims.cycle, allowed: [claims.party], now });
    if (refusal) throw new RejectionError(refusal);
    return { party: claims.party, cycle: claims.cycle };
  }

  /** The principal of a request, or undefined when it carries neither a session nor a bearer credential. */
  async principalOf(request: FastifyRequest, reply: FastifyReply): Promise<Principal | undefined> {
    const now = Date.now();
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer) {
      const verified = await this.verify(bearer, now);
      if (await this.tokens?.isRevoked(bearer)) {
        throw new RejectionError({
          code: 'NOT_ALLOWED',
          field: 'credential',
          rule: 'revoked',
          message: '该接口令牌已被秘书处撤销 / this API token was revoked by the secretariat',
          fix: '向秘书处申请新令牌 / ask the secretariat for a new token',
        });
      }
      return { ...verified, credential: bearer };
    }
    const session = readSession(request, this.config, now);
    const party = session && parseParty(session.party);
    if (!session || !party) return undefined;
    // A session signed in with a token the secretariat revoked ends with it.
    if (await this.tokens?.isRevoked(session.credential)) return undefined;
    // Idle expiry counts from the last request.
    writeSession(reply, { ...session, seen: now }, this.config);
    return { party, cycle: session.cycle, credential: session.credential, session };
  }

  csrfOf(principal: Principal): string {
    return principal.session ? csrfTokenOf(this.config.secret, principal.session) : '';
  }

  /** Refuses a cookie-session write without the session's CSRF token (header or form field). */
  checkCsrf(principal: Principal, request: FastifyRequest): void {
    if (!principal.session) return;
    const header = request.headers['x-csrf-token'];
    const field = (request.body as { _csrf?: unknown } | undefined)?._csrf;
    const given = Buffer.from(typeof header === 'string' ? header : typeof field === 'string' ? field : '');
    const expected = Buffer.from(this.csrfOf(principal));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new PortalError({
        code: 'CSRF',
        field: 'x-csrf-token',
        rule: 'csrf',
        message: '缺少或错误的 CSRF 令牌 / missing or wrong CSRF token',
        fix: '从门户页面提交，或在请求头 x-csrf-token 中附带会话令牌 / submit from the portal page, or send the session’s token in x-csrf-token',
      });
    }
  }

  /**
   * The principal, required to be one of `allowed` on the programme's cycle (the secretariat may
   * act for every party, as in the workflows). Refused before anything is sent.
   */
  async require(
    request: FastifyRequest,
    reply: FastifyReply,
    programmeId: string,
    allowed: Party[],
  ): Promise<Principal> {
    const principal = await this.principalOf(request, reply);
    if (!principal) {
      throw new PortalError({
        code: 'UNAUTHENTICATED',
        field: 'session',
        rule: 'sign-in',
        message: '请先登录 / sign in first',
        fix: '使用邮件中的登录链接，或附带 Authorization: Bearer <凭证> / use the sign-in link from your e-mail, or send Authorization: Bearer <credential>',
      });
    }
    if (principal.cycle !== cycleWorkflowId(programmeId)) {
      throw forbidden(`登录凭证属于另一周期 / your sign-in is for another cycle (${principal.cycle})`);
    }
    const holder = partyLabel(principal.party);
    if (principal.party.kind !== 'secretariat' && !allowed.some((p) => partyLabel(p) === holder)) {
      throw forbidden(`${holder} 无权访问 / may not act for ${allowed.map(partyLabel).join(' / ')}`);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') this.checkCsrf(principal, request);
    return principal;
  }

  /** A client that sends the principal's writes under its credential, or a fresh one. */
  clientFor(principal: Principal): KczgClient {
    const credential = this.config.authPrivateKey
      ? issueCredential({
          privateKey: this.config.authPrivateKey,
          cycle: principal.cycle,
          party: principal.party,
          validForMs: MINTED_FOR_MS,
        })
      : principal.credential;
    return new KczgClient(this.api.client, { taskQueue: this.api.taskQueue, credential });
  }
}

/** The Temporal update id for a write: one per party, action and Idempotency-Key. */
export const updateIdOf = (principal: Principal, action: string, key: string) =>
  `portal/${action}/${partyLabel(principal.party)}/${key}`;
