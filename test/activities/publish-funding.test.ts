/**
 * The published rows of a funded programme carry each project's amount in 万元 (or 未载明 where
 * the notice states none); a programme without funding keeps its columns as before.
 */
import { publishedRows, renderCsv } from '../../activities/publish';
import { fundingSummary } from '../../domain/funding';
import { loadProgramme } from '../../programmes/loader';
import type { Nomination } from '../../workflows/messages';

const nomination = (id: string, unitId: string, listId: string, fieldId?: string): Nomination => ({
  id,
  unitId,
  listId,
  ...(fieldId ? { fieldId } : {}),
  candidate: { name: `候选 ${id}` },
  idempotencyKey: id,
  submittedAt: 0,
});

describe('published rows with amounts', () => {
  it('henan-2023: each row its part’s amount in 万元', () => {
    const henan = loadProgramme('henan-2023');
    const winners = [
      { listId: 'academic-platform', fieldId: 'national-event', nominationIds: ['a-1'] },
      { listId: 'pilot-city', nominationIds: ['p-1'] },
    ];
    const nominations = new Map([
      ['a-1', nomination('a-1', 'zzu', 'academic-platform', 'national-event')],
      ['p-1', nomination('p-1', 'luoyang-cast', 'pilot-city')],
    ]);
    const rows = publishedRows(henan, winners, nominations, fundingSummary(henan, winners));
    expect(rows.get('academic-platform')?.[0]).toMatchObject({
      领域: '国际性或全国性学术交流活动',
      '资助金额（万元）': 15,
    });
    expect(rows.get('pilot-city')?.[0]).toMatchObject({ '资助金额（万元）': 50 });
  });

  it('service-teams-2023: 未载明 where the notice states no amount', () => {
    const service = loadProgramme('service-teams-2023');
    const unitId = service.roster.units[0].id;
    const winners = [{ listId: 'brand-activity', fieldId: 'industry-forum', nominationIds: ['f-1'] }];
    const nominations = new Map([['f-1', nomination('f-1', unitId, 'brand-activity', 'industry-forum')]]);
    const rows = publishedRows(service, winners, nominations, fundingSummary(service, winners));
    expect(rows.get('brand-activity')?.[0]).toMatchObject({ '资助金额（万元）': '未载明' });
  });

  it('baoding-2023: a list the programme does not fund has no amount column', () => {
    const baoding = loadProgramme('baoding-2023');
    const unitId = baoding.roster.units[0].id;
    const winners = [
      { listId: 'pioneer-tech', nominationIds: ['t-1'] },
      { listId: 'promotion-traffic', nominationIds: ['p-1'] },
    ];
    const nominations = new Map([
      ['t-1', nomination('t-1', unitId, 'pioneer-tech')],
      ['p-1', nomination('p-1', unitId, 'promotion-traffic')],
    ]);
    const rows = publishedRows(baoding, winners, nominations, fundingSummary(baoding, winners));
    expect(Object.keys(rows.get('pioneer-tech')?.[0] ?? {})).not.toContain('资助金额（万元）');
    expect(rows.get('promotion-traffic')?.[0]).toMatchObject({ '资助金额（万元）': '未载明' });
  });

  it('national-2023: no amount column', () => {
    const national = loadProgramme('national-2023');
    const winners = [{ listId: 'emerging-enterprise', nominationIds: ['e-1'] }];
    const nominations = new Map([['e-1', nomination('e-1', 'cie', 'emerging-enterprise')]]);
    const rows = publishedRows(national, winners, nominations);
    expect(Object.keys(rows.get('emerging-enterprise')?.[0] ?? {})).not.toContain('资助金额（万元）');
    expect(renderCsv(rows.get('emerging-enterprise') ?? [])).not.toContain('资助金额');
  });
});
