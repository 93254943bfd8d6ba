/**
 * Sign-in links: `GET /signin?token=<credential>` verifies the party's credential with the cycle's
 * public key (real time), opens a session cookie and sends the party to its page; sign-out ends
 * it. Rate-limited per address.
 */
import type { FastifyInstance } from 'fastify';
import { RejectionError } from '../../client/requests';
import { partyLabel, type Party } from '../../domain/credentials';
import type { PortalContext } from '../context';
import { apiErrorOf } from '../errors';
import { messagePage } from '../pages/layout';
import { clearSession, newSession, writeSession } from '../session';

/** Where a party lands after signing in. */
export function homeOf(party: Party, programmeId: string): string {
  switch (party.kind) {
    case 'unit':
      return `/u/${programmeId}/${party.id}`;
    case 'secretariat':
      return `/s/${programmeId}`;
    case 'expert':
      return `/r/${programmeId}/${party.body}/e/${party.id}`;
    case 'body':
      return `/r/${programmeId}/${party.id}`;
    default:
      return `/p/${programmeId}`;
  }
}

export function registerSignInRoutes(app: FastifyInstance, ctx: PortalContext): void {
  app.get<{ Querystring: { token?: string } }>(
    '/signin',
    { config: { rateLimit: { max: ctx.config.signInPerMinute, timeWindow: 60_000 } } },
    async (request, reply) => {
      const token = request.query.token ?? '';
      try {
        const { party, cycle } = await ctx.auth.verify(token, Date.now());
        writeSession(reply, newSession(partyLabel(party), cycle, token, Date.now()), ctx.config);
        return reply.redirect(homeOf(party, cycle.replace(/^kczg:/, '')), 303);
      } catch (error) {
        if (!(error instanceof RejectionError)) throw error;
        const { status, body } = apiErrorOf(error);
        return reply
          .code(status)
          .type('text/html; charset=utf-8')
          .send(messagePage('无法登录 Cannot sign in', `${body.message} ${body.fix ?? ''}`));
      }
    },
  );

  app.post('/signout', async (request, reply) => {
    const principal = await ctx.auth.principalOf(request, reply);
    if (principal) ctx.auth.checkCsrf(principal, request);
    clearSession(reply, ctx.config);
    return reply
      .type('text/html; charset=utf-8')
      .send(messagePage('已退出 Signed out', '您已退出登录 / you have signed out.'));
  });
}
