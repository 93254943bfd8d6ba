/**
 * Stable rejection codes. Every refusal names its code, the field it concerns, the rule that
 * refused it and how to fix it; the CLI prints them and exits 2, scripts match on `code`.
 */
import { excerpt } from './text';
export const rejectionCodes = [
  'COLLECTION_CLOSED',
  'UNKNOWN_UNIT',
  'UNKNOWN_LIST',
  'UNKNOWN_NOMINATION',
  'QUOTA_EXCEEDED',
  'NOT_ELIGIBLE',
  'DUPLICATE',
  'INVALID',
  'NOT_ALLOWED',
  'WRONG_STAGE',
  'CHAIN_DEADLINE',
  'BUNDLE_INCOMPLETE',
  'BUNDLE_CONFLICT',
  'BUNDLE_PART',
] as const;
export type RejectionCode = (typeof rejectionCodes)[number];

export interface Rejection {
  code: RejectionCode;
  /** The input field at fault, as a dotted path ("candidate.foundedOn"). */
  field?: string;
  /** The rule that refused it ("foundedWithinYears", "quota", "window"). */
  rule?: string;
  /** Chinese first, then English. */
  message: string;
  /** What the user can do about it. */
  fix?: string;
  /** The limit that was passed (characters, items, levels, bytes), when a size was refused. */
  limit?: number;
}

export function reject(
  code: RejectionCode,
  message: string,
  extra: Omit<Rejection, 'code' | 'message'> = {},
): Rejection {
  return { code, message, ...extra };
}

/** How much of each text a refusal may carry: enough to say what and why, never a submitted value. */
const MAX_MESSAGE = 1_000;
const MAX_FIELD = 200;

/**
 * The refusal as it may travel: every text cut to a short, escaped excerpt (control, bidi and
 * invisible characters shown as \u{…}), so a rejection never echoes a large or terminal-hostile
 * value back (a 3 MB name echoed in a message made the server's update fail).
 */
export function boundedRejection(rejection: Rejection): Rejection {
  const bounded: Rejection = {
    code: rejection.code,
    message: excerpt(rejection.message, MAX_MESSAGE),
  };
  if (rejection.field !== undefined) bounded.field = excerpt(rejection.field, MAX_FIELD);
  if (rejection.rule !== undefined) bounded.rule = excerpt(rejection.rule, MAX_FIELD);
  if (rejection.fix !== undefined) bounded.fix = excerpt(rejection.fix, MAX_MESSAGE);
  if (typeof rejection.limit === 'number') bounded.limit = rejection.limit;
  return bounded;
}

export function isRejectionCode(value: unknown): value is RejectionCode {
  return typeof value === 'string' && (rejectionCodes as readonly string[]).includes(value);
}
