/**
 * The dossier part of the nomination form, generated from each part's application form
 * (domain/forms.ts): typed inputs with their labels and limits, declarations as checkboxes showing
 * the exact statement and the notice's sentence it comes from, attachment slots as file inputs
 * with their formats. One fieldset per part; only the chosen part's is enabled (a disabled
 * fieldset submits nothing), switched by the page's script.
 */
import type { AttachmentFormat } from '../../domain/dossier';
import type { AttachmentSlot, Declaration, Form, FormField } from '../../domain/programme';
import { html, type SafeHtml } from './html';

/** What the refused form had in its dossier inputs, shown again. */
export type DossierEcho = Record<string, string | string[]>;

const ACCEPT: Record<AttachmentFormat, string> = {
  pdf: '.pdf,application/pdf',
  docx: '.docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: '.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  jpeg: '.jpg,.jpeg,image/jpeg',
  png: '.png,image/png',
};

/** The options of a yes/no select, none chosen unless `value` is "true" or "false". */
export function yesNoOptions(value: string): SafeHtml {
  return html`<option value="">—</option>
    ${[
      ['true', '是 yes'],
      ['false', '否 no'],
    ].map(([v, text]) => html`<option value="${v}" ${v === value ? html` selected` : ''}>${text}</option>`)}`;
}

const one = (value: string | string[] | undefined): string => [value ?? ''].flat()[0] ?? '';

function label(id: string, field: { label: { zh: string; en?: string }; required?: boolean }, hint = '') {
  return html`<label for="${id}"
    >${field.label.zh}${field.required ? html`<abbr title="必填 required">*</abbr>` : ''}<span class="en"
      >${field.label.en ?? ''}${hint ? ` (${hint})` : ''}</span
    ></label
  >`;
}

/** `datalist`: the id of suggestions for a one-line text input. */
function answerInput(prefix: string, field: FormField, echo: DossierEcho, datalist?: string): SafeHtml {
  const id = `${prefix}-a-${field.id}`;
  const name = `a.${field.id}`;
  const value = one(echo[name]);
  const required = field.required ? html` required` : '';
  switch (field.type) {
    case 'text':
      return field.multiline
        ? html`${label(id, field, `≤ ${field.maxLength}`)}<textarea
              id="${id}"
              name="${name}"
              rows="4"
              maxlength="${field.maxLength}"
              ${required}
            >
${value}</textarea>`
        : html`${label(id, field, `≤ ${field.maxLength}`)}<input
              id="${id}"
              name="${name}"
              type="text"
              maxlength="${field.maxLength}"
              value="${value}"
              ${datalist ? html` list="${datalist}"` : ''}
              ${required}
            />`;
    case 'number':
      return html`${label(id, field, [field.min, field.max].some((v) => v !== undefined) ? `${field.min ?? '…'}–${field.max ?? '…'}` : '')}<input
          id="${id}"
          name="${name}"
          type="number"
          step="${field.integer ? '1' : 'any'}"
          ${field.min !== undefined ? html` min="${field.min}"` : ''}
          ${field.max !== undefined ? html` max="${field.max}"` : ''}
          value="${value}"
          ${required}
        />`;
    case 'date':
      return html`${label(id, field)}<input
          id="${id}"
          name="${name}"
          type="date"
          ${field.min ? html` min="${field.min}"` : ''}
          ${field.max ? html` max="${field.max}"` : ''}
          value="${value}"
          ${required}
        />`;
    case 'choice':
      return html`${label(id, field)}<select id="${id}" name="${name}" ${required}>
          <option value="">—</option>
          ${field.options.map(
            (o) =>
              html`<option value="${o.value}" ${o.value === value ? html` selected` : ''}>
                ${o.label.zh} ${o.label.en ?? ''}
              </option>`,
          )}
        </select>`;
    case 'choices': {
      const chosen = [echo[name] ?? []].flat();
      return html`<fieldset class="choices" id="${id}">
        <legend>${field.label.zh}<span class="en">${field.label.en ?? ''}</span></legend>
        ${field.options.map(
          (o) =>
            html`<label
              ><input
                type="checkbox"
                name="${name}"
                value="${o.value}"
                ${chosen.includes(o.value) ? html` checked` : ''}
              />
              ${o.label.zh} ${o.label.en ?? ''}</label
            >`,
        )}
      </fieldset>`;
    }
    case 'boolean':
      return html`${label(id, field)}<select id="${id}" name="${name}" ${required}>
          ${yesNoOptions(value)}
        </select>`;
    case 'uscc':
      return html`${label(id, field, '18 位 / 18 characters')}<input
          id="${id}"
          name="${name}"
          type="text"
          inputmode="latin"
          maxlength="18"
          pattern="[0-9A-HJ-NPQRTUWXY]{18}"
          value="${value}"
          ${required}
        />`;
    case 'email':
      return html`${label(id, field)}<input
          id="${id}"
          name="${name}"
          type="email"
          maxlength="320"
          value="${value}"
          ${required}
        />`;
    case 'phone':
      return html`${label(id, field)}<input
          id="${id}"
          name="${name}"
          type="tel"
          maxlength="25"
          value="${value}"
          ${required}
        />`;
  }
}

function declarationInput(prefix: string, declaration: Declaration, echo: DossierEcho): SafeHtml {
  const id = `${prefix}-d-${declaration.id}`;
  const name = `decl.${declaration.id}`;
  return html`<div class="declaration">
    <input
      type="checkbox"
      id="${id}"
      name="${name}"
      value="yes"
      ${one(echo[name]) === 'yes' ? html` checked` : ''}
      required
    />
    <label for="${id}">${declaration.text}</label>
    <blockquote class="notice-quote">${declaration.source.quote ?? ''}</blockquote>
  </div>`;
}

/**
 * A file input for an attachment slot, with its formats, size limit and count (also used for
 * report evidence). `stored`: a file for the slot is already kept (a draft, a refused try), so
 * none is required now.
 */
export function slotInput(prefix: string, slot: AttachmentSlot, stored = false): SafeHtml {
  const id = `${prefix}-f-${slot.id}`;
  const mib = Math.floor(slot.maxBytes / 1024 / 1024);
  const hint = `${slot.formats.join('/').toUpperCase()}，≤ ${mib} MiB，${slot.maxCount} 个以内 / up to ${slot.maxCount}`;
  return html`${label(id, slot, hint)}<input
      id="${id}"
      name="f.${slot.id}"
      type="file"
      accept="${slot.formats.map((f) => ACCEPT[f]).join(',')}"
      data-max-bytes="${slot.maxBytes}"
      ${slot.maxCount > 1 ? html` multiple` : ''}
      ${slot.required && !stored ? html` required` : ''}
    />`;
}

/** One of the unit's own nominations, offered where a form names a co-application. */
export interface OwnNomination {
  id: string;
  listId: string;
  name: string;
}

/**
 * A co-application answer (domain/bundles.ts): the text input suggests the unit's own
 * nominations in the required list, and says which list the notice requires.
 */
function coApplicationInput(
  prefix: string,
  field: FormField,
  listId: string,
  own: readonly OwnNomination[],
  echo: DossierEcho,
): SafeHtml {
  const listOptions = `${prefix}-co-${field.id}`;
  const choices = own.filter((n) => n.listId === listId);
  return html`${answerInput(prefix, field, echo, listOptions)}
    <datalist id="${listOptions}">
      ${choices.map((n) => html`<option value="${n.id}">${n.name}</option>`)}
    </datalist>
    <p class="hint" data-co-application="${listId}" data-list="${listOptions}">
      ${
        choices.length
          ? html`本单位在该项目的推荐：${choices.map((n) => `${n.id}（${n.name}）`).join('、')}；注明纳入本项目的一项
            / name the one that joins this application`
          : html`须同时申报：本单位尚无该项目的推荐，请先推荐 / file the required co-application first`
      }
    </p>`;
}

/**
 * The fieldset of one part's form; enabled only when it is the chosen part. `own`: the unit's
 * nominations, offered where the form names co-applications; `storedSlots`: attachment slots
 * already holding a kept file (from a draft or a refused try), so the browser does not demand it again.
 */
export function dossierFieldset(
  part: string,
  form: Form,
  chosen: boolean,
  echo: DossierEcho,
  own: readonly OwnNomination[] = [],
  storedSlots: ReadonlySet<string> = new Set(),
): SafeHtml {
  const prefix = `p-${part.replace(/[^a-z0-9-]/gi, '-')}`;
  const coListOf = new Map(form.coApplications?.required.map((c) => [c.answer, c.listId]));
  return html`<fieldset class="dossier wide" data-part="${part}" ${chosen ? '' : html` disabled hidden`}>
    <legend>申报书 Dossier</legend>
    ${form.fields.map((f) => {
      const coList = coListOf.get(f.id);
      return html`<div class="field">
        ${coList ? coApplicationInput(prefix, f, coList, own, echo) : answerInput(prefix, f, echo)}
      </div>`;
    })}
    ${
      form.declarations.length
        ? html`<h3>声明 Declarations</h3>
            ${form.declarations.map((d) => declarationInput(prefix, d, echo))}`
        : ''
    }
    ${
      form.attachments.length
        ? html`<h3>附件 Attachments</h3>
            ${form.attachments.map(
              (s) => html`<div class="field">${slotInput(prefix, s, chosen && storedSlots.has(s.id))}</div>`,
            )}`
        : ''
    }
  </fieldset>`;
}
