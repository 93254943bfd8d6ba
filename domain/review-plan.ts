/**
 * A review body's review plan (评审工作方案、专家构成方案及评价标准, filed with the secretariat per
 * the 2022 notice): the criteria experts score with their weights and scales, the panel, and how
 * many experts read each dossier. Checked here, once, for the client and the workflow validator.
 * Pure and deterministic.
 */
import { excerpt, textIssue } from './text';
import type { Rejection } from './rejections';

export interface Criterion {
  id: string;
  name: { zh: string; en?: string };
  /** Weights sum to 1 or to 100 over the plan's criteria. */
  weight: number;
  min: number;
  max: number;
  /** Scores are min + k·step (e.g. 0.5). */
  step: number;
}

export interface Expert {
  id: string;
  name: string;
  email: string;
  /** The expert's own organisation: checked against nominating units and candidates. */
  organisation: string;
}

export interface ReviewPlan {
  criteria: Criterion[];
  experts: Expert[];
  /** Experts per dossier (N). */
  expertsPerNomination: number;
}

const MAX_CRITERIA = 20;
const MAX_EXPERTS = 500;
/** Expert ids travel in credential labels (`expert:<body>/<id>`) and business keys. */
const EXPERT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PLAN_KEYS = ['criteria', 'experts', 'expertsPerNomination'];
const CRITERION_KEYS = ['id', 'name', 'weight', 'min', 'max', 'step'];
const EXPERT_KEYS = ['id', 'name', 'email', 'organisation'];

function invalid(field: string, rule: string, message: string, fix: string): Rejection {
  return { code: 'INVALID', field, rule, message, fix };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownKey(value: Record<string, unknown>, known: string[], at: string): Rejection | undefined {
  const extra = Object.keys(value).find((key) => !known.includes(key));
  if (extra === undefined) return undefined;
  return invalid(
    at ? `${at}.${excerpt(extra)}` : excerpt(extra),
    'unknown-key',
    '未知字段 / unknown field',
    `删除该字段；可用字段 / remove it; known fields: ${known.join(', ')}`,
  );
}

function nameIssue(value: unknown, field: string, max = 200): Rejection | undefined {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    return invalid(
      field,
      'required',
      `须为 1–${max} 字的文本 / must be text of 1–${max} characters`,
      '填写该项 / fill it in',
    );
  const issue = textIssue(value, 'name');
  return issue ? invalid(field, issue.rule, issue.message, issue.fix) : undefined;
}

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Is `value` on the scale's grid (min + k·step), allowing for binary fractions? */
export function onScale(value: number, c: Pick<Criterion, 'min' | 'max' | 'step'>): boolean {
  if (!Number.isFinite(value) || value < c.min || value > c.max) return false;
  const steps = (value - c.min) / c.step;
  return Math.abs(steps - Math.round(steps)) < 1e-9;
}

function criterionIssue(c: unknown, at: string): Rejection | undefined {
  if (!isObject(c))
    return invalid(
      at,
      'type',
      '评价指标须为对象 / a criterion must be an object',
      '按模板填写 / follow the template',
    );
  const extra = unknownKey(c, CRITERION_KEYS, at);
  if (extra) return extra;
  if (typeof c.id !== 'string' || !EXPERT_ID.test(c.id))
    return invalid(
      `${at}.id`,
      'identifier',
      '指标编号须为字母、数字、. _ - / the id must be letters, digits, . _ -',
      '如 innovation',
    );
  if (!isObject(c.name))
    return invalid(
      `${at}.name`,
      'required',
      '指标须有中文名称 / a criterion needs a name',
      '{"zh": "创新性", "en": "Innovation"}',
    );
  const named =
    nameIssue(c.name.zh, `${at}.name.zh`) ??
    (c.name.en === undefined ? undefined : nameIssue(c.name.en, `${at}.name.en`));
  if (named) return named;
  if (!finite(c.weight) || c.weight <= 0)
    return invalid(
      `${at}.weight`,
      'positive',
      '权重须为正数 / the weight must be a positive number',
      '如 0.3 或 30 / e.g. 0.3 or 30',
    );
  if (!finite(c.min) || !finite(c.max) || c.min >= c.max)
    return invalid(
      `${at}.max`,
      'scale',
      '分值范围须满足 min < max / the scale needs min < max',
      '如 min 0, max 100',
    );
  if (!finite(c.step) || c.step <= 0 || !onScale(c.max, { min: c.min, max: c.max, step: c.step }))
    return invalid(
      `${at}.step`,
      'step',
      '步长须为正数且能从 min 走到 max / the step must be positive and reach max from min',
      '如 1 或 0.5',
    );
  return undefined;
}

function expertIssue(e: unknown, at: string): Rejection | undefined {
  if (!isObject(e))
    return invalid(
      at,
      'type',
      '专家须为对象 / an expert must be an object',
      '按模板填写 / follow the template',
    );
  const extra = unknownKey(e, EXPERT_KEYS, at);
  if (extra) return extra;
  if (typeof e.id !== 'string' || !EXPERT_ID.test(e.id))
    return invalid(
      `${at}.id`,
      'identifier',
      '专家编号须为字母、数字、. _ -（至多 64 字）/ the id must be letters, digits, . _ - (64 at most)',
      '如 e01',
    );
  const named = nameIssue(e.name, `${at}.name`) ?? nameIssue(e.organisation, `${at}.organisation`);
  if (named) return named;
  if (typeof e.email !== 'string' || e.email.length > 254 || !EMAIL.test(e.email))
    return invalid(
      `${at}.email`,
      'email',
      '电子邮箱格式不正确 / the e-mail address is malformed',
      '如 name@example.org',
    );
  return undefined;
}

function duplicateId(items: Array<{ id: string }>, at: string): Rejection | undefined {
  const seen = new Set<string>();
  for (const [i, item] of items.entries()) {
    if (seen.has(item.id))
      return invalid(
        `${at}[${i}].id`,
        'unique',
        `编号 ${excerpt(item.id)} 重复 / the id is used twice`,
        '每项使用不同编号 / give each its own id',
      );
    seen.add(item.id);
  }
  return undefined;
}

/** The weights' total as the plan states it: 1 (fractions) or 100 (percent). */
export function weightTotal(plan: Pick<ReviewPlan, 'criteria'>): number {
  const sum = plan.criteria.reduce((total, c) => total + c.weight, 0);
  return Math.abs(sum - 100) < 1e-6 ? 100 : 1;
}

function weightsIssue(criteria: Criterion[]): Rejection | undefined {
  const sum = criteria.reduce((total, c) => total + c.weight, 0);
  if (Math.abs(sum - 1) < 1e-6 || Math.abs(sum - 100) < 1e-6) return undefined;
  return invalid(
    'criteria',
    'weights-sum',
    `权重之和须为 1 或 100（现为 ${Math.round(sum * 1e6) / 1e6}）/ weights must sum to 1 or 100 (they sum to ${Math.round(sum * 1e6) / 1e6})`,
    '调整各指标权重 / adjust the criteria’s weights',
  );
}

/** The first problem of a filed plan, or undefined when it holds. */
export function reviewPlanRejection(plan: unknown): Rejection | undefined {
  if (!isObject(plan))
    return invalid(
      'plan',
      'type',
      '评审方案须为对象 / the plan must be an object',
      '按模板填写 / follow the template',
    );
  const extra = unknownKey(plan, PLAN_KEYS, 'plan');
  if (extra) return extra;
  const { criteria, experts, expertsPerNomination } = plan;
  if (!Array.isArray(criteria) || criteria.length === 0 || criteria.length > MAX_CRITERIA)
    return invalid(
      'plan.criteria',
      'items',
      `须有 1–${MAX_CRITERIA} 项评价指标 / 1–${MAX_CRITERIA} criteria are needed`,
      '列出评价标准 / list the criteria',
    );
  if (!Array.isArray(experts) || experts.length === 0 || experts.length > MAX_EXPERTS)
    return invalid(
      'plan.experts',
      'items',
      `须有 1–${MAX_EXPERTS} 名专家 / 1–${MAX_EXPERTS} experts are needed`,
      '列出专家组成员 / list the panel',
    );
  for (const [i, c] of criteria.entries()) {
    const issue = criterionIssue(c, `plan.criteria[${i}]`);
    if (issue) return issue;
  }
  for (const [i, e] of experts.entries()) {
    const issue = expertIssue(e, `plan.experts[${i}]`);
    if (issue) return issue;
  }
  const checked = criteria as Criterion[];
  const again =
    duplicateId(checked, 'plan.criteria') ??
    duplicateId(experts as Expert[], 'plan.experts') ??
    weightsIssue(checked);
  if (again) return again;
  if (
    !Number.isInteger(expertsPerNomination) ||
    (expertsPerNomination as number) < 1 ||
    (expertsPerNomination as number) > experts.length
  )
    return invalid(
      'plan.expertsPerNomination',
      'range',
      `每份材料的评审专家数须为 1 至专家总数 ${experts.length} 之间的整数 / experts per dossier must be a whole number from 1 to ${experts.length}`,
      '如 5（≥5 时去掉最高分和最低分）/ e.g. 5 (from 5 the highest and lowest totals are dropped)',
    );
  return undefined;
}
