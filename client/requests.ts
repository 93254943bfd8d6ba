/**
 * What the typed client sends and how refusals come back: requests normalised and checked against
 * domain/limits.ts before they leave, rejected updates unwrapped into RejectionError, and
 * transient server answers resent under the same update id.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { status } from '@grpc/grpc-js';
import { identifierRejection, requestRejection, type RequestKind } from '../domain/limits';
import { boundedRejection, isRejectionCode, type Rejection } from '../domain/rejections';
import { normaliseTexts } from '../domain/text';

/** A refusal with its stable code, field, rule and fix (texts cut to short escaped excerpts). */
export class RejectionError extends Error {
  readonly rejection: Rejection;

  constructor(rejection: Rejection) {
    const bounded = boundedRejection(rejection);
    super(bounded.message);
    this.rejection = bounded;
    this.name = 'RejectionError';
  }
}

/**
 * What the client sends: every text in Unicode NFC, then the limits, text policy and known keys
 * of domain/limits.ts checked, so an oversize, deeply nested or malformed request is refused here
 * (INVALID, with field, limit and fix) and never reaches the server. The workflow validators check
 * the same rules again for direct callers.
 */
export function outgoing<T>(kind: RequestKind, request: T): T {
  const normalised = normaliseTexts(request);
  const refusal = requestRejection(kind, normalised);
  if (refusal) throw new RejectionError(refusal);
  return normalised;
}

/**
 * A candidate file may name its JSON Schema for editors (`"$schema": "./candidate.schema.json"`,
 * as `kczg nominate --template` writes it): that is about the file, not the candidate, so it is
 * not sent. Every other key goes, and an unknown one is refused.
 */
export function withoutSchemaReference<T>(candidate: T): T {
  if (typeof candidate !== 'object' || candidate === null || !Object.hasOwn(candidate, '$schema'))
    return candidate;
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(candidate)) {
    if (key !== '$schema')
      Object.defineProperty(rest, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return rest as T;
}

/** The unit or review body a request goes to names a workflow: refused here if it cannot be an id. */
export function assertIdentifier(field: string, value: unknown): void {
  const refusal =
    typeof value === 'string'
      ? identifierRejection(field, value)
      : {
          code: 'INVALID' as const,
          field,
          rule: 'type',
          message: `${field} 须为文本 / ${field} must be text`,
        };
  if (refusal) throw new RejectionError(refusal);
}

/** Unwraps a rejected update into a RejectionError; anything else is rethrown as is. */
export async function unwrapRejection<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const cause = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
    if (cause instanceof ApplicationFailure && isRejectionCode(cause.type)) {
      const [detail] = (cause.details ?? []) as Rejection[];
      // Bounded again by RejectionError: a worker from before this change may echo a long value.
      throw new RejectionError(detail ?? { code: cause.type, message: cause.message });
    }
    throw error;
  }
}

/** Server answers meaning "not now", never "no": safe to resend under the same update id. */
function isTransient(error: unknown): boolean {
  const cause = (error as { cause?: { code?: number; details?: string } }).cause;
  if (!(error instanceof ServiceError) || typeof cause?.code !== 'number') return false;
  return (
    cause.code === status.UNAVAILABLE ||
    cause.code === status.RESOURCE_EXHAUSTED ||
    (cause.code === status.FAILED_PRECONDITION && /Workflow Task in failed state/i.test(cause.details ?? ''))
  );
}

/** Resends through a worker crash or a server restart (seen in test/reliability), for a minute. */
export async function retryTransient<T>(call: () => Promise<T>, budgetMs = 60_000): Promise<T> {
  const until = Date.now() + budgetMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5_000)));
    }
  }
}
