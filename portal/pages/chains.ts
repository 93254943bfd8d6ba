/**
 * The secretariat's view of a cycle's chain: the parent it recommends into and what it forwarded
 * there, and its children (a society's or a province's own calls) with what each forwarded,
 * accepted or refused with the parent's reason.
 */
import type { ChainStatus } from '../../client/chain-api';
import { formatDeadline } from '../../domain/calendar';
import type { ForwardOutcome } from '../../workflows/messages';
import { html, type SafeHtml } from './html';
import { layout, type Viewer } from './layout';

function outcomes(accepted: ForwardOutcome[], refused: ForwardOutcome[]): SafeHtml {
  const rows = [...accepted, ...refused];
  if (rows.length === 0) return html`<p>尚未推荐 / nothing forwarded yet.</p>`;
  return html`<div class="scroll">
    <table>
      <thead>
        <tr>
          <th scope="col">推荐 Nomination</th>
          <th scope="col">上级榜单 Parent list</th>
          <th scope="col">结果 Outcome</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (f) =>
            html`<tr>
              <td>${f.nominationId}</td>
              <td>${f.parentListId}${f.parentFieldId ? html` / ${f.parentFieldId}` : ''}</td>
              <td>
                ${
                  f.outcome === 'accepted'
                    ? html`已接受 accepted → ${f.parentNominationId ?? ''}`
                    : html`<strong>被拒 refused</strong
                        >（${f.refusal?.code ?? ''}）${f.refusal?.message ?? ''}`
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function parentSection(status: ChainStatus): SafeHtml {
  const parent = status.parent;
  if (!parent) return html``;
  return html`<section aria-labelledby="parent-h">
    <h2 id="parent-h">上级 Parent: ${parent.cycleId}</h2>
    <p>
      推荐单位 As unit <strong>${parent.unitId}</strong>${
        parent.collectionClosesAt
          ? html`；上级征集截止 parent closes ${formatDeadline(parent.collectionClosesAt)}`
          : ''
      }
    </p>
    ${outcomes(status.accepted, status.refused)}
  </section>`;
}

function childrenSection(status: ChainStatus): SafeHtml {
  if (status.children.length === 0) return html``;
  return html`<section aria-labelledby="children-h">
    <h2 id="children-h">下级 Children (${status.children.length})</h2>
    ${status.children.map(
      (child) =>
        html`<article>
          <h3>${child.cycleId}（${child.unitId}）</h3>
          <p>
            终评截止 Selection due ${formatDeadline(child.deadlines.finalReviewDueAt)}；接受 accepted
            ${child.accepted.length}，被拒 refused ${child.refused.length}
          </p>
          ${outcomes(child.accepted, child.refused)}
        </article>`,
    )}
  </section>`;
}

export function chainsPage(args: { programmeId: string; status: ChainStatus; viewer: Viewer }): string {
  const { programmeId, status, viewer } = args;
  const alone = !status.parent && status.children.length === 0;
  return layout({
    title: '推荐链 Chain',
    programmeId,
    viewer,
    body: html`<h1>推荐链 Chain · ${status.cycleId}</h1>
      ${alone ? html`<p>不在推荐链中 / not part of a chain.</p>` : ''} ${parentSection(status)}
      ${childrenSection(status)}`,
  });
}
