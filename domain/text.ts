/**
 * The one text policy for everything a person submits (CLI, typed client, portal, workflow
 * validators). Three kinds of text:
 *
 * - `name`: what a published list shows (candidate names, cities, categories). One line of
 *   visible text: no control characters, no bidi controls (an RLO makes a list show another name
 *   than the one stored), no invisible formatting except the joiners emoji and some scripts need,
 *   and at least one visible character.
 * - `identifier`: ids and keys (list, field, unit, nomination, mailing ids, idempotency keys):
 *   as a name, and no formatting characters at all.
 * - `free`: prose (summary, review comments, reasons): line breaks and tabs allowed, other
 *   control characters and bidi overrides/isolates refused.
 *
 * Every kind must already be Unicode NFC: the client normalises before sending, validators refuse
 * rather than change a value, so what a handler stores (and replays) is exactly what was sent.
 * Pure and deterministic; safe in workflow code.
 */

export type TextKind = 'name' | 'identifier' | 'free';

export type TextRule = 'nfc' | 'control' | 'bidi' | 'invisible' | 'no-visible' | 'lone-surrogate';

export interface TextIssue {
  rule: TextRule;
  /** Chinese / English; names the offending character by position and code point, never the text. */
  message: string;
  fix: string;
}

/** Embeddings, overrides and isolates: they reorder what follows, so a shown text can lie. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
/** Direction marks: harmless in prose, invisible (and spoofing) in a name or an id. */
const DIRECTION_MARK = /[\u200E\u200F\u061C]/u;
const LONE_SURROGATE = /\p{Cs}/u;
const FREE_TEXT_CONTROL = /[^\P{Cc}\t\n\r]/u;
const CONTROL = /\p{Cc}/u;
/** Line and paragraph separators break lines like CR/LF do. */
const LINE_SEPARATOR = /[\u2028\u2029]/u;
const FORMAT = /\p{Cf}/u;
/**
 * Formatting characters refused in a name: all but the zero-width (non-)joiners (emoji sequences
 * such as 👨‍👩‍👧, Indic and Persian spelling) and emoji tag characters (subdivision flags).
 */
const NAME_FORMAT = /(?!\u200C|\u200D|[\u{E0020}-\u{E007F}])\p{Cf}/u;
/** Letters and symbols that render as nothing: the fillers used to fake an empty or another name. */
const BLANK_LOOKING = /[\u115F\u1160\u3164\uFFA0\u2800\u180E]/gu;
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}\p{Co}]/u;

const CHARACTER_NAMES: Partial<Record<TextRule, { zh: string; en: string }>> = {
  control: { zh: '控制字符', en: 'a control character' },
  bidi: { zh: '双向文本控制符', en: 'a bidi control' },
  invisible: { zh: '不可见格式字符', en: 'an invisible formatting character' },
  'lone-surrogate': { zh: '孤立代理项', en: 'a lone surrogate' },
};

function characterIssue(value: string, pattern: RegExp, rule: TextRule, fix: string): TextIssue | undefined {
  const found = pattern.exec(value);
  if (!found) return undefined;
  const position = [...value.slice(0, found.index)].length + 1;
  const point = `U+${(found[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  const what = CHARACTER_NAMES[rule] ?? { zh: rule, en: rule };
  return {
    rule,
    message: `第 ${position} 个字符 ${point} 是${what.zh} / character ${position} is ${point}, ${what.en}`,
    fix,
  };
}

const REMOVE_IT = '删除该字符后重新提交 / remove that character and submit again';
const ONE_LINE =
  '名称和编号须为单行文本，删除换行和控制字符 / names and ids are one line: remove line breaks and control characters';

/** The characters refused in text of this kind (NFC and visibility aside), with rule and fix. */
function refusedCharacter(kind: TextKind): Array<[RegExp, TextRule, string]> {
  const common: Array<[RegExp, TextRule, string]> = [
    [LONE_SURROGATE, 'lone-surrogate', '文本编码有误，请重新输入 / the text is mis-encoded: type it again'],
    [BIDI_CONTROL, 'bidi', REMOVE_IT],
  ];
  if (kind === 'free')
    return [
      ...common,
      [FREE_TEXT_CONTROL, 'control', '只允许换行和制表符 / only line breaks and tabs are allowed'],
    ];
  return [
    ...common,
    [CONTROL, 'control', ONE_LINE],
    [LINE_SEPARATOR, 'control', ONE_LINE],
    [DIRECTION_MARK, 'bidi', REMOVE_IT],
    [kind === 'name' ? NAME_FORMAT : FORMAT, 'invisible', REMOVE_IT],
  ];
}

const REFUSED = {
  name: refusedCharacter('name'),
  identifier: refusedCharacter('identifier'),
  free: refusedCharacter('free'),
};

/** The first way `value` breaks the policy for its kind, or undefined when it is acceptable. */
export function textIssue(value: string, kind: TextKind): TextIssue | undefined {
  // Lone surrogates first: String.prototype.normalize leaves them, and they cannot be encoded.
  for (const [pattern, rule, fix] of REFUSED[kind]) {
    const issue = characterIssue(value, pattern, rule, fix);
    if (issue) return issue;
  }
  if (value.normalize('NFC') !== value) {
    return {
      rule: 'nfc',
      message: '文本未按 Unicode NFC 规范化 / the text is not in Unicode NFC',
      fix: '用 kczg 客户端提交（自动规范化），或先转换为 NFC / submit through the kczg client (it normalises), or convert to NFC first',
    };
  }
  if (kind !== 'free' && value !== '' && !VISIBLE.test(value.replace(BLANK_LOOKING, ''))) {
    return {
      rule: 'no-visible',
      message: '须包含可见字符 / must contain visible characters',
      fix: '填写实际名称 / write the actual name',
    };
  }
  return undefined;
}

/**
 * Every string in a JSON-like value in NFC (keys too). The client sends this; the result is a
 * fresh value, the input is not touched. Stops at `maxDepth` (deeper values are returned as is,
 * for the limit check to refuse).
 */
export function normaliseTexts<T>(value: T, maxDepth = 64): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return v.normalize('NFC');
    if (v === null || typeof v !== 'object' || depth >= maxDepth) return v;
    if (Array.isArray(v)) return v.map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) {
      // defineProperty: a `__proto__` key stays an own key (then refused as unknown), never a prototype.
      Object.defineProperty(out, key.normalize('NFC'), {
        value: walk(item, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  return walk(value, 0) as T;
}

/** Shown escaped in an excerpt: controls, line separators, invisible formatting but the joiners. */
const UNSAFE_TO_SHOW = /(?!\u200C|\u200D)[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;

/**
 * A short excerpt of any submitted value, safe to echo in a message or a terminal: at most `max`
 * characters, control, bidi and invisible characters shown as \u{…} escapes.
 */
export function excerpt(value: unknown, max = 40): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === undefined) text = 'undefined';
  else if (typeof value === 'object' && value !== null) text = Array.isArray(value) ? '[…]' : '{…}';
  else text = String(value);
  let out = '';
  let count = 0;
  for (const char of text) {
    if (count === max) return `${out}…`;
    out += UNSAFE_TO_SHOW.test(char) ? `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}` : char;
    count++;
  }
  return out;
}
