/**
 * The secretariat's dashboard: the year's timeline (stages with their current deadlines, unit
 * extensions, pause), progress per list, who owes what, the mail plan with hold and release, and
 * the forms to extend a unit's deadline and to pause or resume with a reason.
 */
import { formatDeadline } from '../../domain/calendar';
import type { Programme } from '../../domain/programme';
import type { MailPlan } from '../../client/mail-plan';
import type { CycleStatus, UnitState } from '../../workflows/messages';
import type { ApiError } from '../errors';
import { owedBy, partName } from '../views';
import { html, type SafeHtml } from './html';
import { layout, outcome, type Viewer } from './layout';
import { timelineSection } from './timeline';

function csrfField(viewer: Viewer): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${viewer.csrf}" />`;
}

function progress(programme: Programme, status: CycleStatus): SafeHtml {
  return html`<section aria-labelledby="progress-h">
    <h2 id="progress-h">各榜单进度 Progress per list</h2>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">榜单 List</th>
            <th scope="col">推荐数 Nominations</th>
            <th scope="col">评审机构 Review bodies</th>
            <th scope="col">截止 Due</th>
          </tr>
        </thead>
        <tbody>
          ${status.parts.map(
            (p) =>
              html`<tr>
                <td>${partName(programme, p.listId, p.fieldId)}</td>
                <td>${p.nominations}</td>
                <td>
                  ${p.reviewBodies.map((b) => html`${b.bodyId}${b.reportedAt ? html` ✓` : ''}${b.late ? html`（逾期 late）` : ''} `)}
                </td>
                <td>${formatDeadline(p.dueAt)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

function owing(programme: Programme, units: UnitState[], status: CycleStatus): SafeHtml {
  const rows = units.filter((u) => owedBy(u, programme).length > 0);
  return html`<section aria-labelledby="owes-h">
    <h2 id="owes-h">待办单位 Who owes what</h2>
    ${
      rows.length === 0
        ? html`<p>无 / nobody.</p>`
        : html`<ul>
            ${rows.map(
              (u) =>
                html`<li>
                  <strong>${u.unitName}</strong
                  >（${u.unitId}）${status.unitExtensions[u.unitId] ? html` 延期至 extended to ${formatDeadline(status.unitExtensions[u.unitId])}` : ''}：${owedBy(u, programme).join('；')}
                </li>`,
            )}
          </ul>`
    }
  </section>`;
}

/** The next mailings shown; the full plan is `kczg mail plan`. */
const MAIL_ROWS = 40;

function mailPlanSection(plan: MailPlan, viewer: Viewer, action: string): SafeHtml {
  const holdable = plan.messages.filter((m) => m.reminderId);
  const ids = [...new Set(holdable.map((m) => m.reminderId as string))];
  return html`<section aria-labelledby="mail-h">
    <h2 id="mail-h">邮件计划 Mail plan</h2>
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">时间 When</th>
            <th scope="col">编号 Id</th>
            <th scope="col">收件方 To</th>
            <th scope="col">状态 State</th>
          </tr>
        </thead>
        <tbody>
          ${plan.messages.slice(0, MAIL_ROWS).map(
            (m) =>
              html`<tr>
                <td>${m.when}</td>
                <td>${m.reminderId ?? m.id}</td>
                <td>${m.recipient.name.zh}${m.recipient.count ? html` ×${m.recipient.count}` : ''}</td>
                <td>${m.held ? '暂扣 held' : '计划 planned'}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${
      plan.messages.length > MAIL_ROWS
        ? html`<p>
            另有 ${plan.messages.length - MAIL_ROWS} 封，完整计划见 kczg mail plan /
            ${plan.messages.length - MAIL_ROWS} more: kczg mail plan
          </p>`
        : ''
    }
    ${
      ids.length
        ? html`<form method="post" action="${action}/mail" class="inline">
            ${csrfField(viewer)} <label for="reminder">邮件 Mailing</label
            ><select id="reminder" name="reminder">
              ${ids.map((id) => html`<option value="${id}">${id}</option>`)}
            </select>
            <button type="submit" name="action" value="hold">暂扣 Hold</button>
            <button type="submit" name="action" value="release" class="secondary">放行 Release</button>
          </form>`
        : ''
    }
  </section>`;
}

function steering(programme: Programme, status: CycleStatus, viewer: Viewer, action: string): SafeHtml {
  return html`<section aria-labelledby="steer-h">
    <h2 id="steer-h">调整 Steering</h2>
    <form method="post" action="${action}/extend">
      ${csrfField(viewer)}
      <fieldset>
        <legend>延长单位截止时间 Extend a unit’s deadline</legend>
        <label for="ext-unit">单位 Unit</label
        ><select id="ext-unit" name="unit">
          ${programme.roster.units.map((u) => html`<option value="${u.id}">${u.name}（${u.id}）</option>`)}
        </select>
        <label for="ext-until">延至（北京时间）Until, Beijing time</label
        ><input id="ext-until" name="until" required placeholder="2023-12-05 24:00" />
        <label for="ext-reason">理由 Reason</label
        ><input id="ext-reason" name="reason" required maxlength="500" />
        <button type="submit">延期 Extend</button>
      </fieldset>
    </form>
    <form method="post" action="${action}/pause">
      ${csrfField(viewer)}
      <fieldset>
        <legend>${status.paused ? '恢复周期 Resume the cycle' : '暂停周期 Pause the cycle'}</legend>
        <input type="hidden" name="action" value="${status.paused ? 'resume' : 'pause'}" />
        <label for="pause-reason">理由 Reason</label
        ><input id="pause-reason" name="reason" required maxlength="500" />
        <button type="submit">${status.paused ? '恢复 Resume' : '暂停 Pause'}</button>
      </fieldset>
    </form>
  </section>`;
}

export function secretariatPage(args: {
  programme: Programme;
  status: CycleStatus;
  units: UnitState[];
  mailPlan: MailPlan;
  viewer: Viewer;
  error?: ApiError;
  notice?: string;
}): string {
  const { programme, status, units, mailPlan, viewer, error, notice } = args;
  const action = `/s/${programme.id}`;
  const body = html` ${outcome(error, notice)}
    <p><a href="${action}/projects">项目跟踪 Funded projects</a></p>
    <p>
      阶段
      Stage：<strong>${status.stage}</strong>${status.paused ? html` · <strong>已暂停 Paused</strong>` : ''} ·
      邮件失败 Mail failures：${status.mailFailures}
    </p>
    ${timelineSection(status)} ${progress(programme, status)} ${owing(programme, units, status)}
    ${mailPlanSection(mailPlan, viewer, action)} ${steering(programme, status, viewer, action)}
    <p>
      <a href="${action}/audit">审计日志 Audit log</a> · <a href="${action}/tokens">接口令牌 API tokens</a>
    </p>`;
  return layout({
    title: `${programme.name.zh} · 秘书处 Secretariat`,
    programmeId: programme.id,
    viewer,
    body,
  });
}
