/**
 * The eligibility engine: applies a list's rules, then its field's rules, to a candidate and
 * reports the first rule that fails with the fact it read. Pure and deterministic: it runs inside
 * workflow code.
 *
 * Boundaries (see the notices' wording):
 * - foundedWithinYears / founderOfEnterpriseWithinYears: "成立年限不超过10年（工商注册成立时间以2023年
 *   反推）" counts whole calendar years back from the programme year, so the earliest allowed date is
 *   1 January of (year − years): for 2023 and 10 years, founded on or after 2013-01-01.
 * - foundedBefore: "在2021年9月1日之前" is strictly before; founded on the date itself fails.
 * - bornAfter: "1987年10月30日以后出生" with "35周岁以下" is strictly after; born on the date fails.
 *
 * Reference data the rules read (pilot cities, 创新驱动示范市) is often partial: a city a partial
 * list does not name is not refused but flagged for reviewers (`needsReview`), since the notice's
 * list may well include it. Only a list marked complete refuses on absence.
 */
import type { Candidate, EligibilityRule, Field, List, NoticeSource, Programme } from './programme';

/** A rule the engine could not decide on the reference data it has: for reviewers to check. */
export interface ReviewFlag {
  rule: string;
  fact: string;
  message: string;
  /** The notice's sentence, when the rule cites it, so reviewers judge against the wording. */
  source?: NoticeSource;
}

/**
 * `needsReview` appears only when some rule could not be decided (and none refused): such a
 * candidate is accepted, and its flags go to the reviewers.
 */
export type EligibilityVerdict =
  | { eligible: true; needsReview?: ReviewFlag[] }
  | { eligible: false; rule: string; fact: string; message: string };

/** The verdict in one word, for states and exports. */
export function verdictStatus(verdict: EligibilityVerdict): 'eligible' | 'needs-review' | 'refused' {
  if (!verdict.eligible) return 'refused';
  return verdict.needsReview ? 'needs-review' : 'eligible';
}

/** A winner of an earlier published list. */
export interface PriorWinner {
  year: number;
  listId: string;
  fieldId?: string;
  name: string;
  identity?: string;
  programmeId: string;
}

export interface EligibilityInput {
  programme: Programme;
  /** The list, or its id. */
  list: List | string;
  /** The field, or its id; required when the list has fields. */
  field?: Field | string;
  candidate: Candidate;
  priorWinners: readonly PriorWinner[];
}

type Failure = Extract<EligibilityVerdict, { eligible: false }>;
/** What one rule concludes: nothing against the candidate, a refusal, or a flag for review. */
type Outcome = Failure | { flag: ReviewFlag } | undefined;

const ELIGIBLE: EligibilityVerdict = { eligible: true };

/** Chinese names of the candidate facts, for messages. */
const FACT_ZH: Record<string, string> = {
  foundedOn: '成立日期',
  region: '注册地区',
  city: '所在城市',
  orgType: '机构类型',
  focusFields: '聚焦领域',
  category: '类别',
  birthDate: '出生日期',
  classified: '涉密情况',
  standing: '经营与信用状态',
  enterpriseFoundedOn: '创办企业注册日期',
  certified: '技术经理人培训认证',
  name: '名称',
  identity: '统一社会信用代码/身份标识',
};

export function checkEligibility(input: EligibilityInput): EligibilityVerdict {
  const { programme, candidate, priorWinners } = input;
  const list = typeof input.list === 'string' ? programme.lists.find((l) => l.id === input.list) : input.list;
  if (!list) {
    return fail(
      'list',
      'listId',
      `没有榜单 "${String(input.list)}" / no list "${String(input.list)}" in ${programme.id}`,
    );
  }
  const fieldId = typeof input.field === 'string' ? input.field : input.field?.id;
  const field = list.fields?.find((f) => f.id === fieldId);
  if (list.fields && !field) {
    return fieldId === undefined
      ? fail('field', 'fieldId', `榜单「${list.name.zh}」须指定领域 / list ${list.id} needs a field`)
      : fail(
          'field',
          'fieldId',
          `榜单「${list.name.zh}」没有领域 "${fieldId}" / list ${list.id} has no field "${fieldId}"`,
        );
  }
  if (!list.fields && fieldId !== undefined) {
    return fail('field', 'fieldId', `榜单「${list.name.zh}」不分领域 / list ${list.id} has no fields`);
  }
  const rules = [...list.eligibility, ...(field?.eligibility ?? [])];
  const flags: ReviewFlag[] = [];
  for (const rule of rules) {
    const outcome = applyRule(rule, { programme, list, field, candidate, priorWinners });
    if (outcome && 'flag' in outcome)
      flags.push(rule.source ? { ...outcome.flag, source: rule.source } : outcome.flag);
    else if (outcome) return outcome;
  }
  return flags.length > 0 ? { eligible: true, needsReview: flags } : ELIGIBLE;
}

/**
 * The flags an accepted nomination carries for reviewers: the rules its reference data could not
 * decide. They never depend on earlier winners (those refuse), so none are needed here.
 */
export function reviewFlagsOf(
  programme: Programme,
  nomination: { listId: string; fieldId?: string; candidate: Candidate },
): ReviewFlag[] {
  const verdict = checkEligibility({
    programme,
    list: nomination.listId,
    field: nomination.fieldId,
    candidate: nomination.candidate,
    priorWinners: [],
  });
  return verdict.eligible ? (verdict.needsReview ?? []) : [];
}

interface RuleContext {
  programme: Programme;
  list: List;
  field?: Field;
  candidate: Candidate;
  priorWinners: readonly PriorWinner[];
}

type RuleOf<K extends EligibilityRule['rule']> = Extract<EligibilityRule, { rule: K }>;

/** One check per rule of the notices; each returns a failure, a review flag, or nothing. */
const RULE_CHECKS: { [K in EligibilityRule['rule']]: (rule: RuleOf<K>, ctx: RuleContext) => Outcome } = {
  foundedWithinYears: (rule, { candidate: c, programme }) => {
    const label = `foundedWithinYears: ${rule.years}`;
    const earliest = `${programme.year - rule.years}-01-01`;
    if (c.foundedOn === undefined) return missing(rule.rule, 'foundedOn', label);
    return c.foundedOn < earliest
      ? fail(
          rule.rule,
          'foundedOn',
          `成立日期 ${c.foundedOn} 早于 ${earliest}（${label}）/ founded ${c.foundedOn}, before ${earliest}`,
        )
      : undefined;
  },
  foundedBefore: (rule, { candidate: c }) => {
    const label = `foundedBefore: ${rule.date}`;
    if (rule.orgTypes) {
      if (c.orgType === undefined) return missing(rule.rule, 'orgType', label);
      if (!rule.orgTypes.some((t) => sameText(t, c.orgType ?? ''))) return undefined;
    }
    if (c.foundedOn === undefined) return missing(rule.rule, 'foundedOn', label);
    if (c.foundedOn < rule.date) return undefined;
    const scope = rule.orgTypes ? `${c.orgType}：` : '';
    const scopeEn = rule.orgTypes ? ` (${c.orgType})` : '';
    return fail(
      rule.rule,
      'foundedOn',
      `${scope}成立日期 ${c.foundedOn} 不早于 ${rule.date}（${label}）/ founded ${c.foundedOn}, not before ${rule.date}${scopeEn}`,
    );
  },
  mainlandOnly: (rule, { candidate: c }) => {
    if (c.region === undefined) return missing(rule.rule, 'region', rule.rule);
    return c.region === 'mainland'
      ? undefined
      : fail(
          rule.rule,
          'region',
          `注册地区 ${c.region} 不在中国境内（不含港澳台）（mainlandOnly）/ registered in ${c.region}, not mainland China`,
        );
  },
  pilotCityMember: (rule, { candidate: c, programme }) => {
    if (c.city === undefined) return missing(rule.rule, 'city', rule.rule);
    return cityMembership(rule.rule, c.city, [
      pilotCityList(programme),
      ...namedCityLists(programme, rule.orIn),
    ]);
  },
  notPilotCity: (rule, { candidate: c, programme }) => {
    if (c.city === undefined) return missing(rule.rule, 'city', rule.rule);
    const pilot = pilotCityList(programme);
    if (inCityList(pilot, c.city)) {
      return fail(
        rule.rule,
        'city',
        `所在城市 ${c.city} 已是“科创中国”试点城市，不在申报之列（notPilotCity）/ city ${c.city} is already a KCZG pilot city`,
      );
    }
    return pilot.complete
      ? undefined
      : flag(
          rule.rule,
          'city',
          `所在城市 ${c.city} 不在已知的“科创中国”试点城市名单中，但名单不全，请评审核对是否已获试点（notPilotCity）/ ` +
            `city ${c.city} is not on the known pilot-city list, which is partial: reviewers to check it is not a pilot city already`,
        );
  },
  orgTypeIn: (rule, { candidate: c }) => oneOf(rule.rule, 'orgType', c.orgType, rule.values),
  categoryIn: (rule, { candidate: c }) => oneOf(rule.rule, 'category', c.category, rule.values),
  focusFieldIn: (rule, { candidate: c }) => {
    const label = `focusFieldIn: ${rule.values.join('、')}`;
    if (!c.focusFields || c.focusFields.length === 0) return missing(rule.rule, 'focusFields', label);
    return c.focusFields.some((f) => rule.values.some((v) => sameText(v, f)))
      ? undefined
      : fail(
          rule.rule,
          'focusFields',
          `聚焦领域 ${c.focusFields.join('、')} 不在 ${rule.values.join('、')} 之列（focusFieldIn）/ ` +
            `focus fields ${c.focusFields.join(', ')} include none of ${rule.values.join(', ')}`,
        );
  },
  bornAfter: (rule, { candidate: c }) => {
    const label = `bornAfter: ${rule.date}`;
    if (c.birthDate === undefined) return missing(rule.rule, 'birthDate', label);
    return c.birthDate > rule.date
      ? undefined
      : fail(
          rule.rule,
          'birthDate',
          `出生日期 ${c.birthDate} 不晚于 ${rule.date}（${label}）/ born ${c.birthDate}, not after ${rule.date}`,
        );
  },
  notClassified: (rule, { candidate: c }) => {
    if (c.classified === undefined) return missing(rule.rule, 'classified', rule.rule);
    return c.classified
      ? fail(
          rule.rule,
          'classified',
          '涉密情况 涉密（notClassified）/ classified: true, must not be classified',
        )
      : undefined;
  },
  goodStanding: (rule, { candidate: c }) => {
    if (c.standing === undefined) return missing(rule.rule, 'standing', rule.rule);
    return c.standing === 'good'
      ? undefined
      : fail(
          rule.rule,
          'standing',
          `经营与信用状态 ${c.standing}：列入经营异常名录或严重违法失信名单（goodStanding）/ standing ${c.standing}`,
        );
  },
  founderOfEnterpriseWithinYears: (rule, { candidate: c, programme }) => {
    const label = `founderOfEnterpriseWithinYears: ${rule.years}`;
    const earliest = `${programme.year - rule.years}-01-01`;
    if (c.enterpriseFoundedOn === undefined) return missing(rule.rule, 'enterpriseFoundedOn', label);
    return c.enterpriseFoundedOn < earliest
      ? fail(
          rule.rule,
          'enterpriseFoundedOn',
          `创办企业注册日期 ${c.enterpriseFoundedOn} 早于 ${earliest}（${label}）/ ` +
            `enterprise founded ${c.enterpriseFoundedOn}, before ${earliest}`,
        )
      : undefined;
  },
  holdsCertification: (rule, { candidate: c }) => {
    if (c.certified === undefined) return missing(rule.rule, 'certified', rule.rule);
    return c.certified
      ? undefined
      : fail(
          rule.rule,
          'certified',
          '技术经理人培训认证 无（holdsCertification）/ certified: false, technology-manager training or certification required',
        );
  },
  notPriorWinner: (rule, ctx) => priorWin(rule, ctx),
};

function applyRule(rule: EligibilityRule, ctx: RuleContext): Outcome {
  const check = RULE_CHECKS[rule.rule] as (rule: EligibilityRule, ctx: RuleContext) => Outcome;
  return check(rule, ctx);
}

function priorWin(
  rule: Extract<EligibilityRule, { rule: 'notPriorWinner' }>,
  ctx: RuleContext,
): Failure | undefined {
  const { programme, list, candidate } = ctx;
  const lists = rule.lists ?? [list.id];
  const hit = ctx.priorWinners.find(
    (w) =>
      (rule.years ? rule.years.includes(w.year) : w.year < programme.year) &&
      lists.includes(w.listId) &&
      (!rule.fields || (w.fieldId !== undefined && rule.fields.includes(w.fieldId))) &&
      sameCandidate(candidate, w),
  );
  if (!hit) return undefined;
  const byIdentity = candidate.identity !== undefined && hit.identity !== undefined;
  const fact = byIdentity ? 'identity' : 'name';
  const value = byIdentity ? candidate.identity : candidate.name;
  const where = hit.fieldId ? `${hit.listId}/${hit.fieldId}` : hit.listId;
  return fail(
    rule.rule,
    fact,
    `${FACT_ZH[fact]} ${value} 已入选 ${hit.year} 年 ${where}（notPriorWinner）/ ` +
      `${fact} ${value} already won ${where} in ${hit.year} (${hit.programmeId})`,
  );
}

interface KnownCities {
  name: string;
  cities: readonly string[];
  complete: boolean;
}

function pilotCityList(programme: Programme): KnownCities {
  return {
    name: '“科创中国”试点城市（园区）',
    cities: programme.pilotCities,
    complete: programme.pilotCitiesReference?.complete ?? false,
  };
}

/** The loader rejects unknown ids; an id it did not see (an in-memory programme) counts as empty and partial. */
function namedCityLists(programme: Programme, ids: readonly string[] = []): KnownCities[] {
  return ids.map((id) => {
    const list = programme.cityLists[id];
    return list
      ? { name: list.name.zh, cities: list.cities, complete: list.complete }
      : { name: id, cities: [], complete: false };
  });
}

function inCityList(list: KnownCities, city: string): boolean {
  return list.cities.some((known) => sameCity(known, city));
}

/** A member of any list passes; absent from all, it is refused only if every list is complete. */
function cityMembership(rule: string, city: string, lists: KnownCities[]): Outcome {
  if (lists.some((list) => inCityList(list, city))) return undefined;
  const names = lists.map((list) => list.name).join('、');
  if (lists.every((list) => list.complete)) {
    return fail(
      rule,
      'city',
      `所在城市 ${city} 不在${names}之列（${rule}）/ city ${city} is on none of the lists: ${names}`,
    );
  }
  return flag(
    rule,
    'city',
    `所在城市 ${city} 不在已知的${names}名单中，名单不全，请评审核对（${rule}）/ ` +
      `city ${city} is not on the known lists (${names}), which are partial: reviewers to check`,
  );
}

/** Same candidate: by identity when both have one, else by normalised name. */
function sameCandidate(c: Candidate, w: PriorWinner): boolean {
  if (c.identity !== undefined && w.identity !== undefined) return sameText(c.identity, w.identity);
  return sameText(c.name, w.name);
}

/** Trimmed, full-width folded to half-width (NFKC), case-folded. */
export function normaliseName(s: string): string {
  return s.normalize('NFKC').trim().toLowerCase();
}

function sameText(a: string, b: string): boolean {
  return normaliseName(a) === normaliseName(b);
}

/** "保定" and "保定市" name the same city. */
function sameCity(a: string, b: string): boolean {
  const strip = (s: string) => normaliseName(s).replace(/市$/, '');
  return strip(a) === strip(b);
}

function oneOf(rule: string, fact: string, value: string | undefined, values: string[]): Failure | undefined {
  const label = `${rule}: ${values.join('、')}`;
  if (value === undefined) return missing(rule, fact, label);
  return values.some((v) => sameText(v, value))
    ? undefined
    : fail(
        rule,
        fact,
        `${FACT_ZH[fact]} ${value} 不在 ${values.join('、')} 之列（${rule}）/ ${fact} ${value} is not one of ${values.join(', ')}`,
      );
}

function missing(rule: string, fact: string, label: string): Failure {
  return fail(
    rule,
    fact,
    `缺少${FACT_ZH[fact] ?? fact}（${fact}），无法判断 ${label} / missing fact ${fact}, required by ${rule}`,
  );
}

function flag(rule: string, fact: string, message: string): Outcome {
  return { flag: { rule, fact, message } };
}

function fail(rule: string, fact: string, message: string): Failure {
  return { eligible: false, rule, fact, message };
}
