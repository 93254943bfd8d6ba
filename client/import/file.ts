/** Reading an import file: the table, its headings mapped to columns, or an ImportFileError. */
import type { Programme } from '../../domain/programme';
import type { Rejection } from '../../domain/rejections';
import { readTableFile } from '../../tables/read-table';
import { parseCsv as parseCsvText, TableError, tableOf, type Table } from '../../tables/table';
import { IMPORT_COLUMNS, COLUMN_INFO, templateHeading, columnOfHeading, type ImportColumn } from './columns';
import { formHeadings } from './form-columns';

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
  /** The headings that are no import column, by position: a form's answers and declarations. */
  formColumns: Array<{ heading: string; index: number }>;
}

export interface TableOptions {
  /** A default list for rows without one: then the file needs no listId column. */
  listId?: string;
  /** Its forms' columns are read (form-columns.ts), not reported as ignored. */
  programme?: Programme;
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
  const formColumns = header
    .map((heading, index) => ({ heading: heading.trim(), index }))
    .filter(({ heading }) => heading !== '' && columnOfHeading(heading) === undefined);
  const read = options.programme ? formHeadings(options.programme) : () => false;
  return { file, columns, ignored: ignored.filter((h) => !read(h)), rows: data, formColumns };
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
