/**
 * `kczg plan` over the funding data: each funded list or field with its slots and amount as the
 * notice states them, the sum they may award, and "未载明" where a notice states no number.
 */
import { buildPlan, renderPlanText } from '../../client/plan';
import { loadProgramme } from '../../programmes/loader';

describe('kczg plan shows slots and money', () => {
  it('henan-2023: every programme, slots × amount, 1050万元 in all', () => {
    const plan = buildPlan(loadProgramme('henan-2023'));
    expect(plan.funding?.parts).toHaveLength(12);
    expect(plan.funding?.parts).toContainEqual({
      part: '“科创中原”试点市',
      slots: 3,
      amountCny: 500_000,
      totalCny: 1_500_000,
    });
    expect(plan.funding?.totalCny).toBe(10_500_000);
    const text = renderPlanText(plan);
    expect(text).toContain('资助 / Funding');
    expect(text).toMatch(/青年人才托举工程\s+50\s+5万元\s+250万元/);
    expect(text).toContain('资助合计 / funds in all: 1050万元（10500000 元）');
  });

  it('service-teams-2023: funded without stated numbers says so', () => {
    const plan = buildPlan(loadProgramme('service-teams-2023'));
    expect(plan.funding?.parts.map((p) => [p.slots, p.amountCny])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ]);
    const text = renderPlanText(plan);
    expect(text).toMatch(/产业创新论坛\s+未载明\s+未载明\s+未载明/);
    expect(text).toContain('通知未载明金额 / no amount stated');
  });

  it('national-2023: no funding, no funding section', () => {
    const plan = buildPlan(loadProgramme('national-2023'));
    expect(plan.funding).toBeUndefined();
    expect(renderPlanText(plan)).not.toContain('资助 / Funding');
  });
});
