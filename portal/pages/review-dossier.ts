/**
 * Reading and scoring one dossier: the candidate and the unit's answers in the order of the
 * part's application form, the declarations it affirmed, its files to open (read through the
 * audited store); and the score sheet against the filed plan's criteria (scale, step, weight),
 * with the expert's recommendation and comment, beside the button to declare a conflict.
 */
import type { SubmittedSheet } from '../../workflows/messages';
import type { Criterion } from '../../domain/review-plan';
import type { ApiError } from '../errors';
import type { DossierView } from '../routes/review-views';
import { html, type SafeHtml } from './html';
import { layout, outcome, type Viewer } from './layout';
import { reviewAssets } from './review-expert';

const kib = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024))} KB`;

function summary(view: DossierView): SafeHtml {
  return html`<dl class="facts">
    <dt>推荐单位 Unit</dt>
    <dd>${view.unitName}</dd>
    <dt>榜单 List</dt>
    <dd>${view.part}</dd>
    <dt>推荐编号 Id</dt>
    <dd><code>${view.nominationId}</code></dd>
  </dl>`;
}

function attachments(view: DossierView, attachmentBase: string): SafeHtml {
  if (view.attachments.length === 0) return html`<p>无附件 / no attachments.</p>`;
  return html`<ul class="files">
    ${view.attachments.map(
      (a) =>
        html`<li>
          <a href="${attachmentBase}/${a.sha256}">${a.name}</a>
          <span class="meta"
            >${a.slotLabel} · ${a.format.toUpperCase()} ·
            ${kib(a.size)}${a.pages ? ` · ${a.pages} 页 pages` : ''}</span
          >
        </li>`,
    )}
  </ul>`;
}

export function dossierPage(args: {
  programmeId: string;
  viewer: Viewer;
  view: DossierView;
  /** Where its attachments open: the expert's or the body's API path. */
  attachmentBase: string;
  /** The expert's score page; none for the chair or once the part is confirmed. */
  scoreHref?: string;
  back: { href: string; label: string };
}): string {
  const { view } = args;
  const body = html`${reviewAssets()}
    <p><a href="${args.back.href}">← ${args.back.label}</a></p>
    ${summary(view)}
    <section aria-labelledby="answers-h">
      <h2 id="answers-h">申报表 Application form</h2>
      ${
        view.answers.length
          ? html`<dl class="answers">
              ${view.answers.map(
                (a) =>
                  html`<dt>${a.label}</dt>
                    <dd>${a.value}</dd>`,
              )}
            </dl>`
          : html`<p>本榜单无申报表 / this list has no application form.</p>`
      }
    </section>
    <section aria-labelledby="decl-h">
      <h2 id="decl-h">声明 Declarations</h2>
      ${
        view.declarations.length
          ? html`<ul class="declared">
              ${view.declarations.map((d) => html`<li><span aria-hidden="true">✓</span> ${d.text}</li>`)}
            </ul>`
          : html`<p>无 / none.</p>`
      }
    </section>
    <section aria-labelledby="files-h">
      <h2 id="files-h">附件 Attachments</h2>
      ${attachments(view, args.attachmentBase)}
    </section>
    ${args.scoreHref ? html`<p><a class="button" href="${args.scoreHref}">去评分 Score this dossier</a></p>` : ''}`;
  return layout({
    title: `${view.candidate.name} · 推荐材料 Dossier`,
    programmeId: args.programmeId,
    viewer: args.viewer,
    body,
  });
}

/** What the score form had when it was refused, or the sheet already submitted. */
export interface SheetEcho {
  key: string;
  scores: Record<string, string>;
  recommend?: boolean;
  comment?: string;
}

export function echoOfSheet(key: string, sheet: SubmittedSheet | undefined): SheetEcho {
  if (!sheet) return { key, scores: {} };
  return {
    key,
    scores: Object.fromEntries(Object.entries(sheet.scores).map(([id, v]) => [id, String(v)])),
    recommend: sheet.recommend,
    comment: sheet.comment ?? '',
  };
}

const weightShare = (criteria: Criterion[], c: Criterion) =>
  `${Math.round((c.weight / criteria.reduce((sum, x) => sum + x.weight, 0)) * 1000) / 10}%`;

function criterionInput(criteria: Criterion[], c: Criterion, value: string): SafeHtml {
  const id = `s-${c.id}`;
  return html`<div class="criterion">
    <label for="${id}">${c.name.zh}${c.name.en ? html`<span class="en">${c.name.en}</span>` : ''}</label>
    <input
      id="${id}"
      name="s.${c.id}"
      type="number"
      inputmode="decimal"
      min="${c.min}"
      max="${c.max}"
      step="${c.step}"
      value="${value}"
      data-weight="${c.weight}"
      aria-describedby="${id}-scale"
      required
    />
    <span class="meta" id="${id}-scale"
      >${c.min}–${c.max} 分，步长 ${c.step}，权重 ${weightShare(criteria, c)} / ${c.min}–${c.max} in steps of
      ${c.step}, weight ${weightShare(criteria, c)}</span
    >
  </div>`;
}

function scoreForm(view: DossierView, action: string, csrf: string, echo: SheetEcho, amending: boolean) {
  return html`<form method="post" action="${action}/score" class="score" id="score-form">
    <input type="hidden" name="_csrf" value="${csrf}" />
    <input type="hidden" name="key" value="${echo.key}" />
    <fieldset>
      <legend>评价指标 Criteria</legend>
      ${view.criteria.map((c) => criterionInput(view.criteria, c, echo.scores[c.id] ?? ''))}
      <p class="total" role="status" aria-live="polite" id="weighted-total"></p>
    </fieldset>
    <fieldset class="recommend">
      <legend>是否推荐 Recommend?</legend>
      <label
        ><input
          type="radio"
          name="recommend"
          value="true"
          required
          ${echo.recommend === true ? html`checked` : ''}
        />
        推荐 Recommend</label
      >
      <label
        ><input
          type="radio"
          name="recommend"
          value="false"
          ${echo.recommend === false ? html`checked` : ''}
        />
        不推荐 Do not recommend</label
      >
    </fieldset>
    <label for="comment"
      >评语 Comment<span class="en">可选，至多 2000 字 / optional, up to 2,000 characters</span></label
    >
    <textarea id="comment" name="comment" rows="4" maxlength="2000">${echo.comment ?? ''}</textarea>
    <button type="submit">${amending ? '修改评分 Amend scores' : '提交评分 Submit scores'}</button>
  </form>`;
}

function conflictForm(action: string, csrf: string, nominationId: string) {
  return html`<section aria-labelledby="conflict-h" class="conflict">
    <h2 id="conflict-h">回避 Conflict of interest</h2>
    <p>
      如与该推荐存在利益关系，请申报回避，该推荐将由其他专家评审。
      <span class="en"
        >If you have a conflict of interest, declare it: another expert will score this dossier.</span
      >
    </p>
    <form method="post" action="${action}/conflict">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <input type="hidden" name="nomination" value="${nominationId}" />
      <label for="reason">回避理由 Reason</label>
      <textarea id="reason" name="reason" rows="2" maxlength="500" required></textarea>
      <button type="submit" class="danger">申报回避 Declare a conflict</button>
    </form>
  </section>`;
}

export function scorePage(args: {
  programmeId: string;
  viewer: Viewer;
  view: DossierView;
  /** The dossier's page (`…/n/<nomination>`): the form posts to its /score and /conflict. */
  action: string;
  echo: SheetEcho;
  amending: boolean;
  error?: ApiError;
}): string {
  const { view, action, viewer } = args;
  const body = html`${reviewAssets()}
    <p><a href="${action}">← 推荐材料 Back to the dossier</a></p>
    ${outcome(args.error, undefined)} ${summary(view)}
    ${
      view.confirmed
        ? html`<p class="notice" role="status">
            该榜单的入围名单已确认，不再评分 / the shortlist is confirmed: no more scores.
          </p>`
        : html`${scoreForm(view, action, viewer.csrf, args.echo, args.amending)}
          ${conflictForm(action, viewer.csrf, view.nominationId)}`
    }`;
  return layout({
    title: `${view.candidate.name} · 评分 Score`,
    programmeId: args.programmeId,
    viewer,
    body,
  });
}
