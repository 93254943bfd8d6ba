/**
 * Real rosters of recommending units, from CSV (UTF-8, with or without BOM) or XLSX. Columns:
 * id, name, channels, email, contact (header names in English or Chinese, any order); channels
 * are channel ids or Chinese channel names separated by ";" or "、". Errors name the row as a
 * spreadsheet shows it (the header is row 1) and the column.
 */
import { unitSchema, type Programme, type Unit } from '../domain/programme';
import { readTableFile } from '../tables/read-table';
import { cellReader, headingLookup, TableError, tableOf } from '../tables/table';
import { ProgrammeFileError, validateProgramme } from './loader';

const COLUMNS = ['id', 'name', 'channels', 'email', 'contact'] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED: readonly Column[] = ['id', 'name', 'channels', 'email'];

const columnOfHeading = headingLookup<Column>([
  ['id', 'id'],
  ['编号', 'id'],
  ['单位编号', 'id'],
  ['name', 'name'],
  ['名称', 'name'],
  ['单位名称', 'name'],
  ['channels', 'channels'],
  ['渠道', 'channels'],
  ['推荐渠道', 'channels'],
  ['email', 'email'],
  ['邮箱', 'email'],
  ['电子邮箱', 'email'],
  ['contact', 'contact'],
  ['联系人', 'contact'],
]);

export async function loadRoster(file: string, programme: Programme): Promise<Unit[]> {
  let rows: string[][];
  try {
    rows = await readTableFile(file);
  } catch (error) {
    if (!(error instanceof TableError)) throw error;
    throw new ProgrammeFileError(
      file,
      error.row === undefined ? '' : `row ${error.row}`,
      error.message,
      error.problem.kind === 'unreadable' ? '可读的名单文件 / a readable roster file' : error.expected,
    );
  }
  return unitsFromRows(rows, file, programme);
}

/** The programme with this roster in place of its sample one, re-validated (unit channels must exist). */
export function withRoster(programme: Programme, units: Unit[]): Programme {
  return validateProgramme({ ...programme, roster: { sample: false, units } }, `${programme.id} (roster)`);
}

function unitsFromRows(rows: string[][], file: string, programme: Programme): Unit[] {
  const table = tableOf(rows, columnOfHeading);
  const absent = REQUIRED.find((c) => !table.columns.has(c));
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
  for (const { row, cells } of table.rows) {
    const cell = cellReader(table.columns, cells);
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
  }
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
