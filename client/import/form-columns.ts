/**
 * A row's dossier from the sheet's other columns: a column headed with a form field's id or label
 * ("employees", "职工人数", "职工人数 employees") holds its answer; a column headed with a
 * declaration's id ("no-accident", "声明 no-accident") holds 是 or 否 for it; a column headed with
 * an attachment slot's id or label ("application-form", "申报书（盖章扫描件）") holds the paths of its
 * files, relative to the sheet and separated by ";", which the import uploads (attachments.ts).
 */
import type { Dossier, FormAnswer } from '../../domain/dossier';
import { formFor } from '../../domain/forms';
import type { AttachmentSlot, Form, FormField, Programme } from '../../domain/programme';
import type { Rejection } from '../../domain/rejections';
import { headingLookup } from '../../tables/table';
import { parseDateText } from './dates';

const TRUE_WORDS = new Set(['是', '有', 'true', 'yes', 'y', '1', '√', '✓']);
const FALSE_WORDS = new Set(['否', '无', 'false', 'no', 'n', '0', '×', '✗']);

type FormColumn =
  | { kind: 'answer'; field: FormField }
  | { kind: 'declaration'; id: string; text: string }
  | { kind: 'attachment'; slot: AttachmentSlot };

/** A file a row's cell names for an attachment slot, not yet uploaded. */
export interface AttachmentFile {
  slot: string;
  /** As written in the cell: relative to the sheet's folder, or absolute. */
  path: string;
  /** The column's heading, for the row's refusal. */
  heading: string;
}

/** The headings of a field or slot: its id, its Chinese label, both, its English label. */
const labelHeadings = (id: string, label: { zh: string; en?: string }) => [
  id,
  label.zh,
  `${label.zh} ${id}`,
  label.en ?? id,
];

/** The headings a form's columns answer to. */
function headingsOf(form: Form): Array<[string, FormColumn]> {
  return [
    ...form.fields.flatMap((field): Array<[string, FormColumn]> => {
      const column: FormColumn = { kind: 'answer', field };
      return labelHeadings(field.id, field.label).map((heading) => [heading, column]);
    }),
    ...form.attachments.flatMap((slot): Array<[string, FormColumn]> => {
      const column: FormColumn = { kind: 'attachment', slot };
      return labelHeadings(slot.id, slot.label).map((heading) => [heading, column]);
    }),
    ...form.declarations.flatMap(({ id, text }): Array<[string, FormColumn]> => {
      const column: FormColumn = { kind: 'declaration', id, text };
      return [id, `声明 ${id}`].map((heading) => [heading, column]);
    }),
  ];
}

/** Every heading some form of the programme names: such a column is read, not ignored. */
export function formHeadings(programme: Programme): (heading: string) => boolean {
  const forms = programme.lists.flatMap((list) =>
    (list.fields?.map((f) => f.id) ?? [undefined]).map((fieldId) => formFor(list, fieldId)),
  );
  const lookup = headingLookup(
    forms
      .flatMap((form) => (form ? headingsOf(form) : []))
      .map(([heading]): [string, true] => [heading, true]),
  );
  return (heading) => lookup(heading) === true;
}

class CellProblem extends Error {}

function answerOf(field: FormField, text: string): FormAnswer {
  const word = text.normalize('NFKC').trim().toLowerCase();
  switch (field.type) {
    case 'number': {
      const value = Number(text.replace(/[,，\s]/g, ''));
      if (!Number.isFinite(value)) throw new CellProblem('应为数字 / expected a number');
      return value;
    }
    case 'boolean':
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw new CellProblem('应为“是”或“否” / expected 是 or 否');
    case 'date': {
      const date = parseDateText(text);
      if (!date) throw new CellProblem('不是有效日期 / not a real date (YYYY-MM-DD)');
      return date;
    }
    case 'choice':
      return optionOf(field.options, text);
    case 'choices':
      return text
        .split(/[;；、]/)
        .map((s) => s.trim())
        .filter(Boolean)
        .map((item) => optionOf(field.options, item));
    default:
      return text;
  }
}

/** An option by its value or its Chinese label. */
function optionOf(options: Array<{ value: string; label: { zh: string } }>, text: string): string {
  const found = options.find((o) => o.value === text || o.label.zh === text);
  if (!found) throw new CellProblem(`可选 / options: ${options.map((o) => o.label.zh).join('、')}`);
  return found.value;
}

/**
 * The dossier of one row for a part with a form: answers from the columns that name its fields,
 * the declarations marked 是, no attachments yet but the files its slots' columns name; or the
 * cell at fault. Empty cells answer nothing.
 */
export function dossierFromCells(
  form: Form,
  headings: ReadonlyArray<{ heading: string; index: number }>,
  cells: readonly string[],
): { ok: true; dossier: Dossier; files: AttachmentFile[] } | { ok: false; rejection: Rejection } {
  const lookup = headingLookup(headingsOf(form));
  const dossier: Dossier = { answers: {}, declarations: [], attachments: [] };
  const files: AttachmentFile[] = [];
  for (const { heading, index } of headings) {
    const column = lookup(heading);
    const text = (cells[index] ?? '').trim();
    if (!column || text === '') continue;
    if (column.kind === 'attachment') {
      for (const file of text.split(/[;；]/).map((f) => f.trim()))
        if (file) files.push({ slot: column.slot.id, path: file, heading });
      continue;
    }
    try {
      if (column.kind === 'answer') {
        dossier.answers[column.field.id] = answerOf(column.field, text);
        continue;
      }
      const word = text.normalize('NFKC').toLowerCase();
      if (TRUE_WORDS.has(word)) dossier.declarations.push({ id: column.id, text: column.text });
      else if (!FALSE_WORDS.has(word))
        throw new CellProblem('声明列应填“是”或“否” / a declaration column holds 是 or 否');
    } catch (error) {
      if (!(error instanceof CellProblem)) throw error;
      const field = column.kind === 'answer' ? `answers.${column.field.id}` : `declarations.${column.id}`;
      return {
        ok: false,
        rejection: {
          code: 'INVALID',
          field: `dossier.${field}`,
          rule: 'cell',
          message: `「${heading}」列：${error.message}`,
          fix: '按申报表填写该列 / fill the column as the form asks (kczg nominate --dossier-template)',
        },
      };
    }
  }
  return { ok: true, dossier, files };
}
