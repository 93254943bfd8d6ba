/**
 * Real rosters of recommending units, from CSV (UTF-8, with or without BOM) or XLSX. Columns:
 * id, name, channels, email, contact (header names in English or Chinese, any order); channels
 * are channel ids or Chinese channel names separated by ";" or "、". Errors name the row as a
 * spreadsheet shows it (the header is row 1) and the column.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { unitSchema, type Programme, type Unit } from '../domain/programme';
import { ProgrammeFileError, validateProgramme } from './loader';

const COLUMNS = ['id', 'name', 'channels', 'email', 'contact'] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED: readonly Column[] = ['id', 'name', 'channels', 'email'];

const HEADER_ALIASES: Record<string, Column> = {
  id: 'id',
  编号: 'id',
  单位编号: 'id',
  name: 'name',
  名称: 'name',
  单位名称: 'name',
  channels: 'channels',
  渠道: 'channels',
  推荐渠道: 'channels',
  email: 'email',
  邮箱: 'email',
  电子邮箱: 'email',
  contact: 'contact',
  联系人: 'contact',
};

export async function loadRoster(file: string, programme: Programme): Promise<Unit[]> {
  const ext = path.extname(file).toLowerCase();
  let rows: string[][];
  if (ext === '.csv') {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      throw unreadable(file, err);
    }
    rows = parseCsv(text.replace(/^\uFEFF/, ''), file);
  } else if (ext === '.xlsx') {
    rows = await readXlsx(file);
  } else {
    throw new ProgrammeFileError(
      file,
      '',
      `不支持的文件类型 "${ext}" / unsupported file type "${ext}"`,
      '.csv（UTF-8）或 .xlsx / a .csv (UTF-8) or .xlsx file',
    );
  }
  return unitsFromRows(rows, file, programme);
}

/** The programme with this roster in place of its sample one, re-validated (unit channels must exist). */
export function withRoster(programme: Programme, units: Unit[]): Programme {
  return validateProgramme({ ...programme, roster: { sample: false, units } }, `${programme.id} (roster)`);
}

function unitsFromRows(rows: string[][], file: string, programme: Programme): Unit[] {
  const header = rows[0] ?? [];
  const columnIndex = new Map<Column, number>();
  header.forEach((cell, i) => {
    const column = HEADER_ALIASES[cell.trim().toLowerCase()];
    if (column && !columnIndex.has(column)) columnIndex.set(column, i);
  });
  const absent = REQUIRED.find((c) => !columnIndex.has(c));
  if (absent) {
    throw new ProgrammeFileError(
      file,
      `row 1, column ${absent}`,
      `表头缺少 "${absent}" 列 / the header has no "${absent}" column`,
      `表头 / a header row: ${COLUMNS.join(',')}`,
    );
  }

  const units: Unit[] = [];
  const seen = new Map<string, number>();
  rows.slice(1).forEach((cells, i) => {
    const row = i + 2;
    if (cells.every((c) => c.trim() === '')) return;
    const cell = (c: Column) => (columnIndex.has(c) ? (cells[columnIndex.get(c) ?? -1] ?? '').trim() : '');
    const fail = (column: Column, problem: string, expected: string): never => {
      throw new ProgrammeFileError(file, `row ${row}, column ${column}`, problem, expected);
    };

    const id = cell('id');
    if (!unitSchema.shape.id.safeParse(id).success) {
      fail(
        'id',
        `无效的单位编号 / invalid id "${id}"`,
        '小写字母、数字和连字符，如 "cie" / lower-case letters, digits and hyphens',
      );
    }
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      fail(
        'id',
        `编号 "${id}" 与第 ${earlier} 行重复 / id "${id}" repeats row ${earlier}`,
        '唯一的编号 / a unique id',
      );
    }
    seen.set(id, row);

    const name = cell('name');
    if (!name) fail('name', '单位名称为空 / empty name', '单位名称 / the unit’s name');

    const channels = channelIds(cell('channels'), programme, (problem) =>
      fail('channels', problem, channelHint(programme)),
    );
    if (channels.length === 0) fail('channels', '推荐渠道为空 / no channel', channelHint(programme));

    const email = cell('email');
    if (!unitSchema.shape.email.safeParse(email).success) {
      fail(
        'email',
        `无效的电子邮箱 / invalid e-mail "${email}"`,
        '电子邮箱，如 kjxh@example.org / an e-mail address',
      );
    }
    const contact = cell('contact');
    units.push({ id, name, channels, email, ...(contact ? { contact } : {}) });
  });
  return units;
}

/**
 * "national-society;consortium-member" or "省、自治区、直辖市科协、“科创中国”试点城市（园区）". Chinese
 * channel names may themselves contain "、", so whole names are matched first, longest first.
 */
function channelIds(text: string, programme: Programme, fail: (problem: string) => never): string[] {
  const byNameLength = [...programme.channels].sort((a, b) => b.name.zh.length - a.name.zh.length);
  const ids: string[] = [];
  let rest = text;
  for (;;) {
    rest = rest.replace(/^[\s;；、]+/, '');
    if (!rest) return [...new Set(ids)];
    const named = byNameLength.find((c) => rest.startsWith(c.name.zh));
    if (named) {
      ids.push(named.id);
      rest = rest.slice(named.name.zh.length);
      continue;
    }
    const token = /^[^;；、]+/.exec(rest)?.[0] ?? rest;
    const channel = programme.channels.find((c) => c.id === token.trim().toLowerCase());
    if (!channel) fail(`未知推荐渠道 / unknown channel "${token.trim()}"`);
    ids.push(channel.id);
    rest = rest.slice(token.length);
  }
}

function channelHint(programme: Programme): string {
  return `以 ";" 或 "、" 分隔的渠道 id 或名称 / channel ids or names separated by ";" or "、": ${programme.channels
    .map((c) => `${c.id}（${c.name.zh}）`)
    .join(', ')}`;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string, file: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let quoteStartLine = 1;
  for (let i = 0; i < text.length; i++) {
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
      quoteStartLine = line;
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
    throw new ProgrammeFileError(
      file,
      `row ${rows.length + 1}`,
      `第 ${quoteStartLine} 行起的引号未闭合 / unclosed quote from line ${quoteStartLine}`,
      '成对的双引号 / a closing double quote',
    );
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

async function readXlsx(file: string): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (err) {
    throw unreadable(file, err);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const rows: string[][] = [];
  // Row numbers are kept so that errors point at the row Excel shows.
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= Math.max(row.cellCount, COLUMNS.length); c++) cells.push(row.getCell(c).text ?? '');
    rows.push(cells);
  }
  return rows;
}

function unreadable(file: string, err: unknown): ProgrammeFileError {
  const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message ?? String(err);
  return new ProgrammeFileError(
    file,
    '',
    `无法读取文件 / cannot read the file (${reason})`,
    '可读的名单文件 / a readable roster file',
  );
}
