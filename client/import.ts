/**
 * `kczg import`: a unit's nominations from a spreadsheet (CSV or XLSX), one row per nomination.
 *
 * - Columns (English ids or Chinese headings, any order): key, listId, fieldId, name, identity,
 *   region, city, foundedOn, birthDate, orgType, focusFields, category, classified, standing,
 *   enterpriseFoundedOn, certified, summary, contactEmail. Unknown columns are ignored.
 * - Each row becomes a NominateRequest, or a local rejection (same codes as the server's).
 * - Re-runnable: a row's idempotency key is its `key` cell, else derived from the programme, the
 *   unit and a hash of the row's normalised fields, so the same file gives the same nominations.
 * - The file is refused as a whole (ImportFileError, code INVALID) only when it cannot be read or
 *   lacks a required column; everything else is reported per row.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { candidateSchema, type Candidate, type Programme } from '../domain/programme';
import type { Rejection } from '../domain/rejections';
import { csvCell } from '../activities/publish';
import type { Nomination, NominateRequest } from '../workflows/messages';
import { readTableFile } from '../tables/read-table';
import {
  cellReader,
  headingLookup,
  parseCsv as parseCsvText,
  TableError,
  tableOf,
  type Table,
} from '../tables/table';
import { RejectionError } from './api';

export const IMPORT_COLUMNS = [
  'key',
  'listId',
  'fieldId',
  'name',
  'identity',
  'region',
  'city',
  'foundedOn',
  'birthDate',
  'orgType',
  'focusFields',
  'category',
  'classified',
  'standing',
  'enterpriseFoundedOn',
  'certified',
  'summary',
  'contactEmail',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

interface ColumnInfo {
  /** The Chinese heading the template writes (followed by the column id). */
  zh: string;
  /** Other headings accepted for the column. */
  aliases: string[];
  /** What goes in the cell, Chinese first. */
  hint: string;
  example: string;
}

export const COLUMN_INFO: Record<ImportColumn, ColumnInfo> = {
  key: {
    zh: '幂等键',
    aliases: ['idempotencyKey', '唯一键', '导入键'],
    hint: '选填：本行的唯一键，重新导入时相同键不会重复推荐；留空则按内容自动生成 / optional: a unique key per row; empty: derived from the row',
    example: 'cie-2023-001',
  },
  listId: {
    zh: '榜单',
    aliases: ['list', '榜单编号', '榜单id'],
    hint: '必填：榜单编号，如 pioneer-tech（或用 --list 统一指定）/ required: list id (or --list)',
    example: 'pioneer-tech',
  },
  fieldId: {
    zh: '领域',
    aliases: ['field', '领域编号', '领域id'],
    hint: '分领域的榜单必填：领域编号，如 electronics / field id, for lists with fields',
    example: 'electronics',
  },
  name: {
    zh: '名称',
    aliases: ['候选名称', '候选', '技术名称', '企业名称', '机构名称', '项目名称', '姓名'],
    hint: '必填：候选技术、企业、组织或人员名称 / required: the candidate’s name',
    example: '高性能射频前端芯片关键技术',
  },
  identity: {
    zh: '统一社会信用代码',
    aliases: ['身份标识', '信用代码', '证件号码'],
    hint: '统一社会信用代码或其他稳定标识，用于查重 / registration number or other stable identity',
    example: '91110000MA01ABCD2X',
  },
  region: {
    zh: '注册地区',
    aliases: ['地区', '注册地'],
    hint: '中国大陆、香港、澳门、台湾、境外（或 mainland, hong-kong, macao, taiwan, abroad）',
    example: '中国大陆',
  },
  city: { zh: '所在城市', aliases: ['城市'], hint: '如 / e.g. 宁波市', example: '宁波市' },
  foundedOn: {
    zh: '成立日期',
    aliases: ['成立时间', '注册日期'],
    hint: 'YYYY-MM-DD，也可 2015/3/1、2015年3月1日 / a date',
    example: '2015-03-01',
  },
  birthDate: { zh: '出生日期', aliases: [], hint: 'YYYY-MM-DD', example: '1990-05-20' },
  orgType: {
    zh: '机构类型',
    aliases: ['组织类型', '单位类型'],
    hint: '如 / e.g. 新型研发机构、大学科技园',
    example: '新型研发机构',
  },
  focusFields: {
    zh: '聚焦领域',
    aliases: ['重点领域'],
    hint: '以 ";" 或 "、" 分隔 / separated by ";" or "、"',
    example: '新一代信息技术、新材料',
  },
  category: {
    zh: '类别',
    aliases: ['分类'],
    hint: '如 / e.g. 基础零部件和元器件（产业基础领域）',
    example: '基础材料',
  },
  classified: {
    zh: '是否涉密',
    aliases: ['涉密', '涉密情况'],
    hint: '是 / 否（先导技术榜须填“否”）/ yes or no',
    example: '否',
  },
  standing: {
    zh: '经营与信用状态',
    aliases: ['信用状态', '经营状态'],
    hint: '良好、经营异常、严重失信（或 good, abnormal-operation, serious-dishonesty）',
    example: '良好',
  },
  enterpriseFoundedOn: {
    zh: '创办企业注册日期',
    aliases: ['创办企业成立日期', '企业注册日期'],
    hint: 'YYYY-MM-DD',
    example: '2019-07-01',
  },
  certified: {
    zh: '技术经理人认证',
    aliases: ['技术经理人培训认证', '培训认证', '是否认证', '认证'],
    hint: '是 / 否 / yes or no',
    example: '是',
  },
  summary: {
    zh: '简介',
    aliases: ['摘要', '概述', '简要介绍'],
    hint: '不超过 2000 字 / at most 2000 characters',
    example: '',
  },
  contactEmail: {
    zh: '联系邮箱',
    aliases: ['电子邮箱', '邮箱', 'email'],
    hint: '候选联系人邮箱 / the candidate contact’s e-mail',
    example: 'contact@example.org',
  },
};

/** "榜单 listId": the heading the templates write. */
export function templateHeading(column: ImportColumn): string {
  return `${COLUMN_INFO[column].zh} ${column}`;
}

/** The column a heading names: "listId", "榜单", "榜单 listId", "名称*（name）"… or undefined. */
export const columnOfHeading: (heading: string) => ImportColumn | undefined = headingLookup(
  IMPORT_COLUMNS.flatMap((column) =>
    [column, COLUMN_INFO[column].zh, ...COLUMN_INFO[column].aliases].map(
      (heading): [string, ImportColumn] => [heading, column],
    ),
  ),
);

/** The whole file is unusable: code INVALID, with the field (file or column) at fault. */
export class ImportFileError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
    this.name = 'ImportFileError';
  }
}

function fileError(field: string, rule: string, message: string, fix: string): ImportFileError {
  return new ImportFileError({ code: 'INVALID', field, rule, message, fix });
}

export interface ImportTable extends Table<ImportColumn> {
  file: string;
}

export interface TableOptions {
  /** A default list for rows without one: then the file needs no listId column. */
  listId?: string;
}

/** Header mapping and required columns over already-read rows (header first). */
export function tableFromRows(rows: string[][], file: string, options: TableOptions = {}): ImportTable {
  const header = rows[0] ?? [];
  if (header.every((h) => h.trim() === '')) {
    throw fileError(
      'file',
      'header',
      `文件 ${file} 没有表头 / ${file} has no header row`,
      `第 1 行为表头，如 / row 1 holds the headings, e.g. ${IMPORT_COLUMNS.join(',')}（用 kczg import --template 生成模板 / see kczg import --template）`,
    );
  }
  const {
    columns,
    ignored,
    rows: data,
  } = tableOf(rows, columnOfHeading, (column, first, i) => {
    throw fileError(
      column,
      'columns',
      `表头中 "${column}" 列出现两次（第 ${first + 1} 列与第 ${i + 1} 列）/ two columns name "${column}"`,
      '每列只出现一次 / keep one column per field',
    );
  });
  const required: ImportColumn[] = options.listId ? ['name'] : ['listId', 'name'];
  const absent = required.find((c) => !columns.has(c));
  if (absent) {
    throw fileError(
      absent,
      'columns',
      `文件 ${file} 缺少 "${absent}"（${COLUMN_INFO[absent].zh}）列 / ${file} has no "${absent}" column`,
      `表头须包含 / the header needs: ${required.map(templateHeading).join(', ')}${absent === 'listId' ? '（或用 --list 指定榜单 / or pass --list）' : ''}`,
    );
  }
  if (data.length === 0) {
    throw fileError(
      'file',
      'rows',
      `文件 ${file} 没有数据行 / ${file} has no data rows`,
      '表头下每行填写一项推荐 / one nomination per row below the header',
    );
  }
  return { file, columns, ignored, rows: data };
}

/** Reads a .csv (UTF-8, with or without BOM) or .xlsx (first sheet) import file. */
export async function readImportTable(file: string, options: TableOptions = {}): Promise<ImportTable> {
  let rows: string[][];
  try {
    rows = await readTableFile(file);
  } catch (error) {
    throw asFileError(error, file);
  }
  return tableFromRows(rows, file, options);
}

/** RFC 4180 CSV (tables/table.ts); an unclosed quote is an ImportFileError. */
export function parseCsv(text: string, file = 'CSV'): string[][] {
  try {
    return parseCsvText(text);
  } catch (error) {
    throw asFileError(error, file);
  }
}

function asFileError(error: unknown, file: string): unknown {
  if (!(error instanceof TableError)) return error;
  const { problem, expected } = error;
  switch (problem.kind) {
    case 'unclosed-quote':
      return fileError(
        'file',
        'csv',
        `${file} 第 ${problem.line} 行起的引号未闭合 / unclosed quote from line ${problem.line} of ${file}`,
        expected,
      );
    case 'file-type':
      return fileError(
        'file',
        'file-type',
        `不支持的文件类型 "${problem.ext || file}" / unsupported file type "${problem.ext || file}"`,
        expected,
      );
    case 'unreadable':
      return fileError(
        'file',
        'readable',
        `无法读取文件 ${file} / cannot read ${file} (${problem.reason})`,
        expected,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Rows → requests

export interface ImportContext {
  /** The programme id (not the cycle id): part of a derived key. */
  programmeId: string;
  unitId: string;
  /** Used when a row has no listId / fieldId of its own. */
  defaults?: { listId?: string; fieldId?: string };
}

interface RowBase {
  /** Row number as the spreadsheet shows it. */
  row: number;
  key?: string;
  listId?: string;
  fieldId?: string;
  name?: string;
}

export type PreparedRow =
  | (RowBase & { ok: true; key: string; keySource: 'column' | 'derived'; request: NominateRequest })
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
  const match = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(
    text.normalize('NFKC').trim(),
  );
  const iso = match ? `${match[1]}-${match[2].padStart(2, '0')}-${match[3].padStart(2, '0')}` : '';
  const parsed = match ? new Date(`${iso}T00:00:00Z`) : undefined;
  const real =
    parsed !== undefined && !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === iso;
  if (!real) {
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
): string {
  const digest = createHash('sha256')
    .update(canonicalJson(['kczg-import/1', programmeId, unitId, listId, fieldId ?? '', candidate]))
    .digest('hex');
  return `import-${digest.slice(0, 40)}`;
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
    if (!listId) {
      return reject({
        code: 'INVALID',
        field: 'listId',
        rule: 'required',
        message: '榜单为空 / no list',
        fix: '填写榜单编号，如 pioneer-tech / fill in the list id',
      });
    }
    if (givenKey && givenKey.length > 200) {
      return reject({
        code: 'INVALID',
        field: 'key',
        rule: 'length',
        message: '幂等键过长（最多 200 字符）/ key longer than 200 characters',
        fix: '使用较短的键 / use a shorter key',
      });
    }
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
    const key = givenKey ?? deriveKey(context.programmeId, context.unitId, listId, fieldId, candidate);
    const earlier = firstRowOfKey.get(key);
    if (earlier !== undefined) {
      return {
        ...base,
        key,
        ok: false,
        rejection: {
          code: 'DUPLICATE',
          field: givenKey ? 'key' : 'candidate',
          rule: 'unique-per-file',
          message: givenKey
            ? `幂等键 "${key}" 与第 ${earlier} 行重复 / key "${key}" repeats row ${earlier}`
            : `与第 ${earlier} 行内容相同 / same as row ${earlier}`,
          fix: givenKey
            ? '每行使用不同的键 / give each row its own key'
            : '删除重复行 / remove the repeated row',
        },
      };
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
      },
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Sending

export type RowStatus = 'accepted' | 'rejected' | 'pending';

export interface ImportRowResult {
  row: number;
  status: RowStatus;
  key?: string;
  listId?: string;
  fieldId?: string;
  name?: string;
  nominationId?: string;
  code?: string;
  field?: string;
  rule?: string;
  reason?: string;
  fix?: string;
}

export interface ImportRun {
  rows: ImportRowResult[];
  accepted: number;
  rejected: number;
  pending: number;
  /** Set when sending stopped on an error that is not a rejection (server unreachable…). */
  failure?: unknown;
  /** Set when stopped by `shouldStop` (Ctrl-C). */
  interrupted: boolean;
}

/** What the unit may still nominate to one quota part (a list, or a field of it). */
export interface QuotaRoom {
  listId: string;
  /** Set when the quota counts per field. */
  fieldId?: string;
  remaining: number;
}

export interface RunOptions {
  nominate: (request: NominateRequest) => Promise<Nomination>;
  /** Requests in flight at once (a unit workflow takes them one by one; the server caps 10). */
  concurrency?: number;
  /**
   * The unit's room per quota part before the import (from its state). With it, the rows of a
   * part that could take its last places are sent one after another, so the quota goes to the
   * rows that come first in the file, not to whichever request arrives first.
   */
  room?: QuotaRoom[];
  /** Idempotency keys the unit already holds: those rows take no new place. */
  existingKeys?: ReadonlySet<string>;
  onProgress?: (progress: { done: number; total: number; accepted: number; rejected: number }) => void;
  shouldStop?: () => boolean;
}

function rejected(base: RowBase, rejection: Rejection): ImportRowResult {
  return {
    ...base,
    status: 'rejected',
    code: rejection.code,
    ...(rejection.field ? { field: rejection.field } : {}),
    ...(rejection.rule ? { rule: rejection.rule } : {}),
    reason: rejection.message,
    ...(rejection.fix ? { fix: rejection.fix } : {}),
  };
}

/** Sends the prepared rows, `concurrency` at a time, in file order; rejections are per row. */
export async function runImport(prepared: PreparedRow[], options: RunOptions): Promise<ImportRun> {
  const results: ImportRowResult[] = prepared.map((p) => {
    const base: RowBase = {
      row: p.row,
      ...(p.key ? { key: p.key } : {}),
      ...(p.listId ? { listId: p.listId } : {}),
      ...(p.fieldId ? { fieldId: p.fieldId } : {}),
      ...(p.name ? { name: p.name } : {}),
    };
    return p.ok ? { ...base, status: 'pending' } : rejected(base, p.rejection);
  });
  const todo = prepared.flatMap((p, i) => (p.ok ? [{ p, i }] : []));
  const total = todo.length;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, 10));
  let done = 0;
  let failure: unknown;
  let interrupted = false;
  const counts = () => ({
    accepted: results.filter((r) => r.status === 'accepted').length,
    rejected: results.filter((r) => r.status === 'rejected').length,
  });

  // Places taken per quota part during this run: accepted, and possibly about to be.
  const parts = new Map<QuotaRoom, { accepted: number; inFlight: number }>();
  const partOf = (request: NominateRequest) => {
    if (options.existingKeys?.has(request.idempotencyKey)) return undefined;
    const room = options.room?.find(
      (r) => r.listId === request.listId && (r.fieldId === undefined || r.fieldId === request.fieldId),
    );
    if (!room) return undefined;
    const part = parts.get(room) ?? { accepted: 0, inFlight: 0 };
    parts.set(room, part);
    return { room, part };
  };
  /** The part's last places may still go to rows in flight: wait for them before sending more. */
  const mustWait = (request: NominateRequest) => {
    const found = partOf(request);
    if (!found) return false;
    const { room, part } = found;
    return (
      part.inFlight > 0 && part.accepted < room.remaining && part.accepted + part.inFlight >= room.remaining
    );
  };

  const send = async (request: NominateRequest, i: number) => {
    const part = partOf(request)?.part;
    if (part) part.inFlight++;
    try {
      const nomination = await options.nominate(request);
      results[i] = { ...results[i], status: 'accepted', nominationId: nomination.id };
      if (part) part.accepted++;
    } catch (error) {
      if (!(error instanceof RejectionError)) {
        failure ??= error;
        return;
      }
      results[i] = rejected(results[i], error.rejection);
    } finally {
      if (part) part.inFlight--;
    }
    done++;
    options.onProgress?.({ done, total, ...counts() });
  };

  // Rows are sent in file order; at most `concurrency` at once.
  const inFlight = new Set<Promise<void>>();
  dispatch: for (const { p, i } of todo) {
    if (!p.ok) continue;
    for (;;) {
      if (failure !== undefined) break dispatch;
      if (options.shouldStop?.()) {
        interrupted = true;
        break dispatch;
      }
      if (inFlight.size < concurrency && !mustWait(p.request)) break;
      await Promise.race(inFlight);
    }
    const task: Promise<void> = send(p.request, i).finally(() => inFlight.delete(task));
    inFlight.add(task);
  }
  await Promise.all(inFlight);
  const final = counts();
  return {
    rows: results,
    ...final,
    pending: results.filter((r) => r.status === 'pending').length,
    ...(failure === undefined ? {} : { failure }),
    interrupted,
  };
}

// ---------------------------------------------------------------------------------------------
// Report and templates

export function reportPath(input: string): string {
  return `${input}.report.csv`;
}

const STATUS_ZH: Record<RowStatus, string> = { accepted: '已接受', rejected: '已拒绝', pending: '未处理' };

export const REPORT_HEADINGS = [
  '行号',
  '状态',
  '推荐编号',
  '代码',
  '字段',
  '规则',
  '原因',
  '处理建议',
  '幂等键',
  '榜单',
  '领域',
  '名称',
];

/** The per-row report: UTF-8 with BOM (Excel opens it as UTF-8), Chinese headings, CRLF. */
export function renderReportCsv(rows: ImportRowResult[]): string {
  const lines = [
    REPORT_HEADINGS,
    ...rows.map((r) => [
      String(r.row),
      STATUS_ZH[r.status],
      r.nominationId ?? '',
      r.code ?? '',
      r.field ?? '',
      r.rule ?? '',
      r.reason ??
        (r.status === 'pending' ? '导入中断，重新运行即可继续 / interrupted: run the import again' : ''),
      r.fix ?? '',
      r.key ?? '',
      r.listId ?? '',
      r.fieldId ?? '',
      r.name ?? '',
    ]),
  ];
  return `\uFEFF${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The CSV template: UTF-8 BOM and the heading row (templates/nominations-template.csv). */
export function templateCsv(): string {
  return `\uFEFF${IMPORT_COLUMNS.map((c) => csvCell(templateHeading(c))).join(',')}\r\n`;
}

const REQUIRED_COLUMNS: ImportColumn[] = ['listId', 'name'];

/**
 * The XLSX template: the data sheet first (headings, notes, drop-downs), then the instructions
 * and, given a programme, its lists and fields with quotas.
 */
export async function templateWorkbook(programme?: Programme): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'kczg';
  const sheet = workbook.addWorksheet('推荐 nominations', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = IMPORT_COLUMNS.map((column) => ({
    header: templateHeading(column),
    key: column,
    width: column === 'summary' ? 40 : column === 'name' ? 30 : 18,
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  IMPORT_COLUMNS.forEach((column, i) => {
    const cell = header.getCell(i + 1);
    cell.note = COLUMN_INFO[column].hint;
    if (REQUIRED_COLUMNS.includes(column)) {
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
    }
  });
  const choices: Partial<Record<ImportColumn, string[]>> = {
    region: ['中国大陆', '香港', '澳门', '台湾', '境外'],
    classified: ['否', '是'],
    certified: ['是', '否'],
    standing: ['良好', '经营异常', '严重失信'],
  };
  if (programme) {
    const lists = programme.lists.filter((l) => !l.separatelyOrganised);
    choices.listId = lists.map((l) => l.id);
    const fields = [...new Set(lists.flatMap((l) => (l.fields ?? []).map((f) => f.id)))];
    if (fields.length > 0 && fields.join(',').length < 250) choices.fieldId = fields;
  }
  const ROWS = 2000;
  for (const [column, values] of Object.entries(choices) as [ImportColumn, string[]][]) {
    const c = IMPORT_COLUMNS.indexOf(column) + 1;
    for (let r = 2; r <= ROWS + 1; r++) {
      sheet.getCell(r, c).dataValidation = {
        type: 'list',
        allowBlank: true,
        formulae: [`"${values.join(',')}"`],
        showErrorMessage: column !== 'listId' && column !== 'fieldId',
        errorTitle: '取值无效 / invalid value',
        error: COLUMN_INFO[column].hint,
      };
    }
  }

  const help = workbook.addWorksheet('填写说明 instructions');
  help.columns = [
    { header: '列 / column', key: 'column', width: 22 },
    { header: '表头 / heading', key: 'heading', width: 26 },
    { header: '必填 / required', key: 'required', width: 14 },
    { header: '说明 / description', key: 'hint', width: 80 },
    { header: '示例 / example', key: 'example', width: 30 },
  ];
  help.getRow(1).font = { bold: true };
  for (const column of IMPORT_COLUMNS) {
    help.addRow({
      column,
      heading: templateHeading(column),
      required: REQUIRED_COLUMNS.includes(column)
        ? '是 / yes'
        : column === 'fieldId'
          ? '视榜单 / per list'
          : '',
      hint: COLUMN_INFO[column].hint,
      example: COLUMN_INFO[column].example,
    });
  }
  help.addRow({});
  for (const line of [
    '每行一项推荐；表头可用英文列名或中文表头，列顺序不限 / one nomination per row; headings in English or Chinese, any order.',
    '导入命令 / import: kczg import <programme> --unit <unit> <file>；结果写入 <file>.report.csv。',
    '中断后重新运行同一文件不会重复推荐 / re-running the same file after an interruption adds no duplicates.',
  ]) {
    help.addRow({ column: line });
  }

  if (programme) {
    const lists = workbook.addWorksheet('榜单与领域 lists');
    lists.columns = [
      { header: '榜单 listId', key: 'listId', width: 26 },
      { header: '榜单名称 / list', key: 'list', width: 34 },
      { header: '领域 fieldId', key: 'fieldId', width: 24 },
      { header: '领域名称 / field', key: 'field', width: 16 },
      { header: '每单位名额 / quota per unit', key: 'quota', width: 26 },
      { header: '候选条件 / eligibility rules', key: 'rules', width: 60 },
    ];
    lists.getRow(1).font = { bold: true };
    for (const list of programme.lists.filter((l) => !l.separatelyOrganised)) {
      const quota = list.quota
        ? `${list.quota.default}${list.quota.scope === 'field' ? '（每领域 / per field）' : ''}`
        : '';
      const rules = (rules?: { rule: string }[]) => (rules ?? []).map((r) => r.rule).join(', ');
      if (!list.fields) {
        lists.addRow({ listId: list.id, list: list.name.zh, quota, rules: rules(list.eligibility) });
        continue;
      }
      for (const field of list.fields) {
        lists.addRow({
          listId: list.id,
          list: list.name.zh,
          fieldId: field.id,
          field: field.name.zh,
          quota,
          rules: [rules(list.eligibility), rules(field.eligibility)].filter(Boolean).join(', '),
        });
      }
    }
  }
  return workbook;
}

/** Writes the template: .csv gets the heading row, anything else the XLSX workbook. */
export async function writeTemplate(file: string, programme?: Programme): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  if (path.extname(file).toLowerCase() === '.csv') {
    await fs.writeFile(file, templateCsv(), 'utf8');
    return;
  }
  await (await templateWorkbook(programme)).xlsx.writeFile(file);
}
