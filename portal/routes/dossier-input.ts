/**
 * The dossier from the unit page's form inputs (portal/pages/dossier-form.ts): answers typed by
 * their form field (numbers, yes/no, several choices), declarations affirmed with their exact
 * statement, attachments as references (stored earlier, sent back in hidden `ref` inputs) plus the
 * files just uploaded. The workflow checks the result against the form (domain/forms.ts).
 */
import { RejectionError } from '../../client/requests';
import type { AttachmentRef, Dossier, FormAnswer } from '../../domain/dossier';
import type { Form, FormField } from '../../domain/programme';
import { attachmentRefSchema } from '../schemas';

export type FormValues = Record<string, string | string[]>;

const first = (value: string | string[] | undefined): string => [value ?? ''].flat()[0] ?? '';

function answerOf(field: FormField, value: string | string[]): FormAnswer | undefined {
  if (field.type === 'choices') return [value].flat().filter(Boolean);
  const text = first(value);
  if (text === '') return undefined;
  if (field.type === 'number') return Number.isFinite(Number(text)) ? Number(text) : text;
  if (field.type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

/** The references the form carried back from an earlier try; a malformed one is refused. */
export function refsFromForm(values: FormValues): AttachmentRef[] {
  return [values.ref ?? []].flat().map((text) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const ref = attachmentRefSchema.safeParse(parsed);
    if (!ref.success) {
      throw new RejectionError({
        code: 'INVALID',
        field: 'dossier.attachments',
        rule: 'ref',
        message: '已上传附件的引用已损坏 / a reference to an uploaded file is damaged',
        fix: '重新打开页面并再次上传该文件 / reload the page and upload the file again',
      });
    }
    return ref.data;
  });
}

export function dossierFromForm(form: Form, values: FormValues, attachments: AttachmentRef[]): Dossier {
  const answers: Record<string, FormAnswer> = {};
  for (const field of form.fields) {
    const value = values[`a.${field.id}`];
    const answer = value === undefined ? undefined : answerOf(field, value);
    if (answer !== undefined) answers[field.id] = answer;
  }
  return {
    answers,
    declarations: form.declarations
      .filter((d) => first(values[`decl.${d.id}`]) === 'yes')
      .map((d) => ({ id: d.id, text: d.text })),
    attachments,
  };
}

/** The dossier inputs as typed (a.*, decl.*), to show them again on a refused form. */
export function dossierEcho(values: FormValues): FormValues {
  return Object.fromEntries(
    Object.entries(values).filter(([name]) => name.startsWith('a.') || name.startsWith('decl.')),
  );
}
