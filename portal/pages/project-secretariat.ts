/**
 * The secretariat's tracking pages: the cycle's projects (owner, list, dues owed and overdue,
 * outcome) filtered by status, with the progress exports; and one project's page to verify each
 * report (accept, reject with a reason, ask for more), reduce or waive a target with its reason
 * (the notice's "可适当抵减") and record the acceptance the programme's rule gives.
 */
import type { Programme } from '../../domain/programme';
import type { ApiError } from '../errors';
import type { ProjectFilter, ProjectSummary, ProjectView } from '../routes/projects-view';
import { html, type SafeHtml } from './html';
import { layout, outcome, type Viewer } from './layout';
import {
  beijing,
  duesSection,
  OUTCOME_EN,
  projectFacts,
  projectsTable,
  reportsSection,
  targetsSection,
} from './project-parts';

const FILTERS: Array<[NonNullable<ProjectFilter> | '', string]> = [
  ['', '全部 All'],
  ['owed', '待交报告 Owing a report'],
  ['overdue', '逾期 Overdue'],
  ['pending', '待审核 Awaiting verification'],
  ['open', '未验收 Not accepted'],
  ['accepted', '已验收 Accepted'],
];

const csrfField = (viewer: Viewer) => html`<input type="hidden" name="_csrf" value="${viewer.csrf}" />`;

function exportLinks(programmeId: string): SafeHtml {
  const href = (format: string) => `/api/v1/cycles/${programmeId}/projects/export?format=${format}`;
  return html`<p class="downloads">
    导出任务进展 Export progress：<a href="${href('xlsx')}" download>XLSX</a>
    <a href="${href('csv')}" download>CSV</a> <a href="${href('json')}" download>JSON</a>
  </p>`;
}

export function secretariatProjectsPage(args: {
  programme: Programme;
  projects: ProjectSummary[];
  filter: ProjectFilter;
  viewer: Viewer;
}): string {
  const { programme, projects, filter, viewer } = args;
  const base = `/s/${programme.id}/projects`;
  const body = html`<form method="get" action="${base}" class="inline filter">
      <label for="status">状态 Status</label>
      <select id="status" name="status">
        ${FILTERS.map(([value, label]) => html`<option value="${value}" ${value === (filter ?? '') ? html` selected` : ''}>${label}</option>`)}
      </select>
      <button type="submit" class="secondary">筛选 Filter</button>
    </form>
    ${exportLinks(programme.id)} ${projectsTable(projects, base, true)}
    <p><a href="/s/${programme.id}">返回秘书处 Back to the dashboard</a></p>`;
  return layout({
    title: `${programme.name.zh} · 项目跟踪 Projects`,
    programmeId: programme.id,
    viewer,
    body,
  });
}

function verdictForm(action: string, viewer: Viewer, reportId: string): SafeHtml {
  const id = `verdict-${reportId}`;
  return html`<form method="post" action="${action}/verdict" class="verdict-form">
    ${csrfField(viewer)}<input type="hidden" name="report" value="${reportId}" />
    <fieldset>
      <legend>审核 ${reportId} Verify</legend>
      <label for="${id}-reason"
        >理由（退回或要求补充时必填）<span class="en"
          >Reason (required to reject or ask for more)</span
        ></label
      >
      <textarea id="${id}-reason" name="reason" rows="2" maxlength="500"></textarea>
      <div class="actions">
        <button type="submit" name="decision" value="accept">确认 Accept</button>
        <button type="submit" name="decision" value="reject" class="secondary">退回 Reject</button>
        <button type="submit" name="decision" value="more" class="secondary">要求补充 Ask for more</button>
      </div>
    </fieldset>
  </form>`;
}

function waiverForm(view: ProjectView, action: string, viewer: Viewer): SafeHtml {
  return html`<form method="post" action="${action}/waiver" class="waiver-form">
    ${csrfField(viewer)}
    <fieldset>
      <legend>抵减或免除指标 Reduce or waive a target</legend>
      <p class="en">通知允许的“可适当抵减”，须说明理由 / a reduction the notice allows, with its reason</p>
      <label for="waiver-target">指标 Target</label>
      <select id="waiver-target" name="target">
        ${view.targets.map((t) => html`<option value="${t.id}">${t.metric}（现行 ${t.threshold} ${t.unit}）</option>`)}
      </select>
      <label for="waiver-threshold"
        >抵减后目标值（0 为免除）<span class="en">Reduced threshold (0 waives it)</span></label
      >
      <input
        id="waiver-threshold"
        name="threshold"
        type="number"
        min="0"
        step="1"
        inputmode="numeric"
        required
      />
      <label for="waiver-reason">理由 Reason</label>
      <textarea id="waiver-reason" name="reason" rows="2" maxlength="500" required></textarea>
      <button type="submit">记录抵减 Record</button>
    </fieldset>
  </form>`;
}

function acceptanceForm(view: ProjectView, action: string, viewer: Viewer): SafeHtml {
  if (view.acceptedAt) {
    return html`<p>
      已于 ${beijing(view.acceptedAt)} 验收：<strong>${view.outcome}</strong> ${OUTCOME_EN[view.outcome]}
    </p>`;
  }
  const met = view.targets.filter((t) => t.met).length;
  return html`<form method="post" action="${action}/acceptance">
    ${csrfField(viewer)}
    <p>
      按验收规则，现有确认数的结论为 By the rule, as things stand：<strong>${view.outcome}</strong>
      ${OUTCOME_EN[view.outcome]}（达标 ${met}/${view.targets.length} targets met）
    </p>
    <button type="submit">记录验收结论 Record acceptance</button>
  </form>`;
}

/** Extend a due (or all), pause/resume, hold/release the project's mail: each with its reason. */
function steeringForms(view: ProjectView, action: string, viewer: Viewer): SafeHtml {
  const owed = view.dues.filter((d) => d.status !== 'accepted');
  return html`<form method="post" action="${action}/extend" class="steer-form">
      ${csrfField(viewer)}
      <fieldset>
        <legend>延期 Extend a report due</legend>
        <label for="extend-due">报告期 Due</label>
        <select id="extend-due" name="due">
          <option value="">全部未确认报告期（间隔不变）/ all open dues, spacing kept</option>
          ${owed.map((d) => html`<option value="${d.id}">${d.id}（${beijing(d.at)}）</option>`)}
        </select>
        <label for="extend-until">延至（北京时间）<span class="en">Until, Beijing time</span></label>
        <input id="extend-until" name="until" placeholder="2024-06-30 24:00" required maxlength="40" />
        <label for="extend-reason">理由 Reason</label>
        <textarea id="extend-reason" name="reason" rows="2" maxlength="500" required></textarea>
        <button type="submit">延期 Extend</button>
      </fieldset>
    </form>
    <form method="post" action="${action}/${view.pausedAt ? 'resume' : 'pause'}" class="steer-form">
      ${csrfField(viewer)}
      <fieldset>
        <legend>
          ${view.pausedAt ? html`已于 ${beijing(view.pausedAt)} 暂停 · 恢复 Resume` : '暂停 Pause'}
        </legend>
        <p class="en">
          暂停期间不发提醒、逾期与升级邮件；恢复后仍在前方的截止时间按暂停时长顺延 / no mail while paused;
          dues still ahead move by the pause
        </p>
        <label for="pause-reason">理由 Reason</label>
        <textarea id="pause-reason" name="reason" rows="2" maxlength="500" required></textarea>
        <button type="submit">${view.pausedAt ? '恢复 Resume' : '暂停 Pause'}</button>
      </fieldset>
    </form>
    <form method="post" action="${action}/mail" class="steer-form">
      ${csrfField(viewer)}
      <fieldset>
        <legend>邮件暂缓 Hold or release mail</legend>
        <label for="mail-id">邮件 Mail</label>
        <input
          id="mail-id"
          name="mail"
          value="all"
          maxlength="100"
          placeholder="all | report:final-1 | report:final-1:T-1"
        />
        <div class="actions">
          <button type="submit" name="action" value="hold" class="secondary">暂缓 Hold</button>
          <button type="submit" name="action" value="release" class="secondary">放行 Release</button>
        </div>
      </fieldset>
    </form>`;
}

export function secretariatProjectPage(args: {
  programme: Programme;
  view: ProjectView;
  viewer: Viewer;
  error?: ApiError;
  notice?: string;
}): string {
  const { programme, view, viewer, error, notice } = args;
  const action = `/s/${programme.id}/projects/${view.projectId}`;
  const open = !view.acceptedAt;
  const body = html`${outcome(error, notice)} ${projectFacts(view)} ${targetsSection(view)}
    ${duesSection(view)}
    ${reportsSection(view, (r) => (open && r.status === 'submitted' ? verdictForm(action, viewer, r.id) : ''))}
    ${
      open
        ? html`<section aria-labelledby="waiver-h">
              <h2 id="waiver-h">抵减 Reductions</h2>
              ${waiverForm(view, action, viewer)}
            </section>
            <section aria-labelledby="steer-h">
              <h2 id="steer-h">调度 Steering</h2>
              ${steeringForms(view, action, viewer)}
            </section>`
        : ''
    }
    <section aria-labelledby="acceptance-h">
      <h2 id="acceptance-h">验收 Acceptance</h2>
      ${acceptanceForm(view, action, viewer)}
    </section>
    ${exportLinks(programme.id)}
    <p><a href="/s/${programme.id}/projects">全部项目 All projects</a></p>`;
  return layout({ title: `${view.partName} · ${view.projectId}`, programmeId: programme.id, viewer, body });
}
