/**
 * What the owner's and the secretariat's project pages share: the targets with progress meters
 * (threshold in force, the notice's when reduced, the accepted figure, waivers with their reason),
 * the report dues with the next deadline counting down in Beijing time, and the reports with
 * their verdicts and reasons.
 */
import { formatDeadline } from '../../domain/calendar';
import type { DueState } from '../project-schemas';
import type { ProjectSummary, ProjectView } from '../routes/projects-view';
import { html, type SafeHtml } from './html';

const epoch = (instant: string) => Date.parse(instant);
export const beijing = (instant: string) => formatDeadline(epoch(instant));

export const DUE_KIND: Record<ProjectView['dues'][number]['kind'], string> = {
  'half-yearly': '半年报 Half-yearly',
  'year-end': '年终报告 Year-end',
  final: '终期报告 Final',
};

export const DUE_STATE: Record<DueState, string> = {
  owed: '待提交 Owed',
  overdue: '已逾期 Overdue',
  submitted: '待审核 Awaiting verification',
  accepted: '已确认 Accepted',
};

export const REPORT_STATE: Record<ProjectView['reports'][number]['status'], string> = {
  submitted: '待审核 Awaiting verification',
  accepted: '已确认 Accepted',
  rejected: '已退回 Rejected',
  'more-requested': '需补充 More requested',
};

export const OUTCOME_EN: Record<ProjectView['outcome'], string> = {
  通过: 'passed',
  部分通过: 'partly passed',
  不通过: 'not passed',
};

export function projectFacts(view: ProjectView): SafeHtml {
  return html`<dl class="facts">
    <dt>项目 Project</dt>
    <dd>${view.projectId}</dd>
    <dt>承担单位 Owner</dt>
    <dd>${view.owner.name}（${view.owner.unitId}）</dd>
    <dt>榜单领域 List</dt>
    <dd>${view.partName}</dd>
    <dt>验收 Acceptance</dt>
    <dd>
      ${
        view.acceptedAt
          ? html`<strong>${view.outcome}</strong> ${OUTCOME_EN[view.outcome]} · ${beijing(view.acceptedAt)}`
          : html`未验收 not yet（按现有确认数 as things stand：${view.outcome}）`
      }
    </dd>
  </dl>`;
}

export function targetsSection(view: ProjectView): SafeHtml {
  return html`<section aria-labelledby="targets-h">
    <h2 id="targets-h">任务指标 Targets</h2>
    <ul class="targets">
      ${view.targets.map(
        (t) =>
          html`<li>
            <span class="target-metric"
              >${t.metric}${t.evidenceRequired ? html` <span class="tag">须附佐证 evidence</span>` : ''}${
                t.platformConfirmation ? html` <span class="tag">须平台确认 platform</span>` : ''
              }</span
            >
            <meter
              min="0"
              max="${t.threshold || 1}"
              value="${Math.min(t.accepted, t.threshold || 1)}"
              aria-label="${t.metric}"
            >
              ${t.accepted}/${t.threshold}
            </meter>
            <span class="meter-figure"
              >${t.accepted}/${t.threshold}
              ${t.unit}${t.met ? ' ✓' : ''}${
                t.threshold !== t.noticeThreshold
                  ? html` <s title="通知目标值 notice">${t.noticeThreshold}</s>`
                  : ''
              }</span
            >
            ${t.waivers.map((w) => html`<span class="waiver">抵减至 reduced to ${w.threshold}：${w.reason}</span>`)}
          </li>`,
      )}
    </ul>
  </section>`;
}

export function duesSection(view: ProjectView): SafeHtml {
  const next = view.acceptedAt
    ? undefined
    : view.dues.find((d) => d.status === 'owed' || d.status === 'overdue');
  return html`<section aria-labelledby="dues-h">
    <h2 id="dues-h">报告期 Reports due</h2>
    ${
      next
        ? html`<p>
              下一期 Next：${DUE_KIND[next.kind]}，截止
              <time datetime="${next.at}" data-countdown data-now="${view.now}">${beijing(next.at)}</time>
            </p>
            <p class="countdown" aria-live="off"></p>`
        : ''
    }
    <ul class="dues">
      ${view.dues.map(
        (d) =>
          html`<li class="due-${d.status}">
            ${DUE_KIND[d.kind]} · ${beijing(d.at)} · <strong>${DUE_STATE[d.status]}</strong>
          </li>`,
      )}
    </ul>
  </section>`;
}

function figuresList(view: ProjectView, report: ProjectView['reports'][number]): SafeHtml {
  const metric = (id: string) => view.targets.find((t) => t.id === id)?.metric ?? id;
  return html`<ul class="figures">
    ${report.figures.map(
      (f) =>
        html`<li>
          ${metric(f.target)}：<strong>${f.value}</strong>${
            f.evidence.length ? html`（佐证 evidence：${f.evidence.map((e) => e.name).join('、')}）` : ''
          }
        </li>`,
    )}
  </ul>`;
}

/** The reports newest first; `actions` adds the secretariat's verdict form to a pending one. */
export function reportsSection(
  view: ProjectView,
  actions: (report: ProjectView['reports'][number]) => SafeHtml | '' = () => '',
): SafeHtml {
  const dueName = (dueId: string) => {
    const due = view.dues.find((d) => d.id === dueId);
    return due ? DUE_KIND[due.kind] : dueId;
  };
  return html`<section aria-labelledby="reports-h">
    <h2 id="reports-h">已提交报告与审核 Reports and verdicts</h2>
    ${view.reports.length === 0 ? html`<p>尚无报告 / no reports yet.</p>` : ''}
    ${[...view.reports].reverse().map(
      (r) =>
        html`<article class="report report-${r.status}" aria-labelledby="report-${r.id}">
          <h3 id="report-${r.id}">
            ${r.id} · ${dueName(r.dueId)} · <span class="status">${REPORT_STATE[r.status]}</span>
          </h3>
          <p>
            提交于 Submitted
            ${beijing(r.submittedAt)}${r.decidedAt ? html` · 审核于 Decided ${beijing(r.decidedAt)}` : ''}
          </p>
          ${r.reason ? html`<p class="reason"><strong>理由 Reason：</strong>${r.reason}</p>` : ''}
          ${figuresList(view, r)} ${actions(r)}
        </article>`,
    )}
  </section>`;
}

/** The projects as a table (cards on a phone); the owner column for the secretariat only. */
export function projectsTable(projects: ProjectSummary[], base: string, withOwner: boolean): SafeHtml {
  type Column = [label: string, cell: (p: ProjectSummary) => SafeHtml | string | number];
  const owner: Column[] = withOwner ? [['承担单位 Owner', (p) => p.owner.name]] : [];
  const columns: Column[] = [
    ['项目 Project', (p) => html`<a href="${base}/${p.projectId}">${p.projectId}</a>`],
    ...owner,
    ['榜单领域 List', (p) => p.partName],
    ['待交 Owed', (p) => p.owed],
    ['逾期 Overdue', (p) => (p.overdue ? html`<strong class="bad">${p.overdue}</strong>` : 0)],
    ['下次截止 Next due', (p) => (p.nextDueAt ? beijing(p.nextDueAt) : '—')],
    [
      '验收 Outcome',
      (p) => (p.acceptedAt ? html`<strong>${p.outcome}</strong>` : html`未验收 open（${p.outcome}）`),
    ],
  ];
  return html`<div class="scroll">
    <table class="projects">
      <caption>
        立项项目 ${projects.length} 项 / ${projects.length} funded projects
      </caption>
      <thead>
        <tr>
          ${columns.map(([label]) => html`<th scope="col">${label}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${projects.map(
          (p) =>
            html`<tr>
              ${columns.map(([label, cell]) => html`<td data-label="${label}">${cell(p)}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
