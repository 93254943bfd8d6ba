/**
 * How workflow code refuses: a non-retryable ApplicationFailure whose type is the stable code and
 * whose details carry the whole Rejection (client/api.ts unwraps it). Thrown from update
 * validators, so a refused request is never written to history.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { checkCredential, type Party } from '../domain/credentials';
import { boundedRejection, type Rejection } from '../domain/rejections';

/**
 * Throws the refusal, every text cut to a short escaped excerpt: messages built from submitted
 * values (an unknown id, a name) never echo a large or terminal-hostile value back.
 */
export function rejectWith(rejection: Rejection): never {
  const bounded = boundedRejection(rejection);
  throw ApplicationFailure.create({
    type: bounded.code,
    message: bounded.message,
    details: [bounded],
    nonRetryable: true,
  });
}

/**
 * A guard for writes: with a public key, the credential must be valid for one of `allowed` (or
 * the secretariat) on this cycle at programme time `now()`; without one, the cycle is open.
 */
export function credentialGuard(publicKey: string | undefined, cycleId: string, now: () => number) {
  return (credential: unknown, ...allowed: Party[]): void => {
    if (!publicKey) return;
    const refusal = checkCredential({ token: credential, publicKey, cycle: cycleId, allowed, now: now() });
    if (refusal) rejectWith(refusal);
  };
}

/** Programmes run 2000–2100 (domain/programme.ts): an instant outside that is never a deadline. */
const LATEST_INSTANT = Date.UTC(2102, 0, 1);

export function isPlausibleInstant(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= LATEST_INSTANT;
}
