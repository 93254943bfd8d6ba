/**
 * Reads a table file into rows of string cells: .csv as UTF-8 (with or without BOM) through
 * tables/table.ts, .xlsx through exceljs (the first sheet, every row kept so that row numbers are
 * the ones Excel shows). Anything else, or a file that cannot be read, is a TableError.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parseCsv, TableError } from './table';

export async function readTableFile(file: string): Promise<string[][]> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      throw unreadable(error);
    }
    return parseCsv(text);
  }
  if (ext === '.xlsx') return readXlsx(file);
  throw new TableError({ kind: 'file-type', ext });
}

function unreadable(error: unknown): TableError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message ?? String(error);
  return new TableError({ kind: 'unreadable', reason });
}

/** A cell as text: dates as YYYY-MM-DD, booleans as true/false, formulas by their result. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('formula' in value || 'sharedFormula' in value)
      return cellText((value as { result?: ExcelJS.CellValue }).result);
    if ('hyperlink' in value) return String((value as { text?: unknown }).text ?? value.hyperlink);
    if ('error' in value) return '';
  }
  return String(value);
}

async function readXlsx(file: string): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (error) {
    throw unreadable(error);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const width = Math.max(sheet.columnCount, sheet.getRow(1).cellCount);
  const rows: string[][] = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value));
    rows.push(cells);
  }
  return rows;
}
