/**
 * The project owner's pages (a signed-in unit): "我的项目", its funded projects with what each
 * owes, and one project's page: targets with progress meters, reports due with the next deadline
 * counting down in Beijing time, the report form (a cumulative figure per target, evidence files
 * where the target asks for them) and the secretariat's verdicts with their reasons.
 */
import type { AttachmentRef } from '../../domain/dossier';
import type { AttachmentSlot, Programme } from '../../domain/programme';
import type { ApiError } from '../errors';
import type { ProjectSummary, ProjectView } from '../routes/projects-view';
import { slotInput } from './dossier-form';
import { html, type SafeHtml } from './html';
import { layout, outcome, type Viewer } from './layout';
import { duesSection, projectFacts, projectsTable, reportsSection, targetsSection } from './project-parts';

/** What a refused report form had: the figures typed and the evidence already stored. */
export interface ReportEcho {
  key: string;
  values: Record<string, string>;
  refs: AttachmentRef[];
}

export function ownerProjectsPage(args: {
  programme: Programme;
  unitId: string;
  projects: ProjectSummary[];
  viewer: Viewer;
}): string {
  const { programme, unitId, projects, viewer } = args;
  const base = `/u/${programme.id}/${unitId}/projects`;
  const body = html`${
      projects.length === 0
        ? html`<p>本单位暂无立项项目 / your unit has no funded project.</p>`
        : projectsTable(projects, base, false)
    }
    <p><a href="/u/${programme.id}/${unitId}">返回本单位 Back to my unit</a></p>`;
  return layout({ title: '我的项目 My projects', programmeId: programme.id, viewer, body });
}

function figureInput(target: ProjectView['targets'][number], value: string): SafeHtml {
  const id = `v-${target.id}`;
  return html`<label for="${id}"
      >累计完成数（${target.unit}）<span class="en"
        >Cumulative figure · 目标 target ${target.threshold} · 已确认 accepted ${target.accepted}</span
      ></label
    ><input
      id="${id}"
      name="v.${target.id}"
      type="number"
      min="0"
      step="1"
      inputmode="numeric"
      value="${value}"
    />`;
}

function reportForm(
  view: ProjectView,
  action: string,
  viewer: Viewer,
  slots: AttachmentSlot[],
  echo: ReportEcho,
): SafeHtml {
  const open = view.dues.some((d) => d.status === 'owed' || d.status === 'overdue');
  if (view.acceptedAt)
    return html`<p>项目已验收，不再提交报告 / the project is accepted; no more reports.</p>`;
  if (!open) return html`<p>当前没有待提交的报告 / no report is owed now.</p>`;
  return html`<form method="post" action="${action}/report" enctype="multipart/form-data" class="report-form">
    <input type="hidden" name="_csrf" value="${viewer.csrf}" />
    <input type="hidden" name="key" value="${echo.key}" />
    <p class="en">
      填写各指标截至目前的累计完成数；留空的指标本次不报 / give the cumulative figure per target; leave a
      target empty to skip it.
    </p>
    ${view.targets.map((t) => {
      const slot = slots.find((s) => s.id === t.id);
      return html`<fieldset class="figure">
        <legend>${t.metric}</legend>
        ${figureInput(t, echo.values[t.id] ?? '')} ${t.evidenceRequired && slot ? slotInput('ev', slot) : ''}
        ${echo.refs
          .filter((r) => r.slot === t.id)
          .map(
            (r) =>
              html`<p class="stored">
                已上传 Uploaded：${r.name}<input type="hidden" name="ref" value="${JSON.stringify(r)}" />
              </p>`,
          )}
      </fieldset>`;
    })}
    <button type="submit">提交报告 Submit report</button>
  </form>`;
}

export function ownerProjectPage(args: {
  programme: Programme;
  view: ProjectView;
  viewer: Viewer;
  slots: AttachmentSlot[];
  echo: ReportEcho;
  error?: ApiError;
  notice?: string;
}): string {
  const { programme, view, viewer, slots, echo, error, notice } = args;
  const action = `/u/${programme.id}/${view.owner.unitId}/projects/${view.projectId}`;
  const body = html`${outcome(error, notice)} ${projectFacts(view)} ${targetsSection(view)}
    ${duesSection(view)}
    <section aria-labelledby="report-h">
      <h2 id="report-h">提交进展报告 Report progress</h2>
      ${reportForm(view, action, viewer, slots, echo)}
    </section>
    ${reportsSection(view)}
    <p><a href="/u/${programme.id}/${view.owner.unitId}/projects">我的项目 My projects</a></p>`;
  return layout({ title: `${view.partName} · ${view.projectId}`, programmeId: programme.id, viewer, body });
}
