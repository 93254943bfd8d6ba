/**
 * A nominated candidate (organisation, person or team) and the check every nomination passes
 * before anything else. Hand-written rather than a zod schema because unit workflows run it:
 * with the SDK's reusable V8 context every workflow instantiates the modules it imports, and
 * zod with the programme schema costs megabytes per cached workflow (see BENCHMARKS.md).
 * Pure and deterministic.
 */

import { textIssue, type TextKind } from './text';

type Region = 'mainland' | 'hong-kong' | 'macao' | 'taiwan' | 'abroad';
type Standing = 'good' | 'abnormal-operation' | 'serious-dishonesty';

export interface Candidate {
  name: string;
  /** Organisation registration number or other stable identity, used to spot duplicates. */
  identity?: string;
  region?: Region;
  city?: string;
  foundedOn?: string;
  birthDate?: string;
  orgType?: string;
  focusFields?: string[];
  category?: string;
  classified?: boolean;
  standing?: Standing;
  enterpriseFoundedOn?: string;
  certified?: boolean;
  summary?: string;
  contactEmail?: string;
}

export interface CandidateIssue {
  /** Path inside the candidate, e.g. ["focusFields", 2]. */
  path: Array<string | number>;
  message: string;
  /** The rule that refused it ("max-length", "unknown-key", "control", …), when it has a name. */
  rule?: string;
  /** The limit that was passed (characters, items). */
  limit?: number;
  fix?: string;
}

export type CandidateCheck = { ok: true; candidate: Candidate } | { ok: false; issue: CandidateIssue };

type Bilingual = { zh: string; en: string };

/**
 * Every field a candidate may carry, with its limits and text kind (domain/text.ts): the one
 * source of checkCandidate and of programmes/candidate.schema.json.
 */
export type CandidateField = { description: Bilingual } & (
  | { type: 'text'; kind: TextKind; max: number; trim?: boolean; required?: boolean; example?: string }
  | { type: 'choice'; values: ReadonlyArray<{ value: string } & Bilingual> }
  | { type: 'date'; example: string }
  | { type: 'flag' }
  | { type: 'texts'; kind: TextKind; maxItems: number; max: number; example?: string[] }
  | { type: 'email'; max: number }
);

const named = (zh: string, en: string): Bilingual => ({ zh, en });

export const CANDIDATE_FIELDS = {
  name: {
    type: 'text',
    kind: 'name',
    max: 200,
    trim: true,
    required: true,
    example: '量子计算云平台',
    description: named(
      '候选名称（成果、企业、机构、个人或团队），如公布时所示',
      'the candidate’s name (achievement, enterprise, organisation, person or team) as it is to be published',
    ),
  },
  identity: {
    type: 'text',
    kind: 'name',
    max: 100,
    trim: true,
    example: '91110000717802345X',
    description: named(
      '统一社会信用代码或其他稳定标识，用于查重',
      'unified social credit code or another stable identity, used to spot duplicates',
    ),
  },
  region: {
    type: 'choice',
    values: [
      { value: 'mainland', ...named('中国内地', 'mainland China') },
      { value: 'hong-kong', ...named('香港', 'Hong Kong') },
      { value: 'macao', ...named('澳门', 'Macao') },
      { value: 'taiwan', ...named('台湾', 'Taiwan') },
      { value: 'abroad', ...named('境外', 'abroad') },
    ],
    description: named('注册地区', 'region of registration'),
  },
  city: { type: 'text', kind: 'name', max: 100, example: '保定', description: named('所在城市', 'city') },
  foundedOn: {
    type: 'date',
    example: '2016-05-01',
    description: named('成立（注册）日期', 'date founded (registered)'),
  },
  birthDate: {
    type: 'date',
    example: '1985-10-31',
    description: named('出生日期（个人）', 'date of birth (persons)'),
  },
  orgType: {
    type: 'text',
    kind: 'name',
    max: 100,
    example: '新型研发机构',
    description: named('机构类型', 'type of organisation'),
  },
  focusFields: {
    type: 'texts',
    kind: 'name',
    maxItems: 20,
    max: 100,
    example: ['新材料'],
    description: named('主要领域', 'fields of focus'),
  },
  category: {
    type: 'text',
    kind: 'name',
    max: 100,
    example: '基础材料',
    description: named('成果类别', 'category of the achievement'),
  },
  classified: {
    type: 'flag',
    description: named('是否涉密（涉密成果不能推荐）', 'classified (classified work cannot be nominated)'),
  },
  standing: {
    type: 'choice',
    values: [
      { value: 'good', ...named('信用良好', 'in good standing') },
      { value: 'abnormal-operation', ...named('列入经营异常名录', 'listed for abnormal operation') },
      { value: 'serious-dishonesty', ...named('列入严重失信名单', 'listed as seriously dishonest') },
    ],
    description: named('信用状况', 'credit standing'),
  },
  enterpriseFoundedOn: {
    type: 'date',
    example: '2010-03-01',
    description: named(
      '所在企业成立日期（技术经理人）',
      'date the employing enterprise was founded (technology managers)',
    ),
  },
  certified: {
    type: 'flag',
    description: named('是否持有技术经理人证书', 'holds a technology manager certificate'),
  },
  summary: {
    type: 'text',
    kind: 'free',
    max: 2000,
    description: named('简介（可换行）', 'summary (line breaks allowed)'),
  },
  contactEmail: { type: 'email', max: 320, description: named('联系邮箱', 'contact e-mail address') },
} as const satisfies Record<keyof Candidate, CandidateField>;

const FIELD_NAMES = Object.keys(CANDIDATE_FIELDS) as Array<keyof Candidate>;

export const REGIONS = CANDIDATE_FIELDS.region.values.map((v) => v.value);
export const STANDINGS = CANDIDATE_FIELDS.standing.values.map((v) => v.value);

/** YYYY-MM-DD that reads back unchanged (Date.parse rolls 2023-02-30 over to 2023-03-02). */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** No spaces, quotes, brackets or separators: an address that cannot smuggle in a header. */
export const EMAIL_PATTERN = /^[^\s@<>"',;]+@[^\s@<>"',;]+\.[^\s@<>"',;]+$/;

export function isEmailAddress(text: string): boolean {
  return EMAIL_PATTERN.test(text);
}

class IssueFound extends Error {
  constructor(readonly issue: CandidateIssue) {
    super(issue.message);
  }
}

function fail(
  path: Array<string | number>,
  message: string,
  extra: Omit<CandidateIssue, 'path' | 'message'> = {},
): never {
  throw new IssueFound({ path, message, ...extra });
}

function checkText(
  path: Array<string | number>,
  value: unknown,
  rules: { kind: TextKind; max: number; trim?: boolean },
): string {
  if (typeof value !== 'string') fail(path, '应为文本 / expected text', { rule: 'type' });
  const result = rules.trim ? value.trim() : value;
  // The length first: a 3 MB value is refused before anything reads it character by character.
  if (result.length > rules.max) {
    fail(path, `最多 ${rules.max} 个字符 / at most ${rules.max} characters`, {
      rule: 'max-length',
      limit: rules.max,
      fix: '缩短该文本 / shorten it',
    });
  }
  // A trimmed text (name, identity) given at all must say something.
  if (rules.trim && result.length === 0) fail(path, '不能为空 / must not be empty', { rule: 'required' });
  const issue = textIssue(result, rules.kind);
  if (issue) fail(path, issue.message, { rule: issue.rule, fix: issue.fix });
  return result;
}

function checkField(key: keyof Candidate, value: unknown): Candidate[keyof Candidate] {
  const field: CandidateField = CANDIDATE_FIELDS[key];
  switch (field.type) {
    case 'text':
      return checkText([key], value, field);
    case 'choice':
      if (typeof value !== 'string' || !field.values.some((v) => v.value === value)) {
        fail([key], `应为以下之一 / expected one of: ${field.values.map((v) => v.value).join(', ')}`, {
          rule: 'enum',
        });
      }
      return value;
    case 'date':
      if (typeof value !== 'string' || !isCalendarDate(value)) {
        fail([key], `应为真实日期 YYYY-MM-DD / a real calendar date as YYYY-MM-DD, e.g. "2023-11-30"`, {
          rule: 'date',
        });
      }
      return value;
    case 'flag':
      if (typeof value !== 'boolean')
        fail([key], '应为 true 或 false / expected true or false', { rule: 'type' });
      return value;
    case 'texts':
      if (!Array.isArray(value)) fail([key], '应为文本列表 / expected a list of texts', { rule: 'type' });
      if (value.length > field.maxItems) {
        fail([key], `最多 ${field.maxItems} 项 / at most ${field.maxItems} items`, {
          rule: 'max-items',
          limit: field.maxItems,
          fix: '删减到上限以内 / keep the most relevant ones',
        });
      }
      return value.map((item: unknown, index) => checkText([key, index], item, field));
    case 'email': {
      const text = checkText([key], value, { kind: 'identifier', max: field.max });
      if (!isEmailAddress(text)) fail([key], '应为电子邮件地址 / an e-mail address', { rule: 'email' });
      return text;
    }
  }
}

/**
 * Checks a candidate as submitted: the first problem found, or the candidate (name and identity
 * trimmed). Unknown keys (`__proto__` and `constructor` included) are refused, never dropped.
 * Texts must follow the text policy of domain/text.ts (NFC, no control or bidi characters in
 * names, visible names): the client normalises before sending, so nothing stored is rewritten.
 */
export function checkCandidate(raw: unknown): CandidateCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, issue: { path: [], message: '应为对象 / expected an object', rule: 'type' } };
  }
  try {
    const known = FIELD_NAMES as string[];
    for (const key of Object.keys(raw)) {
      if (!known.includes(key)) {
        fail([key], '未知字段 / unknown field', {
          rule: 'unknown-key',
          fix: `删除该字段；可用字段 / remove it; known fields: ${known.join(', ')}`,
        });
      }
    }
    const input = raw as Record<string, unknown>;
    if (!Object.hasOwn(input, 'name') || input.name === undefined)
      fail(['name'], '必填 / required', { rule: 'required' });
    const candidate: Record<string, unknown> = {};
    for (const key of FIELD_NAMES) {
      if (Object.hasOwn(input, key) && input[key] !== undefined) candidate[key] = checkField(key, input[key]);
    }
    return { ok: true, candidate: candidate as unknown as Candidate };
  } catch (error) {
    if (error instanceof IssueFound) return { ok: false, issue: error.issue };
    throw error;
  }
}

/**
 * The candidate as an update handler stores it, for a request its validator accepted: known
 * fields only, name and identity trimmed; it never refuses. Handlers run on replay, where the
 * request was accepted by the validator of its day (which dropped unknown keys and knew no text
 * policy): storing through this keeps those replays unchanged. For a request today's
 * checkCandidate accepts, the result is the same as its candidate.
 */
export function storedCandidate(accepted: object): Candidate {
  const input = accepted as Record<string, unknown>;
  const candidate: Record<string, unknown> = {};
  for (const key of FIELD_NAMES) {
    if (!Object.hasOwn(input, key) || input[key] === undefined) continue;
    const value = input[key];
    candidate[key] =
      (key === 'name' || key === 'identity') && typeof value === 'string' ? value.trim() : value;
  }
  return candidate as unknown as Candidate;
}
