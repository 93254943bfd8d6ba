/**
 * Limits on everything a caller sends, checked by the client before a request leaves it and again
 * by the workflow validators: nesting depth, list and object sizes, the length and text policy of
 * every string (domain/text.ts), unknown keys (refused, never dropped), and the total size of one
 * request, well under the 2 MB the Temporal server accepts for a payload.
 *
 * A refusal is `INVALID` with the field, the rule, the limit and the fix; it never echoes the
 * value. Pure and deterministic; safe in workflow code.
 */
import { checkCandidate } from './candidate';
import { reject, type Rejection } from './rejections';
import { excerpt, textIssue, type TextKind } from './text';

/** One request, encoded as JSON (UTF-8): a quarter of the server's 2 MB blob limit. */
export const MAX_REQUEST_BYTES = 512 * 1024;
/** Requests nest four levels at most (report → results → entry → value): eight is plenty. */
export const MAX_DEPTH = 8;
/** Items in any one list (review results, winners, nomination ids). */
export const MAX_ITEMS = 10_000;
/** Keys in any one object. */
export const MAX_KEYS = 100;

export type Path = Array<string | number>;

/** A dotted field path ("candidate.focusFields[2]"); keys are shown as short escaped excerpts. */
export const fieldName = (path: Path): string =>
  path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    const key = excerpt(part, 40);
    return out ? `${out}.${key}` : key;
  }, '');

function invalid(path: Path, rule: string, message: string, fix: string, limit?: number): Rejection {
  return reject('INVALID', message, {
    field: fieldName(path) || undefined,
    rule,
    fix,
    ...(limit ? { limit } : {}),
  });
}

/**
 * Depth, list and object sizes of any JSON-like value, walked without recursion (a value nested
 * 20,000 deep must not overflow the stack before it is refused).
 */
export function structureRejection(value: unknown, root: Path = []): Rejection | undefined {
  const pending: Array<{ value: unknown; path: Path }> = [{ value, path: root }];
  while (pending.length > 0) {
    const { value: next, path } = pending.pop() as { value: unknown; path: Path };
    if (next === null || typeof next !== 'object') continue;
    const depth = path.length - root.length + 1;
    if (depth > MAX_DEPTH) {
      return invalid(
        path.slice(0, root.length + MAX_DEPTH),
        'max-depth',
        `嵌套超过 ${MAX_DEPTH} 层 / nested deeper than ${MAX_DEPTH} levels`,
        '按模板提交扁平的数据 / send the flat shape the template shows',
        MAX_DEPTH,
      );
    }
    const entries = Array.isArray(next) ? next.map((item, i) => [i, item] as const) : Object.entries(next);
    const limit = Array.isArray(next) ? MAX_ITEMS : MAX_KEYS;
    if (entries.length > limit) {
      return invalid(
        path,
        Array.isArray(next) ? 'max-items' : 'max-keys',
        `最多 ${limit} 项 / at most ${limit} ${Array.isArray(next) ? 'items' : 'keys'}`,
        '分批提交或删减 / split the request or shorten it',
        limit,
      );
    }
    for (const [key, item] of entries) pending.push({ value: item, path: [...path, key] });
  }
  return undefined;
}

/** UTF-8 bytes of the request as JSON, counted up to `stopAfter` (then any larger number). */
export function jsonBytes(value: unknown, stopAfter = MAX_REQUEST_BYTES): number {
  const json = JSON.stringify(value) ?? '';
  // Every UTF-16 unit is at least one UTF-8 byte: a long text is over without counting.
  if (json.length > stopAfter) return json.length;
  let bytes = 0;
  for (let i = 0; i < json.length; i++) {
    const unit = json.charCodeAt(i);
    // A surrogate pair is one 4-byte character: 2 bytes per unit.
    bytes += unit < 0x80 ? 1 : unit < 0x800 ? 2 : unit >= 0xd800 && unit <= 0xdfff ? 2 : 3;
  }
  return bytes;
}

/** Over the total size: refused naming the largest top-level field, the one to shorten or split. */
export function sizeRejection(value: unknown): Rejection | undefined {
  if (jsonBytes(value) <= MAX_REQUEST_BYTES) return undefined;
  const largest =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.entries(value).reduce<[string, number] | undefined>((top, [key, item]) => {
          const bytes = jsonBytes(item, Infinity);
          return top && top[1] >= bytes ? top : [key, bytes];
        }, undefined)
      : undefined;
  return invalid(
    largest ? [largest[0]] : [],
    'max-bytes',
    `请求超过 ${MAX_REQUEST_BYTES / 1024} KiB / the request is larger than ${MAX_REQUEST_BYTES / 1024} KiB`,
    '分批提交，或缩短长文本 / split it into several requests, or shorten long texts',
    MAX_REQUEST_BYTES,
  );
}

// ---------------------------------------------------------------------------------------------
// Request shapes: which keys each request may carry, and the limits of each.

type Shape =
  | { type: 'text'; kind: TextKind; max: number; min?: number }
  | { type: 'list'; max: number; of: Shape }
  | { type: 'object'; keys: Record<string, Shape> }
  /**
   * Any keys (checked by their own validator, e.g. a form's answer ids; how many, by
   * structureRejection), each value of one shape.
   */
  | { type: 'record'; key: Shape; of: Shape }
  /** A value of whichever shape its type matches (each shape lets other types pass). */
  | { type: 'either'; shapes: Shape[] }
  /** Type and range checked by the workflow's own validator (numbers, flags, enums of objects). */
  | { type: 'scalar' }
  | { type: 'candidate' };

const id = (max = 100): Shape => ({ type: 'text', kind: 'identifier', max, min: 1 });
const prose = (max: number): Shape => ({ type: 'text', kind: 'free', max });
const SCALAR: Shape = { type: 'scalar' };
/** Credentials are base64url tokens (domain/credentials.ts): a few hundred characters. */
const CREDENTIAL = id(4_096);
const REASON = prose(500);
/**
 * A dossier's size bounds (domain/dossier.ts): each form checks its own answers further
 * (domain/forms.ts); these keep any dossier inside one request and carry no file content.
 */
const DOSSIER: Shape = {
  type: 'object',
  keys: {
    answers: {
      type: 'record',
      key: id(64),
      of: { type: 'either', shapes: [prose(5_000), { type: 'list', max: 100, of: prose(100) }] },
    },
    declarations: { type: 'list', max: 100, of: { type: 'object', keys: { id: id(), text: prose(500) } } },
    attachments: {
      type: 'list',
      max: 100,
      of: {
        type: 'object',
        keys: { sha256: id(64), name: id(255), slot: id(), format: id(10), size: SCALAR, pages: SCALAR },
      },
    },
  },
};

export const REQUEST_SHAPES = {
  nominate: {
    idempotencyKey: id(200),
    listId: id(),
    fieldId: id(),
    candidate: { type: 'candidate' },
    dossier: DOSSIER,
    credential: CREDENTIAL,
  },
  amend: { nominationId: id(), candidate: { type: 'candidate' }, dossier: DOSSIER, credential: CREDENTIAL },
  withdraw: { nominationId: id(), credential: CREDENTIAL },
  markComplete: { credential: CREDENTIAL },
  reason: { reason: REASON, credential: CREDENTIAL },
  extend: {
    scope: { type: 'object', keys: { kind: id(), stage: id(), unitId: id(), listId: id(), fieldId: id() } },
    until: SCALAR,
    reason: REASON,
    credential: CREDENTIAL,
  },
  mailHold: { reminderId: id(), held: SCALAR, credential: CREDENTIAL },
  reportReview: {
    listId: id(),
    fieldId: id(),
    results: {
      type: 'list',
      max: MAX_ITEMS,
      of: {
        type: 'object',
        keys: { nominationId: id(), rank: SCALAR, score: SCALAR, verdict: id(), comment: prose(2_000) },
      },
    },
    credential: CREDENTIAL,
  },
  finalComplete: {
    winners: {
      type: 'list',
      max: 1_000,
      of: {
        type: 'object',
        keys: { listId: id(), fieldId: id(), nominationIds: { type: 'list', max: MAX_ITEMS, of: id() } },
      },
    },
    credential: CREDENTIAL,
  },
} satisfies Record<string, Record<string, Shape>>;

export type RequestKind = keyof typeof REQUEST_SHAPES;

function unknownKey(path: Path, allowed: string[]): Rejection {
  return invalid(
    path,
    'unknown-key',
    '未知字段 / unknown field',
    `删除该字段；可用字段 / remove it; known fields: ${allowed.join(', ')}`,
  );
}

function shapeRejection(value: unknown, shape: Shape, path: Path): Rejection | undefined {
  // Absent values and wrong types are the workflow validators' to name; limits only here.
  if (value === undefined || value === null) return undefined;
  switch (shape.type) {
    case 'scalar':
      return undefined;
    case 'candidate': {
      const checked = checkCandidate(value);
      return checked.ok ? undefined : candidateRejection(checked.issue, path);
    }
    case 'text': {
      if (typeof value !== 'string') return undefined;
      return textRejection(value, shape, path);
    }
    case 'list': {
      if (!Array.isArray(value)) return undefined;
      if (value.length > shape.max) {
        return invalid(
          path,
          'max-items',
          `最多 ${shape.max} 项 / at most ${shape.max} items`,
          '分批提交 / split the request',
          shape.max,
        );
      }
      for (let i = 0; i < value.length; i++) {
        const refusal = shapeRejection(value[i], shape.of, [...path, i]);
        if (refusal) return refusal;
      }
      return undefined;
    }
    case 'object':
      return objectRejection(value, shape.keys, path);
    case 'record':
      return recordRejection(value, shape, path);
    case 'either':
      for (const option of shape.shapes) {
        const refusal = shapeRejection(value, option, path);
        if (refusal) return refusal;
      }
      return undefined;
  }
}

function recordRejection(
  value: unknown,
  shape: Extract<Shape, { type: 'record' }>,
  path: Path,
): Rejection | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const refusal =
      shapeRejection(key, shape.key, [...path, key]) ?? shapeRejection(item, shape.of, [...path, key]);
    if (refusal) return refusal;
  }
  return undefined;
}

function objectRejection(value: unknown, keys: Record<string, Shape>, path: Path): Rejection | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (!Object.hasOwn(keys, key)) return unknownKey([...path, key], Object.keys(keys));
    const refusal = shapeRejection(item, keys[key], [...path, key]);
    if (refusal) return refusal;
  }
  return undefined;
}

function textRejection(
  value: string,
  shape: { kind: TextKind; max: number; min?: number },
  path: Path,
): Rejection | undefined {
  if (value.length > shape.max) {
    return invalid(
      path,
      'max-length',
      `最多 ${shape.max} 个字符 / at most ${shape.max} characters`,
      '缩短该文本 / shorten it',
      shape.max,
    );
  }
  if (value.length < (shape.min ?? 0)) {
    return invalid(path, 'required', '不能为空 / must not be empty', '填写该字段 / fill it in');
  }
  const issue = textIssue(value, shape.kind);
  return issue ? invalid(path, issue.rule, issue.message, issue.fix) : undefined;
}

/** An id given beside a request (the unit or review body it goes to): one line, at most 100 characters. */
export function identifierRejection(field: string, value: string): Rejection | undefined {
  return textRejection(value, { kind: 'identifier', max: 100, min: 1 }, [field]);
}

/** A candidate issue (domain/candidate.ts) as the refusal every caller gives. */
export function candidateRejection(
  issue: { path: Path; message: string; rule?: string; limit?: number; fix?: string },
  root: Path = ['candidate'],
): Rejection {
  const field = fieldName([...root, ...issue.path]);
  return invalid(
    [...root, ...issue.path],
    issue.rule ?? 'schema',
    `候选信息不合规 / invalid candidate: ${field}: ${issue.message}`,
    issue.fix ?? '按模板填写该字段 / fill the field as the template shows',
    issue.limit,
  );
}

/**
 * The one check of a request's limits, text and keys, for the client before sending and the
 * workflow validators before anything else: depth and sizes first (nothing below walks a value
 * nested without bound), then each field's shape and text policy, then the total size.
 */
export function requestRejection(kind: RequestKind, request: unknown): Rejection | undefined {
  return (
    structureRejection(request) ??
    objectRejection(request, REQUEST_SHAPES[kind] as Record<string, Shape>, []) ??
    sizeRejection(request)
  );
}
