/** Rows → requests: each data row as a NominateRequest, or its local rejection. */
import { createHash } from 'node:crypto';
import type { Dossier } from '../../domain/dossier';
import { formFor } from '../../domain/forms';
import { candidateSchema, type Candidate, type Form, type Programme } from '../../domain/programme';
import type { Rejection } from '../../domain/rejections';
import type { NominateRequest } from '../../workflows/messages';
import { cellReader } from '../../tables/table';
import { COLUMN_INFO, type ImportColumn } from './columns';
import { parseDateText } from './dates';
import { type ImportTable } from './file';
import { dossierFromCells, type AttachmentFile } from './form-columns';

export interface ImportContext {
  /** The programme id (not the cycle id): part of a derived key. */
  programmeId: string;
  unitId: string;
  /** Used when a row has no listId / fieldId of its own. */
  defaults?: { listId?: string; fieldId?: string };
  /** Given: rows to parts with a form carry a dossier from the form's columns (form-columns.ts). */
  programme?: Programme;
}

export interface RowBase {
  /** Row number as the spreadsheet shows it. */
  row: number;
  key?: string;
  listId?: string;
  fieldId?: string;
  name?: string;
}

export type PreparedRow =
  | (RowBase & {
      ok: true;
      key: string;
      keySource: 'column' | 'derived';
      request: NominateRequest;
      /** Files the row's attachment columns name: uploaded into request.dossier before sending. */
      files?: AttachmentFile[];
      /** The row names co-applications (domain/bundles.ts) by other rows' keys: sent after them. */
      linked?: true;
    })
  | (RowBase & { ok: false; rejection: Rejection });

const TRUE_WORDS = new Set(['是', '有', '已认证', '涉密', 'true', 'yes', 'y', '1', '√', '✓']);
const FALSE_WORDS = new Set(['否', '无', '未认证', '不涉密', '非涉密', 'false', 'no', 'n', '0', '×', '✗']);

const REGIONS: Record<string, Candidate['region']> = {
  mainland: 'mainland',
  中国大陆: 'mainland',
  大陆: 'mainland',
  内地: 'mainland',
  境内: 'mainland',
  'hong-kong': 'hong-kong',
  hongkong: 'hong-kong',
  香港: 'hong-kong',
  中国香港: 'hong-kong',
  macao: 'macao',
  macau: 'macao',
  澳门: 'macao',
  中国澳门: 'macao',
  taiwan: 'taiwan',
  台湾: 'taiwan',
  中国台湾: 'taiwan',
  abroad: 'abroad',
  境外: 'abroad',
  国外: 'abroad',
  海外: 'abroad',
};

const STANDINGS: Record<string, Candidate['standing']> = {
  good: 'good',
  良好: 'good',
  正常: 'good',
  'abnormal-operation': 'abnormal-operation',
  经营异常: 'abnormal-operation',
  异常经营: 'abnormal-operation',
  'serious-dishonesty': 'serious-dishonesty',
  严重失信: 'serious-dishonesty',
  严重违法失信: 'serious-dishonesty',
};

class CellProblem extends Error {
  constructor(
    readonly column: ImportColumn,
    readonly rule: string,
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

function parseBoolean(column: ImportColumn, text: string): boolean {
  const word = text.normalize('NFKC').trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new CellProblem(
    column,
    'boolean',
    `${COLUMN_INFO[column].zh}应为“是”或“否” / ${column} must be yes or no, got "${text}"`,
    '填写 是 / 否 / write 是 or 否 (yes / no)',
  );
}

function parseChoice<T>(column: ImportColumn, text: string, choices: Record<string, T>): T {
  const word = text.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, '');
  const found = choices[word] ?? choices[text.trim()];
  if (found !== undefined) return found;
  throw new CellProblem(
    column,
    'enum',
    `${COLUMN_INFO[column].zh}取值无效 / invalid ${column} "${text}"`,
    COLUMN_INFO[column].hint,
  );
}

/** "2015-03-01", "2015/3/1", "2015.3.1", "2015年3月1日" → "2015-03-01". */
export function parseDate(column: ImportColumn, text: string): string {
  const iso = parseDateText(text);
  if (!iso) {
    throw new CellProblem(
      column,
      'date',
      `${COLUMN_INFO[column].zh}不是有效日期 / ${column} is not a real date: "${text}"`,
      '日期格式 YYYY-MM-DD，如 2015-03-01 / a date as YYYY-MM-DD',
    );
  }
  return iso;
}

/** The candidate a row describes, or the cell at fault. Empty cells leave the fact out. */
export function candidateFromCells(cell: (column: ImportColumn) => string): Candidate {
  if (cell('name').trim() === '') {
    throw new CellProblem(
      'name',
      'required',
      '名称为空 / the name is empty',
      '填写候选名称 / fill in the name',
    );
  }
  const raw: Record<string, unknown> = {};
  const text = (column: ImportColumn, as: (value: string) => unknown = (v) => v) => {
    const value = cell(column).trim();
    if (value !== '') raw[column] = as(value);
  };
  text('name');
  text('identity');
  text('region', (v) => parseChoice('region', v, REGIONS));
  text('city');
  text('foundedOn', (v) => parseDate('foundedOn', v));
  text('birthDate', (v) => parseDate('birthDate', v));
  text('orgType');
  text('focusFields', (v) =>
    v
      .split(/[;；、]/)
      .map((s) => s.trim())
      .filter(Boolean),
  );
  text('category');
  text('classified', (v) => parseBoolean('classified', v));
  text('standing', (v) => parseChoice('standing', v, STANDINGS));
  text('enterpriseFoundedOn', (v) => parseDate('enterpriseFoundedOn', v));
  text('certified', (v) => parseBoolean('certified', v));
  text('summary');
  text('contactEmail');
  const parsed = candidateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const column = String(issue.path[0]) as ImportColumn;
    throw new CellProblem(
      column,
      'schema',
      `${COLUMN_INFO[column]?.zh ?? column}不合规 / invalid ${column}: ${issue.message}`,
      COLUMN_INFO[column]?.hint ?? '按模板填写该列 / fill the column as the template shows',
    );
  }
  return parsed.data;
}

/** JSON with object keys sorted: the same facts always give the same text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The idempotency key of a row without a `key` cell: programme, unit, part and the normalised
 * candidate, hashed. Row order, spacing, heading language and date spelling do not change it.
 */
export function deriveKey(
  programmeId: string,
  unitId: string,
  listId: string,
  fieldId: string | undefined,
  candidate: Candidate,
  dossier?: Dossier,
  files: AttachmentFile[] = [],
): string {
  // A row that answers nothing of its form keys as before forms existed: re-importing it finds its nomination.
  const answered = dossier && (Object.keys(dossier.answers).length > 0 || dossier.declarations.length > 0);
  const facts = ['kczg-import/1', programmeId, unitId, listId, fieldId ?? '', candidate];
  // The files as the cells name them (slot and path), so the key is known before any upload.
  const named = files.map(({ slot, path }) => [slot, path]);
  const digest = createHash('sha256')
    .update(canonicalJson([...facts, ...(answered ? [dossier] : []), ...(named.length > 0 ? [named] : [])]))
    .digest('hex');
  return `import-${digest.slice(0, 40)}`;
}

const LIST_REQUIRED: Rejection = {
  code: 'INVALID',
  field: 'listId',
  rule: 'required',
  message: '榜单为空 / no list',
  fix: '填写榜单编号，如 pioneer-tech / fill in the list id',
};

/** A row without a list, or with a key too long to be an update id. */
function listAndKeyProblem(listId: string | undefined, givenKey: string | undefined): Rejection | undefined {
  if (!listId) return LIST_REQUIRED;
  if (givenKey && givenKey.length > 200) {
    return {
      code: 'INVALID',
      field: 'key',
      rule: 'length',
      message: '幂等键过长（最多 200 字符）/ key longer than 200 characters',
      fix: '使用较短的键 / use a shorter key',
    };
  }
  return undefined;
}

/** A row whose key (given, or derived from identical content) an earlier row has. */
function duplicateOf(key: string, earlier: number, keyGiven: boolean): Rejection {
  return {
    code: 'DUPLICATE',
    field: keyGiven ? 'key' : 'candidate',
    rule: 'unique-per-file',
    message: keyGiven
      ? `幂等键 "${key}" 与第 ${earlier} 行重复 / key "${key}" repeats row ${earlier}`
      : `与第 ${earlier} 行内容相同 / same as row ${earlier}`,
    fix: keyGiven ? '每行使用不同的键 / give each row its own key' : '删除重复行 / remove the repeated row',
  };
}

/**
 * The columns that answer a form: its own, after any import column a form field shares its id
 * with (contactEmail, whose headings all name the import column): that cell answers the field too.
 */
function formColumnsOf(table: ImportTable, form: Form): Array<{ heading: string; index: number }> {
  const shared = form.fields.flatMap(({ id }) => {
    const index = table.columns.get(id as ImportColumn);
    return index === undefined ? [] : [{ heading: id, index }];
  });
  return [...shared, ...table.formColumns];
}

/** Every data row as a request, or its local rejection (INVALID with the field, DUPLICATE key). */
export function prepareRows(table: ImportTable, context: ImportContext): PreparedRow[] {
  const firstRowOfKey = new Map<string, number>();
  return table.rows.map(({ row, cells }): PreparedRow => {
    const cell = cellReader(table.columns, cells);
    const listId = cell('listId') || context.defaults?.listId || undefined;
    // The default field belongs to the default list only.
    const defaultField = listId === context.defaults?.listId ? context.defaults?.fieldId : undefined;
    const fieldId = cell('fieldId') || defaultField || undefined;
    const givenKey = cell('key') || undefined;
    const base: RowBase = {
      row,
      ...(listId ? { listId } : {}),
      ...(fieldId ? { fieldId } : {}),
      ...(cell('name') ? { name: cell('name') } : {}),
      ...(givenKey ? { key: givenKey } : {}),
    };
    const reject = (rejection: Rejection): PreparedRow => ({ ...base, ok: false, rejection });
    const unusable = listAndKeyProblem(listId, givenKey);
    if (unusable || !listId) return reject(unusable ?? LIST_REQUIRED);
    let candidate: Candidate;
    try {
      candidate = candidateFromCells(cell);
    } catch (error) {
      if (!(error instanceof CellProblem)) throw error;
      return reject({
        code: 'INVALID',
        field: `candidate.${error.column}`,
        rule: error.rule,
        message: error.message,
        fix: error.fix,
      });
    }
    const list = context.programme?.lists.find((l) => l.id === listId);
    const form = list && formFor(list, fieldId);
    const fromCells = form ? dossierFromCells(form, formColumnsOf(table, form), cells) : undefined;
    if (fromCells && !fromCells.ok) return reject(fromCells.rejection);
    const dossier = fromCells?.dossier;
    const files = fromCells?.files ?? [];
    const key =
      givenKey ?? deriveKey(context.programmeId, context.unitId, listId, fieldId, candidate, dossier, files);
    const earlier = firstRowOfKey.get(key);
    if (earlier !== undefined) {
      return { ...base, key, ok: false, rejection: duplicateOf(key, earlier, givenKey !== undefined) };
    }
    firstRowOfKey.set(key, row);
    return {
      ...base,
      key,
      ok: true,
      keySource: givenKey ? 'column' : 'derived',
      request: {
        idempotencyKey: key,
        listId,
        ...(fieldId ? { fieldId } : {}),
        candidate,
        ...(dossier ? { dossier } : {}),
      },
      ...(files.length > 0 ? { files } : {}),
      ...(list?.form?.coApplications ? { linked: true as const } : {}),
    };
  });
}
