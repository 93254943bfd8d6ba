/**
 * Tables as the roster, nomination-import and winners-registry files hold them: CSV text parsed
 * into rows of string cells, the header row mapped to a caller's fields by heading (English ids or
 * Chinese headings, any order), and the data rows numbered as a spreadsheet shows them (the header
 * is row 1, blank rows are skipped but not renumbered). Pure: no file access; tables/read-table.ts
 * reads .csv and .xlsx files into rows. Problems are TableErrors with the row and column at fault;
 * each caller turns them into its own error type and wording.
 */

export type TableProblem =
  /** A quoted field never closed: the row (record) and column (field) it opened in, and the line. */
  | { kind: 'unclosed-quote'; row: number; column: number; line: number }
  /** Neither .csv nor .xlsx: the extension as given, lower-case ('' without one). */
  | { kind: 'file-type'; ext: string }
  /** The file could not be read: the errno code, or the error's message. */
  | { kind: 'unreadable'; reason: string };

function describe(problem: TableProblem): string {
  switch (problem.kind) {
    case 'unclosed-quote':
      return `第 ${problem.line} 行起的引号未闭合 / unclosed quote from line ${problem.line}`;
    case 'file-type':
      return `不支持的文件类型 "${problem.ext}" / unsupported file type "${problem.ext}"`;
    case 'unreadable':
      return `无法读取文件 / cannot read the file (${problem.reason})`;
  }
}

const EXPECTED: Record<TableProblem['kind'], string> = {
  'unclosed-quote': '成对的双引号 / a closing double quote',
  'file-type': '.csv（UTF-8）或 .xlsx / a .csv (UTF-8) or .xlsx file',
  unreadable: '可读的 .csv 或 .xlsx 文件 / a readable .csv or .xlsx file',
};

export class TableError extends Error {
  /** What a good file has instead, Chinese first. */
  readonly expected: string;

  constructor(readonly problem: TableProblem) {
    super(describe(problem));
    this.name = 'TableError';
    this.expected = EXPECTED[problem.kind];
  }

  /** The row at fault as a spreadsheet numbers it, when the problem has one. */
  get row(): number | undefined {
    return this.problem.kind === 'unclosed-quote' ? this.problem.row : undefined;
  }

  /** The column at fault (1-based), when the problem has one. */
  get column(): number | undefined {
    return this.problem.kind === 'unclosed-quote' ? this.problem.column : undefined;
  }
}

/**
 * RFC 4180 CSV: a leading UTF-8 BOM is dropped; rows end at CRLF, LF or CR; quoted fields may hold
 * commas, quotes ("") and line breaks. A blank line is a row of one empty cell, so that row numbers
 * match the spreadsheet's. An unclosed quote is a TableError naming where it opened.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteLine = 1;
  let quoteColumn = 1;
  const start = text.startsWith('\uFEFF') ? 1 : 0;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      quoteLine = line;
      quoteColumn = row.length + 1;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      line++;
    } else {
      field += ch;
    }
  }
  if (quoted) {
    throw new TableError({
      kind: 'unclosed-quote',
      row: rows.length + 1,
      column: quoteColumn,
      line: quoteLine,
    });
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A heading compared loosely: full-width folded, case, spaces, "_", "-" and "*" ignored. */
export function normaliseHeading(text: string): string {
  return text
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/[\s_\-*]/g, '');
}

/**
 * The field a heading names, from [heading, field] pairs: the whole heading ("单位名称",
 * "Focus_Fields", "名称*"), else the one field its words name ("榜单 listId", "领域（fieldId）").
 */
export function headingLookup<F>(
  headings: Iterable<readonly [string, F]>,
): (heading: string) => F | undefined {
  const index = new Map<string, F>();
  for (const [heading, field] of headings) index.set(normaliseHeading(heading), field);
  return (heading) => {
    const whole = index.get(normaliseHeading(heading));
    if (whole !== undefined) return whole;
    const tokens = heading
      .normalize('NFKC')
      .split(/[\s/|()[\]:,;]+/)
      .map(normaliseHeading)
      .filter(Boolean);
    const found = new Set(tokens.map((t) => index.get(t)).filter((f) => f !== undefined));
    return found.size === 1 ? [...found][0] : undefined;
  };
}

export interface TableRow {
  /** The row number as a spreadsheet shows it (the header is row 1). */
  row: number;
  cells: string[];
}

export interface Table<F> {
  /** Field → index in each row's cells. */
  columns: Map<F, number>;
  /** Headings that name no field (ignored). */
  ignored: string[];
  /** The rows below the header that hold anything. */
  rows: TableRow[];
}

export function isBlankRow(cells: readonly string[]): boolean {
  return cells.every((c) => c.trim() === '');
}

/**
 * The header (row 1) mapped through `fieldOf`, and the non-blank data rows. When two headings name
 * one field the first is kept, unless `onRepeat` (given the 0-based indexes) throws.
 */
export function tableOf<F>(
  rows: readonly string[][],
  fieldOf: (heading: string) => F | undefined,
  onRepeat?: (field: F, firstIndex: number, index: number) => void,
): Table<F> {
  const columns = new Map<F, number>();
  const ignored: string[] = [];
  (rows[0] ?? []).forEach((heading, i) => {
    if (heading.trim() === '') return;
    const field = fieldOf(heading);
    if (field === undefined) {
      ignored.push(heading.trim());
      return;
    }
    const first = columns.get(field);
    if (first === undefined) columns.set(field, i);
    else onRepeat?.(field, first, i);
  });
  const data = rows
    .slice(1)
    .map((cells, i) => ({ row: i + 2, cells }))
    .filter(({ cells }) => !isBlankRow(cells));
  return { columns, ignored, rows: data };
}

/** A row's cell for a field, trimmed; '' when the table has no such column or the row is short. */
export function cellReader<F>(
  columns: ReadonlyMap<F, number>,
  cells: readonly string[],
): (field: F) => string {
  return (field) => {
    const index = columns.get(field);
    return index === undefined ? '' : (cells[index] ?? '').trim();
  };
}
