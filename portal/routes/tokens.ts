/**
 * API tokens for integrators, issued by the secretariat: a signed party credential (the same as
 * `kczg auth issue` makes, with the portal's KCZG_AUTH_PRIVATE_KEY) shown once, recorded by its
 * sha256 in the records (storage/api-tokens.ts) with party, label and expiry, listed and revoked
 * there. Revocation is checked by the portal on every bearer request; the workflows know only
 * signature and expiry, so tokens live at most MAX_TOKEN_DAYS.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { issueCredential } from '../../client/credentials';
import { withRfc3339Instants } from '../../client/instants';
import { RejectionError } from '../../client/requests';
import { parseParty, partyLabel, type Party } from '../../domain/credentials';
import type { Programme } from '../../domain/programme';
import type { ApiTokenRecord, ApiTokenStore } from '../../storage/api-tokens';
import { cycleWorkflowId } from '../../workflows/ids';
import type { Principal } from '../auth';
import type { PortalContext } from '../context';
import { apiErrorOf, PortalError } from '../errors';
import { tokensPage } from '../pages/tokens';
import { errorResponses, instant, programmeParams } from '../schemas';

const SECRETARIAT: Party[] = [{ kind: 'secretariat' }];
/** The longest a token may live: revocation holds at the portal, expiry everywhere. */
export const MAX_TOKEN_DAYS = 90;

export const issueTokenBody = z.object({
  party: z
    .string()
    .min(1)
    .max(200)
    .describe('the party the token acts for: unit:<id>, body:<id>, secretariat'),
  label: z.string().trim().min(1).max(100).describe('what the token is for, e.g. 省科协申报系统对接'),
  validDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).default(30),
});

const tokenRecordSchema = z.object({
  id: z.string().describe('sha256 of the token, hex'),
  party: z.string(),
  label: z.string(),
  issuedBy: z.string(),
  issuedAt: instant,
  expiresAt: instant,
  revokedAt: instant.optional(),
  revokedBy: z.string().optional(),
});
const issuedTokenSchema = tokenRecordSchema.extend({
  token: z.string().describe('Authorization: Bearer <token>; shown this once, never kept'),
});

type TokenOut = z.infer<typeof tokenRecordSchema>;
const recordOut = (record: ApiTokenRecord): TokenOut =>
  withRfc3339Instants({
    id: record.id,
    party: record.party,
    label: record.label,
    issuedBy: record.issuedBy,
    issuedAt: record.issuedAt,
    expiresAt: record.expiresAt,
    ...(record.revokedAt !== undefined ? { revokedAt: record.revokedAt } : {}),
    ...(record.revokedBy !== undefined ? { revokedBy: record.revokedBy } : {}),
  }) as TokenOut;

const invalid = (field: string, rule: string, message: string, fix: string) =>
  new RejectionError({ code: 'INVALID', field, rule, message, fix });

/** The party a token may be issued for: a unit or review body of the cycle, or the secretariat. */
function tokenParty(programme: Programme, label: string): Party {
  const party = parseParty(label);
  const known =
    party &&
    (party.kind === 'secretariat' ||
      (party.kind === 'unit' && programme.roster.units.some((u) => u.id === party.id)) ||
      (party.kind === 'body' && programme.reviewBodies.some((b) => b.id === party.id)));
  if (!party || !known) {
    throw invalid(
      'party',
      'party',
      `本周期没有参与方 ${label.slice(0, 100)} / no such party in this cycle`,
      '如 / e.g. unit:cie, body:ittn, secretariat',
    );
  }
  return party;
}

/** Issues, records and returns a token; refused without the private key or the records. */
export async function issueToken(
  ctx: PortalContext,
  store: ApiTokenStore | undefined,
  principal: Principal,
  programmeId: string,
  request: z.infer<typeof issueTokenBody>,
): Promise<z.infer<typeof issuedTokenSchema>> {
  const tokens = storeOf(store);
  const privateKey = ctx.config.authPrivateKey;
  if (!privateKey) {
    throw invalid(
      'party',
      'auth-private-key',
      '门户未持有秘书处私钥，不能签发令牌 / the portal holds no secretariat key, so it cannot issue tokens',
      '为门户设置 KCZG_AUTH_PRIVATE_KEY(_FILE)，或用 kczg auth issue / set KCZG_AUTH_PRIVATE_KEY for the portal, or use kczg auth issue',
    );
  }
  const party = tokenParty(await ctx.programmeOf(programmeId), request.party);
  const cycle = cycleWorkflowId(programmeId);
  const issuedAt = Date.now();
  const validForMs = request.validDays * 86_400_000;
  const token = issueCredential({ privateKey, cycle, party, validForMs, now: issuedAt });
  const record = {
    cycleId: cycle,
    party: partyLabel(party),
    label: request.label,
    issuedBy: partyLabel(principal.party),
    issuedAt,
    expiresAt: issuedAt + validForMs,
  };
  const id = await tokens.record(token, record);
  return { ...recordOut({ id, ...record }), token };
}

function storeOf(store: ApiTokenStore | undefined): ApiTokenStore {
  if (store) return store;
  throw new PortalError({
    code: 'NOT_FOUND',
    field: 'tokens',
    rule: 'records',
    message:
      '门户未连接记录库，不能签发或撤销令牌 / the portal has no records, so it cannot issue or revoke tokens',
    fix: '以 KCZG_DATABASE_URL 或 --data-dir 启动门户 / start the portal with KCZG_DATABASE_URL or --data-dir',
  });
}

function registerApi(app: FastifyInstance, ctx: PortalContext, store: ApiTokenStore | undefined): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const prefix = '/api/v1/cycles/:programme/tokens';
  const tags = ['secretariat'];
  const guard = (request: FastifyRequest, reply: FastifyReply) =>
    ctx.auth.require(request, reply, (request.params as { programme: string }).programme, SECRETARIAT);

  api.post(
    prefix,
    {
      schema: {
        tags,
        summary: '签发接口令牌 / issue an API token for a party (shown once)',
        params: programmeParams,
        body: issueTokenBody,
        response: { 201: issuedTokenSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = await guard(request, reply);
      const issued = await issueToken(ctx, store, principal, request.params.programme, request.body);
      return reply.code(201).header('cache-control', 'no-store').send(issued);
    },
  );

  api.get(
    prefix,
    {
      schema: {
        tags,
        summary: '已签发的接口令牌 / the API tokens issued for this cycle (never the tokens)',
        params: programmeParams,
        response: { 200: z.object({ items: z.array(tokenRecordSchema) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      await guard(request, reply);
      const records = await storeOf(store).list(cycleWorkflowId(request.params.programme));
      return { items: records.map(recordOut) };
    },
  );

  api.delete(
    `${prefix}/:token`,
    {
      schema: {
        tags,
        summary: '撤销接口令牌 / revoke an API token (by its id)',
        params: programmeParams.extend({ token: z.string().min(1).max(100) }),
        response: { 200: z.object({ id: z.string(), revoked: z.literal(true) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = await guard(request, reply);
      const { programme, token } = request.params;
      await revokeToken(store, principal, programme, token);
      return { id: token, revoked: true as const };
    },
  );
}

async function revokeToken(
  store: ApiTokenStore | undefined,
  principal: Principal,
  programmeId: string,
  id: string,
): Promise<void> {
  const revoked = await storeOf(store).revoke(cycleWorkflowId(programmeId), id, partyLabel(principal.party));
  if (!revoked) {
    throw new PortalError({
      code: 'NOT_FOUND',
      field: 'token',
      rule: 'token',
      message: '本周期没有此令牌 / no such token in this cycle',
      fix: '核对令牌编号（列表中的 id）/ check the token id from the list',
    });
  }
}

function registerPages(app: FastifyInstance, ctx: PortalContext, store: ApiTokenStore | undefined): void {
  type Req = FastifyRequest<{ Params: { programme: string } }>;
  const render = async (
    request: Req,
    reply: FastifyReply,
    principal: Principal,
    extra: { issued?: { token: string; party: string }; error?: unknown; notice?: string } = {},
  ) => {
    const { programme } = request.params;
    const [prog, records] = await Promise.all([
      ctx.programmeOf(programme),
      store ? store.list(cycleWorkflowId(programme)) : Promise.resolve(undefined),
    ]);
    const refusal = extra.error === undefined ? undefined : apiErrorOf(extra.error);
    if (refusal) reply.code(refusal.status);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        tokensPage({
          programme: prog,
          viewer: { party: principal.party, programmeId: programme, csrf: ctx.auth.csrfOf(principal) },
          records,
          maxDays: MAX_TOKEN_DAYS,
          ...(extra.issued ? { issued: extra.issued } : {}),
          ...(refusal ? { error: refusal.body } : {}),
          ...(extra.notice ? { notice: extra.notice } : {}),
        }),
      );
  };
  const form = (request: FastifyRequest) => (request.body ?? {}) as Record<string, string>;

  app.get<{ Params: { programme: string }; Querystring: { done?: string } }>(
    '/s/:programme/tokens',
    async (request, reply) => {
      const principal = await ctx.auth.require(request, reply, request.params.programme, SECRETARIAT);
      return render(request, reply, principal, request.query.done ? { notice: '已撤销 / revoked' } : {});
    },
  );

  // The new token is shown on the answer to this POST, never in an address or a redirect.
  app.post<{ Params: { programme: string } }>('/s/:programme/tokens', async (request, reply) => {
    const principal = await ctx.auth.require(request, reply, request.params.programme, SECRETARIAT);
    try {
      const f = form(request);
      const body = issueTokenBody.safeParse({
        party: f.party,
        label: f.label,
        validDays: Number(f.validDays),
      });
      if (!body.success) {
        const issue = body.error.issues[0];
        throw invalid(
          String(issue?.path[0] ?? 'label'),
          issue?.code ?? 'schema',
          `请填写用途（≤100 字）并选择 1–${MAX_TOKEN_DAYS} 天 / give a label (≤ 100) and 1–${MAX_TOKEN_DAYS} days`,
          '修改后重新提交 / correct and submit again',
        );
      }
      const issued = await issueToken(ctx, store, principal, request.params.programme, body.data);
      return render(request, reply, principal, { issued: { token: issued.token, party: issued.party } });
    } catch (error) {
      return render(request, reply, principal, { error });
    }
  });

  app.post<{ Params: { programme: string } }>('/s/:programme/tokens/revoke', async (request, reply) => {
    const principal = await ctx.auth.require(request, reply, request.params.programme, SECRETARIAT);
    try {
      await revokeToken(store, principal, request.params.programme, form(request).token ?? '');
    } catch (error) {
      return render(request, reply, principal, { error });
    }
    return reply.redirect(`/s/${request.params.programme}/tokens?done=revoked`, 303);
  });
}

export function registerTokenRoutes(
  app: FastifyInstance,
  ctx: PortalContext,
  store: ApiTokenStore | undefined,
): void {
  registerApi(app, ctx, store);
  registerPages(app, ctx, store);
}
