/**
 * Loads a programme-year from a preset id or a JSON file, validates it against the schema, then
 * checks the cross-references zod cannot see (ids that must exist, stage order). Every failure is
 * a ProgrammeFileError naming the file, the JSON path, what is wrong and what was expected.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { beijingToEpochMs } from '../domain/calendar';
import { unmappedParts } from '../domain/chain';
import { formFor } from '../domain/forms';
import { eligibilityRuleSchema, programmeSchema, type Programme } from '../domain/programme';

export class ProgrammeFileError extends Error {
  constructor(
    /** The file (or preset id) at fault. */
    readonly file: string,
    /** Where in it: a JSON path ("lists[2].quota.default") or a table cell ("row 7, column channels"). */
    readonly path: string,
    readonly problem: string,
    readonly expected: string,
  ) {
    super(
      `方案文件 ${file} 的 ${path || '(整个文件)'} 有误：${problem}；应为：${expected} / ` +
        `programme file ${file}, at ${path || '(whole file)'}: ${problem}; expected ${expected}`,
    );
    this.name = 'ProgrammeFileError';
  }
}

/**
 * Presets are JSON beside this module in the source tree. tsc does not copy unreferenced JSON
 * into dist/, so the compiled module (dist/programmes/) looks back at the source folder.
 */
function presetsDir(): string {
  const candidates = [
    path.join(__dirname, 'presets'),
    path.resolve(__dirname, '..', '..', 'programmes', 'presets'),
  ];
  return candidates.find((dir) => fs.existsSync(dir)) ?? candidates[0];
}

export function listPresetIds(): string[] {
  const dir = presetsDir();
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

/** A preset id ("national-2023") or a path to a .json file. */
export function loadProgramme(idOrPath: string): Programme {
  const isPath = idOrPath.endsWith('.json') || idOrPath.includes('/') || idOrPath.includes(path.sep);
  const file = isPath ? path.resolve(idOrPath) : path.join(presetsDir(), `${idOrPath}.json`);
  if (!isPath && !listPresetIds().includes(idOrPath)) {
    throw new ProgrammeFileError(
      idOrPath,
      '',
      `没有名为 "${idOrPath}" 的预置方案 / no preset named "${idOrPath}"`,
      `预置方案 id 或 .json 文件路径 / a preset id (${listPresetIds().join(', ')}) or a path to a .json file`,
    );
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProgrammeFileError(
      file,
      '',
      `无法读取文件 / cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      '可读的 UTF-8 JSON 文件 / a readable UTF-8 JSON file',
    );
  }
  return validateProgramme(parseJson(text.replace(/^\uFEFF/, ''), file), file);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /position (\d+)/.exec(message);
    let where = '';
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split('\n').length;
      where = `line ${line}, column ${before.length - before.lastIndexOf('\n')}`;
    }
    throw new ProgrammeFileError(
      file,
      where,
      `JSON 语法错误 / invalid JSON: ${message}`,
      '合法的 JSON / valid JSON',
    );
  }
}

/**
 * Schema validation plus cross-reference checks. Exported for in-memory programmes (a programme
 * with a real roster swapped in); `file` names the source in errors.
 */
export function validateProgramme(raw: unknown, file: string): Programme {
  const parsed = programmeSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const { where, problem, expected } = describeIssue(issue, raw);
    throw new ProgrammeFileError(file, where, problem, expected);
  }
  const problem = crossReferenceProblem(parsed.data) ?? parentProblem(parsed.data);
  if (problem) throw new ProgrammeFileError(file, problem.path, problem.problem, problem.expected);
  return parsed.data;
}

/**
 * A parent that is a preset must have the unit this programme recommends as, and a list (and
 * field) for each of this programme's; a parent given as a file is checked when the cycle starts.
 */
function parentProblem(p: Programme): Problem | undefined {
  const link = p.parent;
  if (!link || !listPresetIds().includes(link.programme)) return undefined;
  if (link.programme === p.id) {
    return {
      path: 'parent.programme',
      problem: '上级不能是本方案 / a programme cannot be its own parent',
      expected: '另一方案的 id / another programme id',
    };
  }
  const parent = loadProgramme(link.programme);
  if (!parent.roster.units.some((u) => u.id === link.unit)) {
    return {
      path: 'parent.unit',
      problem: `上级 ${parent.id} 的名册中没有单位 "${link.unit}" / no unit "${link.unit}" on the roster of ${parent.id}`,
      expected: `上级名册中的单位 / a unit of ${parent.id}: ${parent.roster.units.map((u) => u.id).join(', ')}`,
    };
  }
  const unmapped = unmappedParts(p, parent);
  if (unmapped.length === 0) return undefined;
  return {
    path: 'parent.lists',
    problem: `上级 ${parent.id} 没有对应的榜单或领域 / ${parent.id} has no list or field for: ${unmapped.join('; ')}`,
    expected:
      '在 parent.lists / parent.fields 中写明对应的上级榜单、领域 / map each list and field onto the parent’s in parent.lists / parent.fields',
  };
}

type Issue = z.ZodError['issues'][number];

const RULE_NAMES = eligibilityRuleSchema.options.map((o) => o.shape.rule.value);

function describeIssue(issue: Issue, raw: unknown): { where: string; problem: string; expected: string } {
  const value = valueAt(raw, issue.path);
  const got = `${describeValue(value)}`;
  switch (issue.code) {
    case 'invalid_type':
      return {
        where: jsonPath(issue.path),
        problem: value === undefined ? '缺少该项 / missing' : `类型错误 / wrong type: ${got}`,
        expected: issue.expected,
      };
    case 'invalid_union':
      if (issue.discriminator) {
        // zod reports the path of the tag itself, or of the object holding it.
        const atTag = issue.path[issue.path.length - 1] === issue.discriminator;
        const tag = atTag ? value : (value as Record<string, unknown> | undefined)?.[issue.discriminator];
        return {
          where: jsonPath(atTag ? issue.path : [...issue.path, issue.discriminator]),
          problem: `未知取值 / unknown value: ${describeValue(tag)}`,
          expected: `其一 / one of ${issue.discriminator === 'rule' ? RULE_NAMES.join(', ') : issue.message}`,
        };
      }
      return { where: jsonPath(issue.path), problem: `取值无效 / invalid: ${got}`, expected: issue.message };
    case 'invalid_value':
      return {
        where: jsonPath(issue.path),
        problem: `取值无效 / invalid value: ${got}`,
        expected: `其一 / one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'too_small':
      return {
        where: jsonPath(issue.path),
        problem: `过小或过短 / too small: ${got}`,
        expected: `${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : ''}`,
      };
    case 'too_big':
      return {
        where: jsonPath(issue.path),
        problem: `过大或过长 / too big: ${got}`,
        expected: `${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}`,
      };
    default:
      // Format and refinement issues carry the schema's own description of a valid value.
      return {
        where: jsonPath(issue.path),
        problem: `取值无效 / invalid value: ${got}`,
        expected: issue.message,
      };
  }
}

interface Problem {
  path: string;
  problem: string;
  expected: string;
}

function crossReferenceProblem(p: Programme): Problem | undefined {
  const channelIds = p.channels.map((c) => c.id);
  const bodyIds = p.reviewBodies.map((b) => b.id);
  const duplicate =
    firstDuplicate(channelIds, 'channels') ??
    firstDuplicate(bodyIds, 'reviewBodies') ??
    firstDuplicate(
      p.lists.map((l) => l.id),
      'lists',
    ) ??
    firstDuplicate(
      p.roster.units.map((u) => u.id),
      'roster.units',
    ) ??
    p.lists
      .map((l, i) =>
        firstDuplicate(
          (l.fields ?? []).map((f) => f.id),
          `lists[${i}].fields`,
        ),
      )
      .find(Boolean);
  if (duplicate) return duplicate;

  for (const [i, list] of p.lists.entries()) {
    const at = `lists[${i}]`;
    const refs: [string, string][] = [
      ...(list.reviewBodies ?? []).map((id, k): [string, string] => [`${at}.reviewBodies[${k}]`, id]),
      ...(list.fields ?? []).flatMap((f, j) =>
        f.reviewBodies.map((id, k): [string, string] => [`${at}.fields[${j}].reviewBodies[${k}]`, id]),
      ),
    ];
    const unknown = refs.find(([, id]) => !bodyIds.includes(id));
    if (unknown) {
      return {
        path: unknown[0],
        problem: `未知评审机构 / unknown review body "${unknown[1]}"`,
        expected: `reviewBodies 中的 id / an id from reviewBodies: ${bodyIds.join(', ')}`,
      };
    }
    for (const key of Object.keys(list.quota?.perChannel ?? {})) {
      if (!channelIds.includes(key)) {
        return {
          path: `${at}.quota.perChannel${keySegment(key)}`,
          problem: `未知推荐渠道 / unknown channel "${key}"`,
          expected: `channels 中的 id / a channel id: ${channelIds.join(', ')}`,
        };
      }
    }
    const cityListProblem = unknownCityList(p, list, at) ?? duplicateFormId(list, at);
    if (cityListProblem) return cityListProblem;
    if (list.separatelyOrganised) {
      if (list.quota) {
        return {
          path: `${at}.quota`,
          problem: '另行组织的榜单不应设名额 / a separately organised list has a quota',
          expected: '省略 quota / no quota: channels do not nominate to it',
        };
      }
      continue;
    }
    if (!list.quota) {
      return {
        path: `${at}.quota`,
        problem: '缺少推荐名额 / missing quota',
        expected: '{ scope, default } 或 separatelyOrganised: true / a quota, or separatelyOrganised: true',
      };
    }
    if (list.quota.scope === 'field' && !list.fields) {
      return {
        path: `${at}.quota.scope`,
        problem: '榜单不分领域却按领域计名额 / scope "field" on a list without fields',
        expected: '"list"，或为榜单设置 fields / "list", or give the list fields',
      };
    }
    if (!list.fields && !(list.reviewBodies && list.reviewBodies.length > 0)) {
      return {
        path: `${at}.reviewBodies`,
        problem: '缺少初评机构 / no review body',
        expected: '榜单或每个领域至少一个评审机构 / at least one review body on the list or on every field',
      };
    }
  }

  for (const [i, unit] of p.roster.units.entries()) {
    const k = unit.channels.findIndex((c) => !channelIds.includes(c));
    if (k >= 0) {
      return {
        path: `roster.units[${i}].channels[${k}]`,
        problem: `未知推荐渠道 / unknown channel "${unit.channels[k]}"`,
        expected: `channels 中的 id / a channel id: ${channelIds.join(', ')}`,
      };
    }
  }
  return stageOrderProblem(p);
}

/** A pilotCityMember rule naming a city list the programme does not define. */
function unknownCityList(p: Programme, list: Programme['lists'][number], at: string): Problem | undefined {
  const known = Object.keys(p.cityLists);
  const ruleSets: [string, Programme['lists'][number]['eligibility']][] = [
    [`${at}.eligibility`, list.eligibility],
    ...(list.fields ?? []).map((f, j): [string, typeof list.eligibility] => [
      `${at}.fields[${j}].eligibility`,
      f.eligibility ?? [],
    ]),
  ];
  for (const [where, rules] of ruleSets) {
    for (const [k, rule] of rules.entries()) {
      if (rule.rule !== 'pilotCityMember') continue;
      const m = (rule.orIn ?? []).findIndex((id) => !known.includes(id));
      if (m >= 0) {
        return {
          path: `${where}[${k}].orIn[${m}]`,
          problem: `未知城市名单 / unknown city list "${rule.orIn?.[m]}"`,
          expected: `cityLists 中的 id / an id from cityLists: ${known.join(', ') || '(none defined)'}`,
        };
      }
    }
  }
  return undefined;
}

/**
 * A field's form adds to its list's (domain/forms.ts formFor): answer, declaration and slot ids
 * must be unique across both, or a dossier could not say which it answers.
 */
function duplicateFormId(list: Programme['lists'][number], at: string): Problem | undefined {
  const parts: [string, string | undefined][] = list.fields
    ? list.fields.map((f, j) => [`${at}.fields[${j}].form`, f.id])
    : [[`${at}.form`, undefined]];
  for (const [where, fieldId] of parts) {
    const form = formFor(list, fieldId);
    if (!form) continue;
    const duplicate =
      firstDuplicate(
        form.fields.map((f) => f.id),
        `${where}.fields`,
      ) ??
      firstDuplicate(
        form.declarations.map((d) => d.id),
        `${where}.declarations`,
      ) ??
      firstDuplicate(
        form.attachments.map((a) => a.id),
        `${where}.attachments`,
      );
    if (duplicate) return duplicate;
  }
  return undefined;
}

function stageOrderProblem(p: Programme): Problem | undefined {
  const s = p.stages;
  const points: [string, string][] = [
    ['stages.collection.opens', s.collection.opens],
    ['stages.collection.closes', s.collection.closes],
    ['stages.preliminaryReview.due', s.preliminaryReview.due],
    ['stages.finalReview.due', s.finalReview.due],
    ['stages.publication.on', s.publication.on],
    ['stages.promotion.from', s.promotion.from],
    ['stages.promotion.until', s.promotion.until],
  ];
  const ms = new Map<string, number>();
  for (const [at, value] of points) {
    try {
      ms.set(at, beijingToEpochMs(value));
    } catch {
      return {
        path: at,
        problem: `不存在的日期 / not a real date-time: "${value}"`,
        expected: '"YYYY-MM-DD HH:mm"',
      };
    }
  }
  // Each pair: [earlier, later, may they be equal].
  const order: [string, string, boolean][] = [
    ['stages.collection.opens', 'stages.collection.closes', false],
    ['stages.collection.closes', 'stages.preliminaryReview.due', true],
    ['stages.preliminaryReview.due', 'stages.finalReview.due', true],
    ['stages.finalReview.due', 'stages.publication.on', true],
    ['stages.promotion.from', 'stages.promotion.until', false],
  ];
  for (const [earlier, later, mayEqual] of order) {
    const a = ms.get(earlier) ?? 0;
    const b = ms.get(later) ?? 0;
    if (b < a || (!mayEqual && a === b)) {
      const valueOf = (at: string) => points.find(([k]) => k === at)?.[1];
      return {
        path: later,
        problem: `${valueOf(later)} 早于${mayEqual ? '' : '或等于'} ${earlier} (${valueOf(earlier)}) / before${mayEqual ? '' : ' or at'} ${earlier}`,
        expected: `${mayEqual ? '不早于' : '晚于'} ${earlier} / ${mayEqual ? 'at or after' : 'after'} ${earlier}`,
      };
    }
  }
  return undefined;
}

function firstDuplicate(ids: string[], at: string): Problem | undefined {
  const i = ids.findIndex((id, k) => ids.indexOf(id) !== k);
  return i < 0
    ? undefined
    : {
        path: `${at}[${i}].id`,
        problem: `id 重复 / duplicate id "${ids[i]}"`,
        expected: '唯一的 id / a unique id',
      };
}

/** ["lists", 2, "quota", "default"] → "lists[2].quota.default". */
function jsonPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : keySegment(String(s))))
    .join('');
}

/** ".perChannel", or ["pilot city"] for keys that are not plain identifiers. */
function keySegment(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function valueAt(raw: unknown, segments: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const s of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[s];
  }
  return node;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const text = JSON.stringify(value);
  return `${type} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
