/**
 * The table reader (tables/table.ts, tables/read-table.ts) shared by rosters, nomination imports
 * and the winners registry: CSV text, heading mapping, row numbering, errors, and .csv/.xlsx files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { readWinnersFile } from '../../activities/registry';
import { ImportFileError, readImportTable } from '../../client/import';
import { loadProgramme, ProgrammeFileError } from '../../programmes/loader';
import { loadRoster } from '../../programmes/roster';
import { cellText, readTableFile } from '../../tables/read-table';
import {
  cellReader,
  headingLookup,
  normaliseHeading,
  parseCsv,
  TableError,
  tableOf,
  type TableProblem,
} from '../../tables/table';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-tables-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function problemOf(run: () => unknown): TableProblem {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TableError);
    return (error as TableError).problem;
  }
  throw new Error('no TableError');
}

describe('parseCsv', () => {
  it.each<[string, string, string[][]]>([
    ['empty text', '', []],
    ['one field', 'a', [['a']]],
    [
      'LF rows',
      'a,b\nc,d\n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'CRLF rows',
      'a,b\r\nc,d\r\n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'CR rows',
      'a,b\rc,d',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    ['mixed line ends', 'a\r\nb\nc\rd', [['a'], ['b'], ['c'], ['d']]],
    [
      'no final line end',
      'a,b\nc,d',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'UTF-8 BOM dropped',
      '\uFEFF编号,名称\r\ncie,中国电子学会\r\n',
      [
        ['编号', '名称'],
        ['cie', '中国电子学会'],
      ],
    ],
    ['BOM only at the start', 'a,\uFEFFb', [['a', '\uFEFFb']]],
    ['empty fields', ',a,,', [['', 'a', '', '']]],
    ['quoted comma', '"a,b",c', [['a,b', 'c']]],
    ['doubled quotes', '"say ""hi""",x', [['say "hi"', 'x']]],
    ['quoted LF', '"line 1\nline 2",x\ny', [['line 1\nline 2', 'x'], ['y']]],
    ['quoted CRLF kept', '"a\r\nb"\r\nc', [['a\r\nb'], ['c']]],
    ['empty quoted field', '"",x', [['', 'x']]],
    ['quote inside a field is literal', 'ab"c,d', [['ab"c', 'd']]],
    ['blank lines kept as rows', 'h\n\nx\n\n', [['h'], [''], ['x'], ['']]],
    [
      'Chinese text and full-width punctuation',
      '省、自治区，直辖市,“科创中国”',
      [['省、自治区，直辖市', '“科创中国”']],
    ],
  ])('%s', (_name, text, rows) => {
    expect(parseCsv(text)).toEqual(rows);
  });

  it.each<[string, string, TableProblem]>([
    ['in the first field', '"abc', { kind: 'unclosed-quote', row: 1, column: 1, line: 1 }],
    ['in a later row and column', 'a,b\nc,"d\ne', { kind: 'unclosed-quote', row: 2, column: 2, line: 2 }],
    ['after a quoted line break', '"x\ny",z\nk,l,"m', { kind: 'unclosed-quote', row: 2, column: 3, line: 3 }],
    ['after a BOM and CRLF', '\uFEFFh\r\n"', { kind: 'unclosed-quote', row: 2, column: 1, line: 2 }],
  ])('an unclosed quote %s names its row, column and line', (_name, text, problem) => {
    expect(problemOf(() => parseCsv(text))).toEqual(problem);
  });

  it('words the unclosed quote in Chinese and English, with what is expected', () => {
    const error = (() => {
      try {
        parseCsv('a\n"b');
      } catch (e) {
        return e as TableError;
      }
      throw new Error('no error');
    })();
    expect(error.message).toBe('第 2 行起的引号未闭合 / unclosed quote from line 2');
    expect(error.expected).toBe('成对的双引号 / a closing double quote');
    expect([error.row, error.column]).toEqual([2, 1]);
  });
});

type Field = 'id' | 'name' | 'email';
const fieldOf = headingLookup<Field>([
  ['id', 'id'],
  ['编号', 'id'],
  ['name', 'name'],
  ['名称', 'name'],
  ['单位名称', 'name'],
  ['email', 'email'],
  ['电子邮箱', 'email'],
]);

describe('headings', () => {
  it.each<[string, Field | undefined]>([
    ['id', 'id'],
    ['ID', 'id'],
    [' Id ', 'id'],
    ['ｉｄ', 'id'],
    ['编号', 'id'],
    ['单位名称', 'name'],
    ['单位 名称', 'name'],
    ['名称*', 'name'],
    ['E-mail', 'email'],
    ['e_mail', 'email'],
    ['电子邮箱 email', 'email'],
    ['名称（name）', 'name'],
    ['编号 / id', 'id'],
    ['id name', undefined],
    ['序号', undefined],
    ['', undefined],
    ['__proto__', undefined],
    ['constructor', undefined],
    ['toString', undefined],
  ])('"%s" names %s', (heading, field) => {
    expect(fieldOf(heading)).toBe(field);
  });

  it('normalises full-width forms, case, spaces, "_", "-" and "*"', () => {
    expect(normaliseHeading(' Ｆｏｃｕｓ_Fields-* ')).toBe('focusfields');
  });
});

describe('tableOf', () => {
  it.each<[string, string[][], Record<string, number>, string[], number[]]>([
    [
      'English header',
      [
        ['id', 'name'],
        ['a', 'b'],
      ],
      { id: 0, name: 1 },
      [],
      [2],
    ],
    [
      'Chinese header, any order',
      [
        ['电子邮箱', '编号', '名称'],
        ['e', 'i', 'n'],
      ],
      { email: 0, id: 1, name: 2 },
      [],
      [2],
    ],
    [
      'unknown and blank headings',
      [
        ['序号', '', 'id'],
        ['1', '', 'a'],
      ],
      { id: 2 },
      ['序号'],
      [2],
    ],
    [
      'repeated heading: first kept',
      [
        ['名称', 'name'],
        ['a', 'b'],
      ],
      { name: 0 },
      [],
      [2],
    ],
    [
      'blank and trailing rows skipped, numbers kept',
      [['id'], ['a'], [''], ['', ' '], ['b'], [''], ['']],
      { id: 0 },
      [],
      [2, 5],
    ],
    ['header only', [['id']], { id: 0 }, [], []],
    ['nothing', [], {}, [], []],
  ])('%s', (_name, rows, columns, ignored, numbers) => {
    const table = tableOf(rows, fieldOf);
    expect(Object.fromEntries(table.columns)).toEqual(columns);
    expect(table.ignored).toEqual(ignored);
    expect(table.rows.map((r) => r.row)).toEqual(numbers);
  });

  it('lets the caller refuse a repeated heading, with both column indexes', () => {
    const repeats: unknown[] = [];
    tableOf([['id', 'name', '编号']], fieldOf, (field, first, index) => repeats.push([field, first, index]));
    expect(repeats).toEqual([['id', 0, 2]]);
  });

  it('reads cells by field, trimmed, empty when the column or cell is missing', () => {
    const table = tableOf([['id', 'name'], [' a ', ' 甲 '], ['b']], fieldOf);
    const [first, second] = table.rows.map((r) => cellReader(table.columns, r.cells));
    expect([first('id'), first('name'), first('email')]).toEqual(['a', '甲', '']);
    expect([second('id'), second('name')]).toEqual(['b', '']);
  });
});

describe('readTableFile', () => {
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };

  it.each<[string, string]>([
    ['BOM, CRLF', '\uFEFF编号,名称\r\ncie,"中国电子学会, 北京"\r\n\r\n'],
    ['no BOM, LF', '编号,名称\ncie,"中国电子学会, 北京"\n'],
  ])('reads a UTF-8 .csv (%s)', async (_name, text) => {
    const rows = await readTableFile(write(`t-${text.length}.CSV`, text));
    expect(tableOf(rows, fieldOf).rows.map((r) => r.cells)).toEqual([['cie', '中国电子学会, 北京']]);
  });

  it('reads the first sheet of an .xlsx, every row kept, cells as text', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('单位');
    sheet.addRow(['编号', '名称', '电子邮箱']);
    sheet.addRow(['cie', '中国电子学会', { text: 'cie@example.org', hyperlink: 'mailto:cie@example.org' }]);
    sheet.addRow([]);
    sheet.addRow([42, new Date(Date.UTC(2023, 10, 30)), true]);
    workbook.addWorksheet('其他').addRow(['ignored']);
    const file = path.join(dir, 'units.xlsx');
    await workbook.xlsx.writeFile(file);
    const table = tableOf(await readTableFile(file), fieldOf);
    expect(table.rows).toEqual([
      { row: 2, cells: ['cie', '中国电子学会', 'cie@example.org'] },
      { row: 4, cells: ['42', '2023-11-30', 'true'] },
    ]);
  });

  it.each<[string, ExcelJS.CellValue, string]>([
    ['null', null, ''],
    ['string', '名称', '名称'],
    ['number', 3.5, '3.5'],
    ['date', new Date(Date.UTC(2015, 2, 1)), '2015-03-01'],
    ['invalid date', new Date(Number.NaN), ''],
    ['boolean', false, 'false'],
    ['rich text', { richText: [{ text: '科创' }, { text: '中国' }] }, '科创中国'],
    ['formula', { formula: 'A1', result: 7 }, '7'],
    ['hyperlink', { text: 'a@b.org', hyperlink: 'mailto:a@b.org' }, 'a@b.org'],
    ['error', { error: '#N/A' }, ''],
  ])('an .xlsx %s cell reads as text', (_name, value, text) => {
    expect(cellText(value)).toBe(text);
  });

  it.each<[string, () => string, TableProblem['kind'], RegExp]>([
    ['another type', () => write('t.txt', 'a'), 'file-type', /unsupported file type "\.txt"/],
    ['no extension', () => write('noext', 'a'), 'file-type', /unsupported file type ""/],
    ['a missing .csv', () => path.join(dir, 'missing.csv'), 'unreadable', /ENOENT/],
    ['a broken .xlsx', () => write('broken.xlsx', 'not a zip'), 'unreadable', /cannot read the file/],
    ['an unclosed quote', () => write('q.csv', 'id\n"a'), 'unclosed-quote', /line 2/],
  ])('refuses %s with a TableError', async (_name, file, kind, message) => {
    const error = await readTableFile(file()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TableError);
    expect((error as TableError).problem.kind).toBe(kind);
    expect((error as TableError).message).toMatch(message);
  });
});

describe('the three callers keep their own error wording', () => {
  const write = (name: string, content: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };
  const rejection = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    );

  it.each<[string, string, string, string, string]>([
    [
      'an unclosed quote',
      'roster-quote.csv',
      'id,name,channels,email\na,"甲',
      'row 2',
      '第 2 行起的引号未闭合 / unclosed quote from line 2',
    ],
    ['another type', 'roster.txt', 'x', '', '不支持的文件类型 ".txt" / unsupported file type ".txt"'],
  ])('roster: %s is a ProgrammeFileError with its row', async (_name, name, text, where, problem) => {
    const error = await rejection(loadRoster(write(name, text), loadProgramme('national-2023')));
    expect(error).toBeInstanceOf(ProgrammeFileError);
    expect(error).toMatchObject({ path: where, problem });
  });

  it('import: an unclosed quote is INVALID (rule csv) naming the file and line', async () => {
    const file = write('import.csv', '榜单,名称\npioneer-tech,"甲');
    const error = await rejection(readImportTable(file));
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as ImportFileError).rejection).toEqual({
      code: 'INVALID',
      field: 'file',
      rule: 'csv',
      message: `${file} 第 2 行起的引号未闭合 / unclosed quote from line 2 of ${file}`,
      fix: '成对的双引号 / a closing double quote',
    });
  });

  it('registry: quoted line breaks and all-empty rows read as in the other files', async () => {
    const file = write(
      'winners.csv',
      '\uFEFF年份,榜单,名称\r\n2021,pioneer-tech,"两行\r\n名称"\r\n,,\r\n\r\n',
    );
    expect(await readWinnersFile(file)).toEqual([
      {
        year: 2021,
        programmeId: 'imported',
        listId: 'pioneer-tech',
        name: '两行\r\n名称',
        source: 'import:winners.csv#2',
      },
    ]);
    await expect(readWinnersFile(write('open.csv', 'year,listId,name\n2021,x,"open'))).rejects.toThrow(
      'unclosed quote from line 2',
    );
  });
});
