/**
 * The secretariat's audit page: the filters as a GET form (bookmarkable, no script), the entries
 * in Beijing time, the next page, and the CSV/JSON exports of what the filters keep.
 */
import { formatBeijing } from '../../domain/calendar';
import type { Programme } from '../../domain/programme';
import type { CycleAuditEntry } from '../../client/cycle-audit';
import type { AuditEntry } from '../../workflows/messages';
import type { ApiError } from '../errors';
import type { AuditFilter } from '../routes/audit';
import { html, type SafeHtml } from './html';
import { layout, outcome, type Viewer } from './layout';

const OUTCOMES: Record<AuditEntry['outcome'], string> = {
  accepted: '受理 accepted',
  rejected: '拒绝 rejected',
  info: '信息 info',
};

/** The filter as a query string (only the filters that are set). */
export function filterQuery(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) if (value) params.set(key, value);
  return params.toString();
}

function filterForm(action: string, filter: AuditFilter, actions: string[]): SafeHtml {
  return html`<form method="get" action="${action}" class="filters" role="search">
    <label for="f-actor">操作者<span class="en">Actor contains</span></label
    ><input id="f-actor" name="actor" value="${filter.actor ?? ''}" placeholder="unit:cie" maxlength="200" />
    <label for="f-action">操作<span class="en">Action</span></label
    ><select id="f-action" name="action">
      <option value="">全部 all</option>
      ${actions.map((a) => html`<option value="${a}" ${a === filter.action ? html` selected` : ''}>${a}</option>`)}
    </select>
    <label for="f-from">起（北京时间）<span class="en">From, Beijing time</span></label
    ><input
      id="f-from"
      name="from"
      value="${filter.from ?? ''}"
      placeholder="2023-11-10 08:00"
      maxlength="40"
    />
    <label for="f-to">止（含）<span class="en">To, inclusive</span></label
    ><input id="f-to" name="to" value="${filter.to ?? ''}" placeholder="2023-12-05 24:00" maxlength="40" />
    <button type="submit">筛选 Filter</button>
  </form>`;
}

function entryTable(entries: CycleAuditEntry[]): SafeHtml {
  if (entries.length === 0) return html`<p>没有符合条件的记录 / no entries match.</p>`;
  return html`<div class="scroll">
    <table class="audit stack">
      <caption>
        审计记录 Audit entries
      </caption>
      <thead>
        <tr>
          <th scope="col">时间 When</th>
          <th scope="col">操作者 Actor</th>
          <th scope="col">操作 Action</th>
          <th scope="col">结果 Outcome</th>
          <th scope="col">详情 Detail</th>
          <th scope="col">代码 Code</th>
        </tr>
      </thead>
      <tbody>
        ${entries.map(
          (e) =>
            html`<tr class="outcome-${e.outcome}">
              <td data-label="时间 When">${formatBeijing(e.at)}</td>
              <td data-label="操作者 Actor">${e.actor}${e.projectId ? html` · 项目 ${e.projectId}` : ''}</td>
              <td data-label="操作 Action">${e.action}</td>
              <td data-label="结果 Outcome">${OUTCOMES[e.outcome] ?? e.outcome}</td>
              <td data-label="详情 Detail">${e.detail}</td>
              <td data-label="代码 Code">${e.code ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

export function auditPage(args: {
  programme: Programme;
  viewer: Viewer;
  filter: AuditFilter;
  entries: CycleAuditEntry[];
  /** How many entries the filter keeps, over all pages. */
  total: number;
  actions: string[];
  nextCursor?: string;
  error?: ApiError;
}): string {
  const { programme, viewer, filter, entries, total, actions, nextCursor, error } = args;
  const action = `/s/${programme.id}/audit`;
  const exportBase = `/api/v1/cycles/${programme.id}/audit/export`;
  const body = html`${outcome(error, undefined)}
    <p><a href="/s/${programme.id}">← 返回秘书处 Back to the dashboard</a></p>
    ${filterForm(action, filter, actions)}
    <p>
      共 ${total} 条 / ${total} entries ·
      <a href="${exportBase}?${filterQuery(filter, { format: 'csv' })}" download>导出 CSV Export CSV</a> ·
      <a href="${exportBase}?${filterQuery(filter, { format: 'json' })}" download>导出 JSON Export JSON</a>
    </p>
    ${entryTable(entries)}
    ${nextCursor ? html`<p><a href="${action}?${filterQuery(filter, { cursor: nextCursor })}" rel="next">下一页 Next page →</a></p>` : ''}`;
  return layout({
    title: `${programme.name.zh} · 审计日志 Audit log`,
    programmeId: programme.id,
    viewer,
    body,
  });
}
