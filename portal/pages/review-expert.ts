/**
 * The expert's home: the review deadline counting down in Beijing time, their progress, and the
 * dossiers assigned to them as cards (they read well at phone width) with where each stands.
 * Shared with the chair's page: the deadline block and the page's own stylesheet link.
 */
import { formatBeijing, formatDeadline } from '../../domain/calendar';
import { rfc3339Beijing } from '../../client/instants';
import type { ApiError } from '../errors';
import type { AssignedDossier, ExpertProgressView } from '../routes/review-views';
import { html, type SafeHtml } from './html';
import { layout, outcome, type Viewer } from './layout';

/** The review pages' stylesheet and script (portal/assets.ts), served by kczg. */
export const reviewAssets = (): SafeHtml =>
  html`<link rel="stylesheet" href="/assets/review.css" />
    <script src="/assets/review.js" defer></script>`;

/** The deadline in Beijing time with a live countdown on the cycle's clock (portal.js). */
export function dueSection(dueAt: number, now: number, heading: string): SafeHtml {
  return html`<section aria-labelledby="due-h" class="deadline">
    <h2 id="due-h">${heading}</h2>
    <p>
      <time datetime="${rfc3339Beijing(dueAt)}" data-countdown data-now="${rfc3339Beijing(now)}"
        >${formatDeadline(dueAt)}</time
      >
    </p>
    <p class="countdown" aria-live="off"></p>
  </section>`;
}

const STATUS: Record<AssignedDossier['status'], string> = {
  'to-score': '待评分 To score',
  scored: '已评分 Scored',
  confirmed: '已确认 Confirmed',
};

function dossierCard(d: AssignedDossier, home: string): SafeHtml {
  const href = `${home}/n/${encodeURIComponent(d.nominationId)}`;
  return html`<li class="card" data-status="${d.status}">
    <h3><a href="${href}">${d.candidateName}</a></h3>
    <p class="meta">${d.part} · ${d.unitName} · <code>${d.nominationId}</code></p>
    <p>
      <span class="badge" data-status="${d.status}">${STATUS[d.status]}</span>
      ${
        d.total !== undefined
          ? html` <span>总分 Total ${d.total}</span>
              <span class="meta">提交于 submitted ${formatBeijing(d.submittedAt ?? 0)}</span>`
          : ''
      }
    </p>
    <p class="actions">
      <a class="button secondary" href="${href}"
        >阅读材料 Read<span class="visually-hidden"> ${d.candidateName}</span></a
      >
      ${
        d.status === 'confirmed'
          ? ''
          : html`<a class="button" href="${href}/score"
              >${d.status === 'scored' ? '修改评分 Amend' : '评分 Score'}<span class="visually-hidden">
                ${d.candidateName}</span
              ></a
            >`
      }
    </p>
  </li>`;
}

export function expertHomePage(args: {
  programmeId: string;
  bodyId: string;
  viewer: Viewer;
  progress: ExpertProgressView;
  dossiers: AssignedDossier[];
  now: number;
  error?: ApiError;
  notice?: string;
}): string {
  const { programmeId, bodyId, viewer, progress, dossiers, now } = args;
  const home = `/r/${programmeId}/${bodyId}/e/${progress.expertId}`;
  const body = html`${reviewAssets()} ${outcome(args.error, args.notice)}
    ${dueSection(progress.dueAt, now, '评审截止 Review deadline')}
    <section aria-labelledby="progress-h">
      <h2 id="progress-h">进度 Progress</h2>
      <p class="progress-line">
        <meter
          min="0"
          max="${Math.max(progress.assigned, 1)}"
          value="${progress.scored}"
          aria-label="已评分 Scored"
        >
          ${progress.scored}/${progress.assigned}
        </meter>
        <span
          >已评 ${progress.scored} / 分配 ${progress.assigned} · 待评 ${progress.owing} · 回避
          ${progress.recused}</span
        >
        <span class="en"
          >scored ${progress.scored} of ${progress.assigned}, ${progress.owing} to go, ${progress.recused}
          recused</span
        >
      </p>
    </section>
    <section aria-labelledby="dossiers-h">
      <h2 id="dossiers-h">分配给您的推荐 Dossiers assigned to you</h2>
      ${
        dossiers.length
          ? html`<ul class="cards">
              ${dossiers.map((d) => dossierCard(d, home))}
            </ul>`
          : html`<p>暂无分配 / nothing assigned yet.</p>`
      }
    </section>`;
  return layout({
    title: `${progress.name} · 专家评审 Expert review`,
    programmeId,
    viewer,
    body,
  });
}
