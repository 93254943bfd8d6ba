/**
 * The public page of a funded programme (Henan): each winner's amount in 万元, each list's total
 * with its slots, and the overall total; the JSON's 元 column is not shown twice. The lists are
 * the rows publication builds (activities/publish.ts) with the programme's funding summary.
 */
import { publishedRows } from '../../activities/publish';
import { fundingSummary } from '../../domain/funding';
import { programmeDeadlines } from '../../domain/timeline';
import { loadProgramme } from '../../programmes/loader';
import { publicPage, type PublishedList } from '../../portal/pages/public';
import type { CycleStatus, Nomination } from '../../workflows/messages';

const henan = loadProgramme('henan-2023');
const nomination = (id: string, listId: string, name: string): Nomination =>
  ({ id, unitId: id.split('.')[0], listId, candidate: { name } }) as Nomination;

describe('the public page of a funded programme', () => {
  const winners = [
    { listId: 'innovation-talent', nominationIds: ['zhengzhou-cast.1'] },
    { listId: 'hundred-societies', nominationIds: ['dahe-media.1', 'luoyang-cast.1'] },
  ];
  const nominations = new Map(
    [
      nomination('zhengzhou-cast.1', 'innovation-talent', '郑州创新达人宣讲'),
      nomination('dahe-media.1', 'hundred-societies', '大河科技志愿服务'),
      nomination('luoyang-cast.1', 'hundred-societies', '洛阳科技志愿服务'),
    ].map((n) => [n.id, n]),
  );
  const funding = fundingSummary(henan, winners);
  const rows = publishedRows(henan, winners, nominations, funding);
  const amounts = new Map(funding.awards.map((a) => [a.nominationId, a.amountCny]));
  const lists: PublishedList[] = [...rows.entries()].map(([listId, listRows]) => ({
    listId,
    title: henan.lists.find((l) => l.id === listId)?.name.zh ?? listId,
    rows: listRows.map((r) => ({ ...r, amountCny: amounts.get(r.推荐编号) ?? 0 })),
    funding: funding.lists.find((l) => l.listId === listId),
    downloads: [],
  }));
  const status = {
    stage: 'promotion',
    paused: false,
    deadlines: programmeDeadlines(henan),
  } as unknown as CycleStatus;
  const page = publicPage({ programme: henan, status, lists });

  it('shows each winner’s amount in 万元 and not the 元 column', () => {
    expect(page).toContain('<th scope="col">资助金额（万元）</th>');
    expect(page).not.toContain('amountCny');
    expect(page).toMatch(/郑州创新达人宣讲[\s\S]*?<td\s+class="amount">20<\/td>/);
  });

  it('shows each list’s total with its slots and the overall total', () => {
    expect(page).toContain('合计 Total：2 项（名额 20 slots）');
    expect(page).toContain('10万元');
    expect(page).toContain('合计 Total：1 项（名额 1 slots）');
    expect(page).toMatch(/合计 Total：<strong>3<\/strong> 项 projects，<strong\s*>30万元<\/strong\s*>/);
    expect(funding.totalCny).toBe(300_000);
  });
});
