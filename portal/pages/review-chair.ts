/**
 * The review body's chair: the deadline, and per part the panel's progress (assigned, scored,
 * recused per expert), the ranking by the one aggregation rule, and the form that confirms the
 * shortlist — with a reason required while sheets are outstanding — or, once confirmed, the
 * report the cycle received.
 */
import { formatDeadline } from '../../domain/calendar';
import { AGGREGATION_RULE } from '../../domain/scoring';
import type { ApiError } from '../errors';
import type { PanelPart } from '../routes/review-views';
import { html, type SafeHtml } from './html';
import { layout, outcome, type Viewer } from './layout';
import { dueSection, reviewAssets } from './review-expert';

/** What the confirm form had when it was refused. */
export interface ConfirmEcho {
  part: string;
  top: string;
  reason: string;
  key: string;
}

function progressTable(part: PanelPart, id: string): SafeHtml {
  return html`<table class="stack">
    <caption id="${id}-progress">
      评审进度 Progress
    </caption>
    <thead>
      <tr>
        <th scope="col">专家 Expert</th>
        <th scope="col">已分配 Assigned</th>
        <th scope="col">已评 Scored</th>
        <th scope="col">回避 Recused</th>
      </tr>
    </thead>
    <tbody>
      ${part.experts.map(
        (e) =>
          html`<tr data-expert="${e.expertId}">
            <th scope="row">${e.name} <code>${e.expertId}</code></th>
            <td data-label="已分配 Assigned">${e.assigned}</td>
            <td data-label="已评 Scored">
              ${e.scored}${e.assigned > e.scored && part.reportedAt === undefined ? html` <span class="owing">（欠 ${e.assigned - e.scored}）</span>` : ''}
            </td>
            <td data-label="回避 Recused">${e.recused}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function rankingTable(part: PanelPart, dossierBase: string): SafeHtml {
  const verdicts = new Map((part.results ?? []).map((r) => [r.nominationId, r.verdict]));
  return html`<table class="stack ranking">
    <caption>
      排名 Ranking
    </caption>
    <thead>
      <tr>
        <th scope="col">名次 Rank</th>
        <th scope="col">候选 Candidate</th>
        <th scope="col">推荐单位 Unit</th>
        <th scope="col">得分 Score</th>
        <th scope="col">专家 Experts</th>
        <th scope="col">推荐票 Votes</th>
        ${part.results ? html`<th scope="col">结果 Result</th>` : ''}
      </tr>
    </thead>
    <tbody>
      ${part.ranking.map(
        (r) =>
          html`<tr>
            <td data-label="名次 Rank">${r.rank ?? '—'}</td>
            <th scope="row" data-label="候选 Candidate">
              <a href="${dossierBase}/${encodeURIComponent(r.nominationId)}">${r.candidateName}</a>
            </th>
            <td data-label="推荐单位 Unit">${r.unitName}</td>
            <td data-label="得分 Score">
              ${r.score ?? '未评 not scored'}${r.trimmed ? html` <abbr title="去掉最高分和最低分 highest and lowest dropped">*</abbr>` : ''}
            </td>
            <td data-label="专家 Experts">${r.experts}</td>
            <td data-label="推荐票 Votes">${r.recommendVotes}</td>
            ${
              part.results
                ? html`<td data-label="结果 Result">
                    ${verdicts.get(r.nominationId) === 'recommended' ? '入围 Recommended' : '未入围 Not recommended'}
                  </td>`
                : ''
            }
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function confirmForm(
  part: PanelPart,
  id: string,
  action: string,
  csrf: string,
  echo?: ConfirmEcho,
): SafeHtml {
  const value = part.fieldId ? `${part.listId}/${part.fieldId}` : part.listId;
  const mine = echo?.part === value ? echo : undefined;
  const early = part.owing > 0;
  const need = early ? '必填 / required' : '可选 / optional';
  return html`<form method="post" action="${action}/confirm" class="confirm">
    <input type="hidden" name="_csrf" value="${csrf}" />
    <input type="hidden" name="key" value="${mine?.key ?? `${echo?.key ?? ''}-${id}`}" />
    <input type="hidden" name="part" value="${value}" />
    ${
      early
        ? html`<p class="warn" id="${id}-early">
            尚有 ${part.owing} 份评分表未提交，提前确认须说明理由（记入审计）。
            <span class="en"
              >${part.owing} score sheets are outstanding: confirming now needs a reason (audited).</span
            >
          </p>`
        : ''
    }
    <label for="${id}-top"
      >推荐名额 Number recommended<span class="en"
        >可选：留空则按专家推荐票 / optional: empty follows the experts’ votes</span
      ></label
    >
    <input
      id="${id}-top"
      name="top"
      type="number"
      min="0"
      max="${part.nominations}"
      step="1"
      value="${mine?.top ?? ''}"
    />
    <label for="${id}-reason">理由 Reason<span class="en">${need}</span></label>
    <textarea
      id="${id}-reason"
      name="reason"
      rows="2"
      maxlength="500"
      ${early ? html`required aria-describedby="${id}-early"` : ''}
    >
${mine?.reason ?? ''}</textarea>
    <button type="submit">
      确认入围名单 Confirm the shortlist<span class="visually-hidden"> ${part.part}</span>
    </button>
  </form>`;
}

function partSection(part: PanelPart, index: number, action: string, csrf: string, echo?: ConfirmEcho) {
  const id = `part-${index}`;
  return html`<section aria-labelledby="${id}-h" class="part">
    <h2 id="${id}-h">${part.part}</h2>
    <p>
      ${part.nominations} 项推荐 nominations ·
      ${
        part.reportedAt !== undefined
          ? html`<strong class="done"
              >已确认并报送 Confirmed and reported ${formatDeadline(part.reportedAt)}</strong
            >`
          : html`待评 ${part.owing} 份 / ${part.owing} sheets outstanding`
      }
    </p>
    <div class="scroll">${progressTable(part, id)}</div>
    <div class="scroll">${rankingTable(part, `${action}/n`)}</div>
    ${part.reportedAt === undefined ? confirmForm(part, id, action, csrf, echo) : ''}
  </section>`;
}

export function panelPage(args: {
  programmeId: string;
  bodyId: string;
  viewer: Viewer;
  dueAt: number;
  parts: PanelPart[];
  now: number;
  echo?: ConfirmEcho;
  error?: ApiError;
  notice?: string;
}): string {
  const action = `/r/${args.programmeId}/${args.bodyId}`;
  const body = html`${reviewAssets()} ${outcome(args.error, args.notice)}
    ${dueSection(args.dueAt, args.now, '初评截止 Review deadline')}
    ${args.parts.map((part, i) => partSection(part, i, action, args.viewer.csrf, args.echo))}
    <p class="meta">
      排名规则 Ranking rule：${AGGREGATION_RULE.zh}<span class="en">${AGGREGATION_RULE.en}</span>
    </p>`;
  return layout({
    title: `${args.bodyId} · 评审组 Review panel`,
    programmeId: args.programmeId,
    viewer: args.viewer,
    body,
  });
}
