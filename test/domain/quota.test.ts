import type { Programme, Unit } from '../../domain/programme';
import { checkQuota, combinedQuota, quotaKey, quotaUsageReport } from '../../domain/quota';
import { quotaPartsOf } from '../../domain/timeline';
import { loadProgramme } from '../../programmes/loader';

const n2022 = loadProgramme('national-2022');
const n2023 = loadProgramme('national-2023');

const unitOf = (p: Programme, id: string): Unit => p.roster.units.find((u) => u.id === id)!;
/** One channel (全国学会). */
const cie = unitOf(n2023, 'cie');
/** Two channels (全国学会 + 联合体成员单位): quotas stack. */
const csae = unitOf(n2023, 'csae');

function check(programme: Programme, unit: Unit, listId: string, fieldId: string | undefined, used: number) {
  const key = quotaKey(
    listId,
    programme.lists.find((l) => l.id === listId)?.quota?.scope === 'field' ? fieldId : undefined,
  );
  return checkQuota({ programme, unit, listId, fieldId, usage: { [key]: used } });
}

describe('quotaKey', () => {
  it('joins list and field, or is the list id alone', () => {
    expect(quotaKey('pioneer-tech', 'electronics')).toBe('pioneer-tech/electronics');
    expect(quotaKey('emerging-enterprise')).toBe('emerging-enterprise');
  });
});

describe('one channel: the notice’s quota per unit', () => {
  it.each([
    ['pioneer-tech', 'electronics', 3],
    ['pioneer-tech', 'industrial-foundation', 3],
    ['emerging-enterprise', undefined, 5],
    ['integrated-innovation-org', undefined, 2],
    ['tech-manager-pioneer', undefined, 2],
  ])('%s %s: limit %i', (listId, fieldId, limit) => {
    expect(combinedQuota(n2023, cie, listId, fieldId)).toBe(limit);
  });

  it.each([
    [0, true],
    [2, true],
    [3, false],
    [4, false],
  ])('先导技术榜 电子信息 with %i already nominated → the next one ok=%s (limit 3 per field)', (used, ok) => {
    const result = check(n2023, cie, 'pioneer-tech', 'electronics', used);
    expect(result.ok).toBe(ok);
    if (result.ok) expect(result).toEqual({ ok: true, used, limit: 3 });
  });

  it('one over the quota is refused with QUOTA_EXCEEDED, naming used and limit, and a fix', () => {
    const result = check(n2023, cie, 'emerging-enterprise', undefined, 5);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.rejection).toMatchObject({ code: 'QUOTA_EXCEEDED', rule: 'quota', field: 'listId' });
      expect(result.rejection.message).toMatch(
        /^推荐单位「中国电子学会」在「.*新锐企业榜」已推荐 5 项，达到上限 5 项/,
      );
      expect(result.rejection.message).toContain('already holds 5 of 5');
      expect(result.rejection.fix).toMatch(/撤回.*withdraw/);
    }
  });

  it('counts each field of 先导技术榜 separately', () => {
    const usage = { [quotaKey('pioneer-tech', 'electronics')]: 3 };
    expect(
      checkQuota({ programme: n2023, unit: cie, listId: 'pioneer-tech', fieldId: 'electronics', usage }).ok,
    ).toBe(false);
    expect(
      checkQuota({ programme: n2023, unit: cie, listId: 'pioneer-tech', fieldId: 'biomedicine', usage }).ok,
    ).toBe(true);
  });

  it('counts 创业就业先锋榜 (2022) across both its fields: 2 per unit in all', () => {
    const unit = unitOf(n2022, 'cie');
    const usage = { 'entrepreneurship-pioneer': 2 };
    for (const fieldId of ['startup-pioneer', 'employment-pioneer']) {
      expect(
        checkQuota({ programme: n2022, unit, listId: 'entrepreneurship-pioneer', fieldId, usage }).ok,
      ).toBe(false);
    }
  });

  it('a withdrawal releases its slot: usage is just the count of live nominations', () => {
    expect(check(n2023, cie, 'integrated-innovation-org', undefined, 2).ok).toBe(false);
    expect(check(n2023, cie, 'integrated-innovation-org', undefined, 1).ok).toBe(true);
  });
});

describe('stacked quotas across two channels (可叠加)', () => {
  it.each([
    ['pioneer-tech', 'electronics', 6],
    ['emerging-enterprise', undefined, 10],
    ['integrated-innovation-org', undefined, 4],
  ])('%s %s: limit %i', (listId, fieldId, limit) => {
    expect(combinedQuota(n2023, csae, listId, fieldId)).toBe(limit);
  });

  it.each([
    [9, true],
    [10, false],
  ])('新锐企业榜 with %i already nominated → ok=%s (5 + 5)', (used, ok) => {
    expect(check(n2023, csae, 'emerging-enterprise', undefined, used).ok).toBe(ok);
  });

  it('explains the sum in the refusal', () => {
    const result = check(n2023, csae, 'emerging-enterprise', undefined, 10);
    expect(!result.ok && result.rejection.message).toContain(
      '全国学会、协会、研究会 5 + “科创中国”联合体成员单位 5',
    );
  });

  it('takes the larger channel quota when the programme says max', () => {
    const max: Programme = {
      ...n2023,
      quotaCombination: 'max',
      lists: n2023.lists.map((l) =>
        l.id === 'emerging-enterprise'
          ? { ...l, quota: { ...l.quota!, perChannel: { 'consortium-member': 7 } } }
          : l,
      ),
    };
    expect(combinedQuota(max, csae, 'emerging-enterprise')).toBe(7);
    expect(combinedQuota(max, cie, 'emerging-enterprise')).toBe(5);
  });

  it('counts a channel listed twice on a unit once', () => {
    expect(
      combinedQuota(
        n2023,
        { ...cie, channels: ['national-society', 'national-society'] },
        'emerging-enterprise',
      ),
    ).toBe(5);
  });
});

describe('lists outside the quota', () => {
  it.each([
    ['international-cooperation', undefined],
    ['open-source', 'open-source-product'],
  ])('separately organised %s takes no channel nominations', (listId, fieldId) => {
    const unit = unitOf(n2022, 'cie');
    expect(combinedQuota(n2022, unit, listId, fieldId)).toBe(0);
    const result = checkQuota({ programme: n2022, unit, listId, fieldId, usage: {} });
    expect(!result.ok && result.rejection).toMatchObject({
      code: 'NOT_ALLOWED',
      rule: 'separatelyOrganised',
    });
  });

  it('refuses an unknown list and a missing or unknown field', () => {
    const unknownList = checkQuota({ programme: n2023, unit: cie, listId: 'nope', usage: {} });
    expect(!unknownList.ok && unknownList.rejection.code).toBe('UNKNOWN_LIST');
    const noField = checkQuota({ programme: n2023, unit: cie, listId: 'pioneer-tech', usage: {} });
    expect(!noField.ok && noField.rejection).toMatchObject({ code: 'INVALID', field: 'fieldId' });
    const badField = checkQuota({
      programme: n2023,
      unit: cie,
      listId: 'pioneer-tech',
      fieldId: 'quantum',
      usage: {},
    });
    expect(!badField.ok && badField.rejection.code).toBe('INVALID');
    expect(combinedQuota(n2023, cie, 'pioneer-tech', 'quantum')).toBe(0);
  });

  it('a channel with a zero quota is refused as having no quota', () => {
    const zero: Programme = {
      ...n2023,
      lists: n2023.lists.map((l) =>
        l.id === 'tech-manager-pioneer'
          ? { ...l, quota: { ...l.quota!, perChannel: { 'national-society': 0 } } }
          : l,
      ),
    };
    const result = checkQuota({ programme: zero, unit: cie, listId: 'tech-manager-pioneer', usage: {} });
    expect(!result.ok && result.rejection).toMatchObject({ code: 'QUOTA_EXCEEDED', rule: 'quota' });
    expect(!result.ok && result.rejection.message).toContain('没有推荐名额');
  });
});

describe('quotaUsageReport', () => {
  it('has a row per field of a per-field list and a row per other list, with what remains', () => {
    const rows = quotaUsageReport(n2023, csae, { 'pioneer-tech/electronics': 2, 'emerging-enterprise': 10 });
    expect(rows).toHaveLength(6 + 3);
    expect(rows[0]).toEqual({
      listId: 'pioneer-tech',
      fieldId: 'electronics',
      used: 2,
      limit: 6,
      remaining: 4,
    });
    expect(rows.find((r) => r.listId === 'emerging-enterprise')).toEqual({
      listId: 'emerging-enterprise',
      fieldId: undefined,
      used: 10,
      limit: 10,
      remaining: 0,
    });
  });

  it('leaves out separately organised lists', () => {
    const rows = quotaUsageReport(n2022, unitOf(n2022, 'cie'), {});
    expect(rows.map((r) => r.listId)).not.toContain('international-cooperation');
    expect(rows.map((r) => r.listId)).not.toContain('open-source');
    expect(quotaPartsOf(n2022, 'open-source')).toEqual([]);
  });
});
