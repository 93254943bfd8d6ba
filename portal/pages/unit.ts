/**
 * The unit's page: its lists with quota meters, the nomination form built from the candidate
 * fields (verdicts as the user types, from the same domain checks), its nominations with
 * withdraw, the collection deadline counting down in Beijing time, and what it still owes.
 */
import { CANDIDATE_FIELDS, type CandidateField } from '../../domain/candidate';
import { formatDeadline } from '../../domain/calendar';
import type { AttachmentRef } from '../../domain/dossier';
import { formFor } from '../../domain/forms';
import type { Programme } from '../../domain/programme';
import type { UnitState } from '../../workflows/messages';
import { rfc3339Beijing } from '../../client/instants';
import type { ApiError } from '../errors';
import { owedBy, partName } from '../views';
import { dossierFieldset, yesNoOptions, type DossierEcho, type OwnNomination } from './dossier-form';
import { html, type SafeHtml } from './html';
import { layout, outcome, type Viewer } from './layout';

/** What the form had when it was refused: shown again, so nothing typed is lost. */
export interface FormEcho {
  part?: string;
  values: Record<string, string>;
  key: string;
  /** The dossier's inputs (a.<field>, decl.<id>) as typed. */
  dossier?: DossierEcho;
  /** Files already stored for this nomination: sent again by reference, not uploaded again. */
  refs?: AttachmentRef[];
}

/** The parts a unit can nominate to: "list" or "list/field", with the application form of each. */
export function nominableParts(
  programme: Programme,
): Array<{ value: string; label: string; form: ReturnType<typeof formFor> }> {
  return programme.lists
    .filter((l) => !l.separatelyOrganised)
    .flatMap((l) =>
      l.fields
        ? l.fields.map((f) => ({
            value: `${l.id}/${f.id}`,
            label: partName(programme, l.id, f.id),
            form: formFor(l, f.id),
          }))
        : [{ value: l.id, label: partName(programme, l.id), form: formFor(l) }],
    );
}

function storedRefs(refs: AttachmentRef[]): SafeHtml {
  if (refs.length === 0) return html``;
  return html`<div class="wide">
    <p>已上传 Uploaded:</p>
    <ul>
      ${refs.map(
        (r) =>
          html`<li>
            ${r.name} (${r.slot}, ${r.size} B)<input type="hidden" name="ref" value="${JSON.stringify(r)}" />
          </li>`,
      )}
    </ul>
  </div>`;
}

function fieldInput(name: string, field: CandidateField, value: string): SafeHtml {
  const id = `c-${name}`;
  const label = html`<label for="${id}"
    >${field.description.zh}<span class="en">${field.description.en}</span></label
  >`;
  const required = field.type === 'text' && field.required;
  switch (field.type) {
    case 'choice':
      return html`${label}<select id="${id}" name="c.${name}">
          <option value="">—</option>
          ${field.values.map(
            (v) =>
              html`<option value="${v.value}" ${v.value === value ? html` selected` : ''}>
                ${v.zh} ${v.en}
              </option>`,
          )}
        </select>`;
    case 'flag':
      return html`${label}<select id="${id}" name="c.${name}">
          ${yesNoOptions(value)}
        </select>`;
    case 'date':
      return html`${label}<input id="${id}" name="c.${name}" type="date" value="${value}" />`;
    case 'texts':
      return html`${label}<textarea id="${id}" name="c.${name}" rows="2" placeholder="每行一项 one per line">
${value}</textarea>`;
    case 'email':
      return html`${label}<input
          id="${id}"
          name="c.${name}"
          type="email"
          maxlength="${field.max}"
          value="${value}"
        />`;
    case 'text':
      return field.kind === 'name'
        ? html`${label}<input
              id="${id}"
              name="c.${name}"
              type="text"
              maxlength="${field.max}"
              value="${value}"
              ${required ? html` required` : ''}
            />`
        : html`${label}<textarea id="${id}" name="c.${name}" rows="3" maxlength="${field.max}">
${value}</textarea>`;
  }
}

function quotaMeters(state: UnitState, programme: Programme): SafeHtml {
  return html`<section aria-labelledby="quota-h">
    <h2 id="quota-h">名额 Quota</h2>
    <ul class="meters">
      ${state.usage.map((row) => {
        const label = partName(programme, row.listId, row.fieldId);
        return html`<li>
          <span class="meter-label">${label}</span>
          <meter min="0" max="${row.limit}" value="${row.used}" aria-label="${label}">
            ${row.used}/${row.limit}
          </meter>
          <span class="meter-figure">${row.used}/${row.limit}</span>
        </li>`;
      })}
    </ul>
  </section>`;
}

function nominationTable(state: UnitState, programme: Programme, viewer: Viewer, action: string): SafeHtml {
  if (state.nominations.length === 0) return html`<p>尚无推荐 / no nominations yet.</p>`;
  return html`<div class="scroll">
    <table class="stack">
      <caption>
        已提交的推荐 Nominations
      </caption>
      <thead>
        <tr>
          <th scope="col">编号 Id</th>
          <th scope="col">名称 Name</th>
          <th scope="col">榜单 List</th>
          <th scope="col">提交 Submitted</th>
          <th scope="col"><span class="visually-hidden">操作 Actions</span></th>
        </tr>
      </thead>
      <tbody>
        ${state.nominations.map(
          (n) =>
            html`<tr>
              <td data-label="编号 Id">${n.id}</td>
              <td class="candidate-name" data-label="名称 Name">${n.candidate.name}</td>
              <td data-label="榜单 List">${partName(programme, n.listId, n.fieldId)}</td>
              <td data-label="提交 Submitted">${formatDeadline(n.submittedAt)}</td>
              <td class="row-actions">
                ${
                  state.open
                    ? html`<form method="post" action="${action}/withdraw">
                        <input type="hidden" name="_csrf" value="${viewer.csrf}" /><input
                          type="hidden"
                          name="nomination"
                          value="${n.id}"
                        /><button type="submit" class="secondary">
                          撤回 Withdraw <span class="visually-hidden">${n.candidate.name}</span>
                        </button>
                      </form>`
                    : ''
                }
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** A saved draft as the page lists it. */
export interface DraftListing {
  id: string;
  updatedAt: number;
  listId?: string;
  fieldId?: string;
  candidate: Record<string, unknown>;
}

function draftList(programme: Programme, drafts: DraftListing[], viewer: Viewer, action: string): SafeHtml {
  return html`<section aria-labelledby="drafts-h">
    <h2 id="drafts-h">草稿 Drafts</h2>
    ${
      drafts.length === 0
        ? html`<p>没有草稿；填写表单时可随时“保存草稿” / none: use “保存草稿 Save draft” on the form.</p>`
        : html`<ul class="drafts">
            ${drafts.map(
              (d) =>
                html`<li>
                  <a href="${action}?draft=${encodeURIComponent(d.id)}"
                    >${typeof d.candidate.name === 'string' && d.candidate.name ? d.candidate.name : '（未命名 untitled）'}</a
                  >
                  <span>${d.listId ? partName(programme, d.listId, d.fieldId) : ''}</span>
                  <span>保存于 saved ${formatDeadline(d.updatedAt)}</span>
                  <form method="post" action="${action}/drafts/delete" class="inline">
                    <input type="hidden" name="_csrf" value="${viewer.csrf}" /><input
                      type="hidden"
                      name="draft"
                      value="${d.id}"
                    /><button type="submit" class="secondary">
                      删除 Delete <span class="visually-hidden">${String(d.candidate.name ?? d.id)}</span>
                    </button>
                  </form>
                </li>`,
            )}
          </ul>`
    }
  </section>`;
}

function nominationForm(
  programme: Programme,
  unitId: string,
  viewer: Viewer,
  echo: FormEcho,
  own: readonly OwnNomination[] = [],
): SafeHtml {
  const action = `/u/${programme.id}/${unitId}`;
  const parts = nominableParts(programme);
  const chosen = echo.part ?? parts[0]?.value;
  return html`<section aria-labelledby="form-h">
    <h2 id="form-h">新增推荐 New nomination</h2>
    <form
      method="post"
      action="${action}/nominate"
      enctype="multipart/form-data"
      class="nominate"
      data-verdict-url="/api/v1/cycles/${programme.id}/units/${unitId}/eligibility"
    >
      <input type="hidden" name="_csrf" value="${viewer.csrf}" />
      <input type="hidden" name="key" value="${echo.key}" />
      <label for="part">榜单与领域<span class="en">List and field</span></label>
      <select id="part" name="part" required>
        ${parts.map(
          (p) =>
            html`<option value="${p.value}" ${p.value === echo.part ? html` selected` : ''}>
              ${p.label}
            </option>`,
        )}
      </select>
      ${Object.entries(CANDIDATE_FIELDS).map(
        ([name, field]) =>
          html`<div class="field">
            ${fieldInput(name, field as CandidateField, echo.values[name] ?? '')}
          </div>`,
      )}
      ${parts.map((p) =>
        p.form
          ? dossierFieldset(
              p.value,
              p.form,
              p.value === chosen,
              echo.dossier ?? {},
              own,
              new Set((echo.refs ?? []).map((r) => r.slot)),
            )
          : '',
      )}
      ${storedRefs(echo.refs ?? [])}
      <p class="verdict" role="status" aria-live="polite" id="verdict"></p>
      <div class="wide actions">
        <button type="submit">提交推荐 Submit</button>
        <button type="submit" formaction="${action}/draft" formnovalidate class="secondary">
          保存草稿 Save draft
        </button>
      </div>
    </form>
  </section>`;
}

export function unitPage(args: {
  programme: Programme;
  state: UnitState;
  viewer: Viewer;
  echo: FormEcho;
  /** Programme time now (epoch ms): the countdown runs on the cycle's clock, not the browser's. */
  now: number;
  /** The unit's saved drafts; absent when the portal keeps none (no records). */
  drafts?: DraftListing[];
  error?: ApiError;
  notice?: string;
}): string {
  const { programme, state, viewer, echo, now, drafts, error, notice } = args;
  const action = `/u/${programme.id}/${state.unitId}`;
  const owes = owedBy(state, programme);
  const body = html` ${outcome(error, notice)}
    <p><a href="${action}/projects">我的项目 My funded projects</a></p>
    <section aria-labelledby="deadline-h" class="deadline">
      <h2 id="deadline-h">推荐截止 Deadline</h2>
      <p>
        <time
          datetime="${rfc3339Beijing(state.collectionClosesAt)}"
          data-countdown
          data-now="${rfc3339Beijing(now)}"
          >${formatDeadline(state.collectionClosesAt)}</time
        >（北京时间 Beijing time）
        ${state.paused ? html`<strong>已暂停 Paused</strong>` : ''}${state.open ? '' : html`<strong>征集已截止 Closed</strong>`}
      </p>
      <p class="countdown" aria-live="off"></p>
    </section>
    <section aria-labelledby="owes-h">
      <h2 id="owes-h">待办 Still to do</h2>
      ${
        owes.length
          ? html`<ul>
              ${owes.map((o) => html`<li>${o}</li>`)}
            </ul>`
          : html`<p>无 / nothing.</p>`
      }
      ${
        state.open && !state.complete
          ? html`<form method="post" action="${action}/complete">
              <input type="hidden" name="_csrf" value="${viewer.csrf}" /><button
                type="submit"
                class="secondary"
              >
                确认推荐完成 Mark complete
              </button>
            </form>`
          : ''
      }
    </section>
    ${quotaMeters(state, programme)}
    <section aria-labelledby="noms-h">
      <h2 id="noms-h">推荐 Nominations</h2>
      ${nominationTable(state, programme, viewer, action)}
      ${state.open ? html`<p><a href="${action}/import">表格批量导入 Import a sheet of nominations</a></p>` : ''}
    </section>
    ${state.open && drafts ? draftList(programme, drafts, viewer, action) : ''}
    ${
      state.open
        ? nominationForm(
            programme,
            state.unitId,
            viewer,
            echo,
            state.nominations.map((n) => ({ id: n.id, listId: n.listId, name: n.candidate.name })),
          )
        : ''
    }`;
  return layout({ title: `${state.unitName} · 推荐 Nominations`, programmeId: programme.id, viewer, body });
}
