/**
 * Refusals over HTTP: the same `{code, field, rule, message, fix}` the CLI prints, with the status
 * from one table. The portal's own refusals (sign-in, CSRF, rate limit) use the same shape.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { RejectionError } from '../client/requests';
import type { RejectionCode } from '../domain/rejections';

export type PortalCode = 'UNAUTHENTICATED' | 'CSRF' | 'NOT_FOUND' | 'RATE_LIMITED' | 'TOO_LARGE';

/** Every code the API answers with, and its HTTP status. */
export const STATUS_OF: Record<RejectionCode | PortalCode, number> = {
  INVALID: 400,
  UNAUTHENTICATED: 401,
  NOT_ALLOWED: 403,
  CSRF: 403,
  NOT_FOUND: 404,
  UNKNOWN_UNIT: 404,
  UNKNOWN_LIST: 404,
  UNKNOWN_NOMINATION: 404,
  COLLECTION_CLOSED: 409,
  QUOTA_EXCEEDED: 409,
  DUPLICATE: 409,
  WRONG_STAGE: 409,
  CHAIN_DEADLINE: 409,
  BUNDLE_CONFLICT: 409,
  BUNDLE_PART: 409,
  BUNDLE_INCOMPLETE: 422,
  NOT_ELIGIBLE: 422,
  RATE_LIMITED: 429,
  TOO_LARGE: 413,
};

export interface ApiError {
  code: RejectionCode | PortalCode | 'FAILURE';
  field?: string;
  rule?: string;
  message: string;
  fix?: string;
  limit?: number;
}

/** A refusal the portal itself makes; the error handler answers it like a workflow's. */
export class PortalError extends Error {
  constructor(readonly body: ApiError & { code: PortalCode | RejectionCode }) {
    super(body.message);
    this.name = 'PortalError';
  }
}

export const forbidden = (message: string): PortalError =>
  new PortalError({
    code: 'NOT_ALLOWED',
    field: 'party',
    rule: 'party',
    message,
    fix: '使用本方的登录链接 / sign in with your own party’s link',
  });

/** The error as the API answers it, with its status. */
export function apiErrorOf(error: unknown): { status: number; body: ApiError } {
  if (error instanceof RejectionError) {
    const { code, field, rule, message, fix, limit } = error.rejection;
    return { status: STATUS_OF[code] ?? 400, body: { code, field, rule, message, fix, limit } };
  }
  if (error instanceof PortalError) return { status: STATUS_OF[error.body.code], body: error.body };
  if (error instanceof WorkflowNotFoundError) {
    return {
      status: 404,
      body: {
        code: 'NOT_FOUND',
        rule: 'cycle',
        message: '没有此周期或对象 / no such cycle or party',
        fix: '核对方案与单位编号 / check the programme and party ids',
      },
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issue = error.validation[0];
    const path = issue?.instancePath?.replace(/^\//, '').replace(/\//g, '.') ?? '';
    const where = (error as FastifyError).validationContext ?? 'body';
    return {
      status: 400,
      body: {
        code: 'INVALID',
        field: path || where,
        rule: issue?.keyword ?? 'schema',
        message: `请求不符合接口定义 / the request does not match the API: ${issue?.message ?? 'invalid'}`,
        fix: '参见 / see /api/v1/openapi.json',
      },
    };
  }
  const status = (error as FastifyError)?.statusCode;
  if (status === 429) {
    return {
      status,
      body: {
        code: 'RATE_LIMITED',
        rule: 'rate-limit',
        message: '请求过于频繁 / too many requests',
        fix: '稍后再试 / wait a minute and try again',
      },
    };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      body: { code: status === 404 ? 'NOT_FOUND' : 'INVALID', message: (error as Error).message },
    };
  }
  return { status: 500, body: { code: 'FAILURE', message: '服务器内部错误 / internal error' } };
}

export function sendApiError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = apiErrorOf(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.code(status).type('application/json').send(JSON.stringify(body));
}
