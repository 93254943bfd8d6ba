/**
 * Stable rejection codes. Every refusal names its code, the field it concerns, the rule that
 * refused it and how to fix it; the CLI prints them and exits 2, scripts match on `code`.
 */
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
}

export function reject(
  code: RejectionCode,
  message: string,
  extra: Omit<Rejection, 'code' | 'message'> = {},
): Rejection {
  return { code, message, ...extra };
}

export function isRejectionCode(value: unknown): value is RejectionCode {
  return typeof value === 'string' && (rejectionCodes as readonly string[]).includes(value);
}
