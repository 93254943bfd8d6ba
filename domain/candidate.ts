/**
 * A nominated candidate (organisation, person or team) and the check every nomination passes
 * before anything else. Hand-written rather than a zod schema because unit workflows run it:
 * with the SDK's reusable V8 context every workflow instantiates the modules it imports, and
 * zod with the programme schema costs megabytes per cached workflow (see BENCHMARKS.md).
 * Pure and deterministic.
 */

export const REGIONS = ['mainland', 'hong-kong', 'macao', 'taiwan', 'abroad'] as const;
export const STANDINGS = ['good', 'abnormal-operation', 'serious-dishonesty'] as const;

export interface Candidate {
  name: string;
  /** Organisation registration number or other stable identity, used to spot duplicates. */
  identity?: string;
  region?: (typeof REGIONS)[number];
  city?: string;
  foundedOn?: string;
  birthDate?: string;
  orgType?: string;
  focusFields?: string[];
  category?: string;
  classified?: boolean;
  standing?: (typeof STANDINGS)[number];
  enterpriseFoundedOn?: string;
  certified?: boolean;
  summary?: string;
  contactEmail?: string;
}

export interface CandidateIssue {
  /** Path inside the candidate, e.g. ["focusFields", 2]. */
  path: Array<string | number>;
  message: string;
}

export type CandidateCheck = { ok: true; candidate: Candidate } | { ok: false; issue: CandidateIssue };

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

function fail(path: Array<string | number>, message: string): never {
  throw new IssueFound({ path, message });
}

type Raw = Record<string, unknown>;

function text(raw: Raw, key: string, max: number, options: { trim?: boolean; min?: number } = {}) {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail([key], `应为文本 / expected text`);
  const result = options.trim ? value.trim() : value;
  if (result.length < (options.min ?? 0)) fail([key], `不能为空 / must not be empty`);
  if (result.length > max) fail([key], `最多 ${max} 个字符 / at most ${max} characters`);
  return result;
}

function oneOf<T extends string>(raw: Raw, key: string, allowed: readonly T[]): T | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail([key], `应为以下之一 / expected one of: ${allowed.join(', ')}`);
  }
  return value as T;
}

function date(raw: Raw, key: string): string | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    fail([key], `应为真实日期 YYYY-MM-DD / a real calendar date as YYYY-MM-DD, e.g. "2023-11-30"`);
  }
  return value;
}

function flag(raw: Raw, key: string): boolean | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') fail([key], `应为 true 或 false / expected true or false`);
  return value;
}

function textList(raw: Raw, key: string, maxItems: number, maxLength: number): string[] | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail([key], `应为文本列表 / expected a list of texts`);
  if (value.length > maxItems) fail([key], `最多 ${maxItems} 项 / at most ${maxItems} items`);
  return value.map((item: unknown, index) => {
    if (typeof item !== 'string') fail([key, index], `应为文本 / expected text`);
    if (item.length > maxLength)
      fail([key, index], `最多 ${maxLength} 个字符 / at most ${maxLength} characters`);
    return item;
  });
}

/** Drops the keys whose value is undefined, so a checked candidate has only what was given. */
function defined(candidate: Candidate): Candidate {
  return Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined)) as Candidate;
}

/**
 * Checks a candidate as submitted: the first problem found, or the candidate with known fields
 * only (unknown keys are dropped, name and identity trimmed).
 */
export function checkCandidate(raw: unknown): CandidateCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, issue: { path: [], message: '应为对象 / expected an object' } };
  }
  const input = raw as Raw;
  try {
    const name = text(input, 'name', 200, { trim: true, min: 1 });
    if (name === undefined) fail(['name'], '必填 / required');
    const candidate: Candidate = {
      name,
      identity: text(input, 'identity', 100, { trim: true, min: 1 }),
      region: oneOf(input, 'region', REGIONS),
      city: text(input, 'city', 100),
      foundedOn: date(input, 'foundedOn'),
      birthDate: date(input, 'birthDate'),
      orgType: text(input, 'orgType', 100),
      focusFields: textList(input, 'focusFields', 20, 100),
      category: text(input, 'category', 100),
      classified: flag(input, 'classified'),
      standing: oneOf(input, 'standing', STANDINGS),
      enterpriseFoundedOn: date(input, 'enterpriseFoundedOn'),
      certified: flag(input, 'certified'),
      summary: text(input, 'summary', 2000),
      contactEmail: text(input, 'contactEmail', 320),
    };
    if (candidate.contactEmail !== undefined && !isEmailAddress(candidate.contactEmail)) {
      fail(['contactEmail'], '应为电子邮件地址 / an e-mail address');
    }
    return { ok: true, candidate: defined(candidate) };
  } catch (error) {
    if (error instanceof IssueFound) return { ok: false, issue: error.issue };
    throw error;
  }
}
