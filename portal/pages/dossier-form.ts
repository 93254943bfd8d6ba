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

function answerInput(prefix: string, field: FormField, echo: DossierEcho): SafeHtml {
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

/** A file input for an attachment slot, with its formats, size limit and count (also used for report evidence). */
export function slotInput(prefix: string, slot: AttachmentSlot): SafeHtml {
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
      ${slot.required ? html` required` : ''}
    />`;
}

/** The fieldset of one part's form; enabled only when it is the chosen part. */
export function dossierFieldset(part: string, form: Form, chosen: boolean, echo: DossierEcho): SafeHtml {
  const prefix = `p-${part.replace(/[^a-z0-9-]/gi, '-')}`;
  return html`<fieldset class="dossier wide" data-part="${part}" ${chosen ? '' : html` disabled hidden`}>
    <legend>申报书 Dossier</legend>
    ${form.fields.map((f) => html`<div class="field">${answerInput(prefix, f, echo)}</div>`)}
    ${
      form.declarations.length
        ? html`<h3>声明 Declarations</h3>
            ${form.declarations.map((d) => declarationInput(prefix, d, echo))}`
        : ''
    }
    ${
      form.attachments.length
        ? html`<h3>附件 Attachments</h3>
            ${form.attachments.map((s) => html`<div class="field">${slotInput(prefix, s)}</div>`)}`
        : ''
    }
  </fieldset>`;
}
