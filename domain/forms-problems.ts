/** The INVALID refusals a dossier check gives (domain/forms.ts), shared by its parts. Pure. */
import { reject, type Rejection } from './rejections';

/** A dossier refusal: the field at fault, the rule, Chinese-first message and the fix. */
export const invalid = (field: string, rule: string, message: string, fix: string): Rejection =>
  reject('INVALID', message, { field, rule, fix });

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const listed = (values: readonly string[]) => values.join(', ') || '（无 / none）';

export function unknownKeys(
  value: Record<string, unknown>,
  allowed: readonly string[],
  at: string,
): Rejection[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) =>
      invalid(
        `${at}.${key}`,
        'unknown-key',
        `未知字段 / unknown field "${key}"`,
        `删除该字段；可用字段 / remove it; known fields: ${listed(allowed)}`,
      ),
    );
}
