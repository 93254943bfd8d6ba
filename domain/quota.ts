/**
 * Per-unit nomination quotas. A unit's limit for a list (or a field of it, when the quota's scope
 * is 'field') combines the quotas of all its channels: summed when the notice lets them stack
 * (可叠加, quotaCombination 'sum'), else the largest. Usage is a plain count of a unit's live
 * nominations per quota key, so a withdrawal releases its slot by lowering the count. Pure.
 */
import type { List, Programme, Unit } from './programme';
import { reject, type Rejection } from './rejections';

/** The usage key of a quota part: "pioneer-tech/electronics" for a field, "emerging-enterprise" for a list. */
export function quotaKey(listId: string, fieldId?: string): string {
  return fieldId ? `${listId}/${fieldId}` : listId;
}

/**
 * How many nominations the unit may hold for the list (for each field of it when the scope is
 * 'field'). 0 for unknown lists or fields, separately organised lists and lists without a quota.
 */
export function combinedQuota(programme: Programme, unit: Unit, listId: string, fieldId?: string): number {
  const list = programme.lists.find((l) => l.id === listId);
  if (!list || list.separatelyOrganised || !list.quota) return 0;
  if (fieldId !== undefined && !list.fields?.some((f) => f.id === fieldId)) return 0;
  return channelQuotas(unit, list).reduce(
    (acc, { quota }) => (programme.quotaCombination === 'sum' ? acc + quota : Math.max(acc, quota)),
    0,
  );
}

export type QuotaCheck = { ok: true; used: number; limit: number } | { ok: false; rejection: Rejection };

/**
 * May the unit add ONE more nomination to the list (field)? `usage` counts the unit's current,
 * non-withdrawn nominations by quotaKey(); the check passes while used + 1 <= limit.
 */
export function checkQuota(args: {
  programme: Programme;
  unit: Unit;
  listId: string;
  fieldId?: string;
  usage: Record<string, number>;
}): QuotaCheck {
  const { programme, unit, listId, fieldId, usage } = args;
  const list = programme.lists.find((l) => l.id === listId);
  if (!list) {
    return {
      ok: false,
      rejection: reject('UNKNOWN_LIST', `没有榜单 "${listId}" / no list "${listId}" in ${programme.id}`, {
        field: 'listId',
        fix: `可选榜单 / lists: ${programme.lists.map((l) => l.id).join(', ')}`,
      }),
    };
  }
  if (list.separatelyOrganised) {
    return {
      ok: false,
      rejection: reject(
        'NOT_ALLOWED',
        `「${list.name.zh}」另行组织，不接受渠道推荐 / ${list.id} is organised separately and takes no channel nominations`,
        {
          field: 'listId',
          rule: 'separatelyOrganised',
          fix: '联系该榜单的评审机构 / contact the list’s own review body',
        },
      ),
    };
  }
  const field = list.fields?.find((f) => f.id === fieldId);
  if (list.fields && !field) {
    return {
      ok: false,
      rejection: reject(
        'INVALID',
        fieldId
          ? `榜单「${list.name.zh}」没有领域 "${fieldId}" / list ${list.id} has no field "${fieldId}"`
          : `榜单「${list.name.zh}」须指定领域 / list ${list.id} needs a field`,
        {
          field: 'fieldId',
          rule: 'field',
          fix: `可选领域 / fields: ${list.fields.map((f) => f.id).join(', ')}`,
        },
      ),
    };
  }
  const key = list.quota?.scope === 'field' ? quotaKey(listId, field?.id) : quotaKey(listId);
  const used = usage[key] ?? 0;
  const limit = combinedQuota(programme, unit, listId, field?.id);
  if (used + 1 <= limit) return { ok: true, used, limit };

  const where = field ? `「${list.name.zh}·${field.name.zh}」` : `「${list.name.zh}」`;
  const breakdown = channelQuotas(unit, list)
    .map(({ channelId, quota }) => `${channelName(programme, channelId)} ${quota}`)
    .join(programme.quotaCombination === 'sum' ? ' + ' : '、');
  const message =
    limit === 0
      ? `推荐单位「${unit.name}」所属渠道在${where}没有推荐名额 / unit ${unit.id} has no quota for ${key} in its channels`
      : `推荐单位「${unit.name}」在${where}已推荐 ${used} 项，达到上限 ${limit} 项（${breakdown}）/ ` +
        `unit ${unit.id} already holds ${used} of ${limit} nominations for ${key}`;
  return {
    ok: false,
    rejection: reject('QUOTA_EXCEEDED', message, {
      field: field ? 'fieldId' : 'listId',
      rule: 'quota',
      fix:
        limit === 0
          ? '通过有名额的推荐渠道推荐，或联系秘书处 / nominate through a channel with a quota, or contact the secretariat'
          : '先撤回一项已有推荐再提交，或联系秘书处 / withdraw one of the existing nominations first, or contact the secretariat',
    }),
  };
}

/** A part of a list counted against one quota: the whole list, or one field when scope is 'field'. */
export interface QuotaPart {
  /** The usage key, see quotaKey(). */
  key: string;
  listId: string;
  fieldId?: string;
}

/** The parts of a list that carry their own quota; none for unknown, separately organised or quota-less lists. */
export function quotaPartsOf(p: Programme, listId: string): QuotaPart[] {
  const list = p.lists.find((l) => l.id === listId);
  if (!list || list.separatelyOrganised || !list.quota) return [];
  if (list.quota.scope === 'field' && list.fields) {
    return list.fields.map((field) => ({
      key: quotaKey(list.id, field.id),
      listId: list.id,
      fieldId: field.id,
    }));
  }
  return [{ key: quotaKey(list.id), listId: list.id }];
}

export interface QuotaUsageRow {
  listId: string;
  fieldId?: string;
  used: number;
  limit: number;
  remaining: number;
}

/** One row per quota part of every list the unit can nominate to, in programme order. */
export function quotaUsageReport(
  programme: Programme,
  unit: Unit,
  usage: Record<string, number>,
): QuotaUsageRow[] {
  return programme.lists.flatMap((list) =>
    quotaPartsOf(programme, list.id).map((part) => {
      const used = usage[part.key] ?? 0;
      const limit = combinedQuota(programme, unit, part.listId, part.fieldId);
      return {
        listId: part.listId,
        fieldId: part.fieldId,
        used,
        limit,
        remaining: Math.max(0, limit - used),
      };
    }),
  );
}

function channelQuotas(unit: Unit, list: List): { channelId: string; quota: number }[] {
  const quota = list.quota;
  if (!quota) return [];
  // A unit listed twice in the same channel must not count it twice.
  return [...new Set(unit.channels)].map((channelId) => ({
    channelId,
    quota: quota.perChannel?.[channelId] ?? quota.default,
  }));
}

function channelName(programme: Programme, channelId: string): string {
  return programme.channels.find((c) => c.id === channelId)?.name.zh ?? channelId;
}
