/**
 * The secretariat's API-token page: issue a token for a unit, a review body or the secretariat
 * (shown once, with how to use it), and the issued tokens with their expiry and a revoke button.
 */
import { formatBeijing } from '../../domain/calendar';
import type { Programme } from '../../domain/programme';
import type { ApiTokenRecord } from '../../storage/api-tokens';
import type { ApiError } from '../errors';
import { html, type SafeHtml } from './html';
import { layout, outcome, type Viewer } from './layout';

function issueForm(programme: Programme, viewer: Viewer, maxDays: number): SafeHtml {
  return html`<form method="post" action="/s/${programme.id}/tokens" class="stacked">
    <input type="hidden" name="_csrf" value="${viewer.csrf}" />
    <fieldset>
      <legend>签发接口令牌 Issue an API token</legend>
      <label for="t-party">代表 Acts for</label>
      <select id="t-party" name="party">
        ${programme.roster.units.map((u) => html`<option value="unit:${u.id}">单位 ${u.name}（unit:${u.id}）</option>`)}
        ${programme.reviewBodies.map((b) => html`<option value="body:${b.id}">评审机构 ${b.name.zh}（body:${b.id}）</option>`)}
        <option value="secretariat">秘书处 secretariat</option>
      </select>
      <label for="t-label">用途 Label</label>
      <input id="t-label" name="label" required maxlength="100" placeholder="省级申报系统对接 integration" />
      <label for="t-days">有效天数 Valid for (days, ≤ ${maxDays})</label>
      <input id="t-days" name="validDays" type="number" min="1" max="${maxDays}" value="30" required />
      <button type="submit">签发 Issue</button>
    </fieldset>
  </form>`;
}

function issuedBox(issued: { token: string; party: string }): SafeHtml {
  return html`<section class="notice" role="status" aria-labelledby="issued-h">
    <h2 id="issued-h">新令牌（仅显示一次）New token — shown once</h2>
    <p>
      代表 For <strong>${issued.party}</strong>。请立即复制保存，关闭页面后无法再次查看 / copy it now: it is
      not kept.
    </p>
    <label for="issued-token">令牌 Token</label>
    <textarea id="issued-token" readonly rows="3" class="token">${issued.token}</textarea>
    <p>用法 Use: <code>Authorization: Bearer &lt;token&gt;</code></p>
  </section>`;
}

function tokenTable(programme: Programme, viewer: Viewer, records: ApiTokenRecord[], now: number): SafeHtml {
  if (records.length === 0) return html`<p>尚未签发 / none issued yet.</p>`;
  return html`<div class="scroll">
    <table>
      <caption>
        已签发令牌 Issued tokens
      </caption>
      <thead>
        <tr>
          <th scope="col">编号 Id</th>
          <th scope="col">代表 For</th>
          <th scope="col">用途 Label</th>
          <th scope="col">签发 Issued</th>
          <th scope="col">到期 Expires</th>
          <th scope="col">状态 State</th>
        </tr>
      </thead>
      <tbody>
        ${records.map(
          (r) =>
            html`<tr>
              <td><code title="${r.id}">${r.id.slice(0, 12)}</code></td>
              <td>${r.party}</td>
              <td>${r.label}</td>
              <td>${formatBeijing(r.issuedAt)}（${r.issuedBy}）</td>
              <td>${formatBeijing(r.expiresAt)}</td>
              <td>
                ${
                  r.revokedAt
                    ? html`已撤销 revoked ${formatBeijing(r.revokedAt)}`
                    : r.expiresAt <= now
                      ? '已过期 expired'
                      : html`<form method="post" action="/s/${programme.id}/tokens/revoke">
                          <input type="hidden" name="_csrf" value="${viewer.csrf}" />
                          <input type="hidden" name="token" value="${r.id}" />
                          <button type="submit" class="secondary">
                            撤销 Revoke <span class="visually-hidden">${r.label}</span>
                          </button>
                        </form>`
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

export function tokensPage(args: {
  programme: Programme;
  viewer: Viewer;
  /** Undefined when the portal has no records. */
  records?: ApiTokenRecord[];
  maxDays: number;
  issued?: { token: string; party: string };
  error?: ApiError;
  notice?: string;
}): string {
  const { programme, viewer, records, maxDays, issued, error, notice } = args;
  const body = html`${outcome(error, notice)}
    <p><a href="/s/${programme.id}">← 返回秘书处 Back to the dashboard</a></p>
    ${issued ? issuedBox(issued) : ''} ${issueForm(programme, viewer, maxDays)}
    <p>
      令牌即该参与方的签名凭证：撤销在门户即时生效；直接连接 Temporal 时凭证至到期仍有效，故有效期最长
      ${maxDays} 天。 / A token is the party’s signed credential: revocation holds at the portal at once; used
      directly against Temporal it holds until it expires, hence at most ${maxDays} days.
    </p>
    ${
      records
        ? tokenTable(programme, viewer, records, Date.now())
        : html`<p>门户未连接记录库，无法列出或撤销 / no records: tokens cannot be listed or revoked.</p>`
    }`;
  return layout({
    title: `${programme.name.zh} · 接口令牌 API tokens`,
    programmeId: programme.id,
    viewer,
    body,
  });
}
