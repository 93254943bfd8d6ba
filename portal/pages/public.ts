/**
 * The public page: the year's timeline and the published lists as tables with their downloads.
 * For a funded programme each winner shows its amount (万元), each list its total, and the page
 * the overall total (from the lists publication wrote).
 */
import { AMOUNT_HEADING } from '../../activities/publication/funding';
import { formatWan, type ListFunding } from '../../domain/funding';
import type { Programme } from '../../domain/programme';
import type { CycleStatus } from '../../workflows/messages';
import { html, type SafeHtml } from './html';
import { layout, type Viewer } from './layout';
import { timelineSection } from './timeline';

export interface PublishedList {
  listId: string;
  title: string;
  rows: Array<Record<string, string | number>>;
  /** A funded list's winners, slots and total, as its JSON carries them. */
  funding?: ListFunding;
  downloads: Array<{ name: string; format: string; href: string }>;
}

/** The list JSON's amount in 元 beside the 万元 column: the table shows the 万元 one only. */
const HIDDEN_COLUMNS = new Set(['amountCny']);

const amountText = (funding: ListFunding) =>
  funding.amountStated ? formatWan(funding.totalCny) : '未载明 not stated';

function totalRow(headings: string[], funding: ListFunding): SafeHtml {
  const slots = funding.slots === undefined ? '' : `（名额 ${funding.slots} slots）`;
  return html`<tfoot>
    <tr>
      <th scope="row" colspan="${Math.max(1, headings.length - 1)}">
        合计 Total：${funding.winners} 项${slots}
      </th>
      <td class="amount">${amountText(funding)}</td>
    </tr>
  </tfoot>`;
}

function fundingTotals(lists: PublishedList[]): SafeHtml {
  const funded = lists.flatMap((l) => (l.funding ? [{ title: l.title, funding: l.funding }] : []));
  if (funded.length === 0) return html``;
  const stated = funded.some((l) => l.funding.amountStated);
  const total = funded.reduce((n, l) => n + l.funding.totalCny, 0);
  const winners = funded.reduce((n, l) => n + l.funding.winners, 0);
  return html`<section aria-labelledby="funding-h">
    <h2 id="funding-h">资助 Funding</h2>
    <ul>
      ${funded.map((l) => html`<li>${l.title}：${l.funding.winners} 项，${amountText(l.funding)}</li>`)}
    </ul>
    <p class="total">
      合计 Total：<strong>${winners}</strong> 项 projects，<strong
        >${stated ? formatWan(total) : '未载明 not stated'}</strong
      >
    </p>
  </section>`;
}

function listTable(list: PublishedList): SafeHtml {
  const headings = Object.keys(list.rows[0] ?? {}).filter((h) => !HIDDEN_COLUMNS.has(h));
  return html`<article aria-labelledby="list-${list.listId}">
    <h3 id="list-${list.listId}">${list.title}</h3>
    <p class="downloads">
      下载
      Download：${list.downloads.map((d) => html`<a href="${d.href}" download>${d.format.toUpperCase()}</a> `)}
    </p>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            ${headings.map((h) => html`<th scope="col">${h}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${list.rows.map(
            (row) =>
              html`<tr>
                ${headings.map((h) => html`<td ${h === AMOUNT_HEADING ? html` class="amount"` : ''}>${row[h]}</td>`)}
              </tr>`,
          )}
        </tbody>
        ${list.funding && headings.includes(AMOUNT_HEADING) ? totalRow(headings, list.funding) : ''}
      </table>
    </div>
  </article>`;
}

export function publicPage(args: {
  programme: Programme;
  status: CycleStatus;
  lists: PublishedList[];
  viewer?: Viewer;
}): string {
  const { programme, status, lists, viewer } = args;
  const body = html` ${timelineSection(status)}
    <section aria-labelledby="lists-h">
      <h2 id="lists-h">公示榜单 Published lists</h2>
      ${lists.length === 0 ? html`<p>榜单尚未发布 / nothing has been published yet.</p>` : ''}
      ${lists.map(listTable)}
    </section>
    ${fundingTotals(lists)}`;
  return layout({
    title: `${programme.name.zh} · 公示 Published`,
    programmeId: programme.id,
    body,
    ...(viewer ? { viewer } : {}),
  });
}
