/**
 * `kczg import` without a server: headings, row mapping, key derivation, the report, the
 * templates, and sending with a fake unit (concurrency, per-row rejections, interruption).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { RejectionError } from '../../client/api';
import {
  columnOfHeading,
  deriveKey,
  IMPORT_COLUMNS,
  ImportFileError,
  parseCsv,
  prepareRows,
  readImportTable,
  renderReportCsv,
  REPORT_HEADINGS,
  runImport,
  tableFromRows,
  templateCsv,
  templateHeading,
  templateWorkbook,
  writeTemplate,
  type PreparedRow,
} from '../../client/import';
import { loadProgramme } from '../../programmes/loader';
import type { Nomination, NominateRequest } from '../../workflows/messages';

const CONTEXT = { programmeId: 'national-2023', unitId: 'cie' };

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-import-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function fileError(fn: () => unknown): ImportFileError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ImportFileError);
    return error as ImportFileError;
  }
  throw new Error('expected an ImportFileError');
}

async function fileErrorOf(promise: Promise<unknown>): Promise<ImportFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImportFileError);
  return error as ImportFileError;
}

function rowsOf(text: string) {
  return prepareRows(tableFromRows(parseCsv(text), 'f.csv'), CONTEXT);
}

function ok(row: PreparedRow): Extract<PreparedRow, { ok: true }> {
  if (!row.ok) throw new Error(`row ${row.row} rejected: ${JSON.stringify(row.rejection)}`);
  return row;
}

describe('headings', () => {
  it.each([
    ['listId', 'listId'],
    ['榜单', 'listId'],
    ['榜单 listId', 'listId'],
    ['领域（fieldId）', 'fieldId'],
    ['名称*', 'name'],
    ['统一社会信用代码', 'identity'],
    ['Focus_Fields', 'focusFields'],
    ['聚焦领域', 'focusFields'],
    ['是否涉密', 'classified'],
    ['邮箱', 'contactEmail'],
    ['KEY', 'key'],
  ])('"%s" names the %s column', (heading, column) => {
    expect(columnOfHeading(heading)).toBe(column);
  });

  it('does not map a running number (序号) or an unknown heading to any column', () => {
    expect(columnOfHeading('序号')).toBeUndefined();
    expect(columnOfHeading('备注')).toBeUndefined();
  });

  it('every template heading maps back to its own column', () => {
    for (const column of IMPORT_COLUMNS) expect(columnOfHeading(templateHeading(column))).toBe(column);
  });
});

describe('the file as a whole', () => {
  it('is INVALID with field "listId" when the list column is missing and no --list is given', () => {
    const error = fileError(() => tableFromRows([['名称'], ['x']], 'f.csv'));
    expect(error.rejection).toMatchObject({ code: 'INVALID', field: 'listId', rule: 'columns' });
    expect(tableFromRows([['名称'], ['x']], 'f.csv', { listId: 'pioneer-tech' }).rows).toHaveLength(1);
  });

  it('is INVALID with field "name" when the name column is missing', () => {
    expect(fileError(() => tableFromRows([['榜单'], ['pioneer-tech']], 'f.csv')).rejection).toMatchObject({
      code: 'INVALID',
      field: 'name',
    });
  });

  it('is INVALID when two headings name the same column, or there are no data rows', () => {
    expect(
      fileError(() =>
        tableFromRows(
          [
            ['名称', 'name', '榜单'],
            ['a', 'b', 'c'],
          ],
          'f.csv',
        ),
      ).rejection,
    ).toMatchObject({ code: 'INVALID', field: 'name' });
    expect(
      fileError(() =>
        tableFromRows(
          [
            ['名称', '榜单'],
            ['', ''],
          ],
          'f.csv',
        ),
      ).rejection,
    ).toMatchObject({
      code: 'INVALID',
      field: 'file',
      rule: 'rows',
    });
  });

  it('is INVALID with field "file" when unreadable or of another type', async () => {
    expect((await fileErrorOf(readImportTable(path.join(dir, 'missing.csv')))).rejection).toMatchObject({
      code: 'INVALID',
      field: 'file',
    });
    fs.writeFileSync(path.join(dir, 'rows.txt'), 'x');
    expect((await fileErrorOf(readImportTable(path.join(dir, 'rows.txt')))).rejection.rule).toBe('file-type');
    fs.writeFileSync(path.join(dir, 'broken.xlsx'), 'not a zip');
    expect((await fileErrorOf(readImportTable(path.join(dir, 'broken.xlsx')))).rejection.field).toBe('file');
  });

  it('skips blank rows, keeps spreadsheet row numbers and lists ignored headings', () => {
    const table = tableFromRows(
      [
        ['序号', '榜单', '名称'],
        ['1', 'pioneer-tech', 'a'],
        ['', '', ''],
        ['3', 'pioneer-tech', 'b'],
      ],
      'f.csv',
    );
    expect(table.rows.map((r) => r.row)).toEqual([2, 4]);
    expect(table.ignored).toEqual(['序号']);
  });
});

describe('rows', () => {
  it('maps Chinese headings and values (是/否, 中国大陆, 良好, 2015/3/1, 、-separated fields) to a candidate', () => {
    const [row] = rowsOf(
      [
        '榜单,领域,名称,统一社会信用代码,注册地区,所在城市,成立日期,机构类型,聚焦领域,类别,是否涉密,经营与信用状态,创办企业注册日期,技术经理人认证,简介,联系邮箱',
        'pioneer-tech,electronics, 射频芯片技术 ,91110000MA01ABCD2X,中国大陆,宁波市,2015/3/1,新型研发机构,新一代信息技术、新材料; 新能源,基础材料,否,良好,2019年7月1日,是,"简介, 含逗号",a@example.org',
      ].join('\n'),
    );
    expect(ok(row).request).toEqual({
      idempotencyKey: ok(row).key,
      listId: 'pioneer-tech',
      fieldId: 'electronics',
      candidate: {
        name: '射频芯片技术',
        identity: '91110000MA01ABCD2X',
        region: 'mainland',
        city: '宁波市',
        foundedOn: '2015-03-01',
        orgType: '新型研发机构',
        focusFields: ['新一代信息技术', '新材料', '新能源'],
        category: '基础材料',
        classified: false,
        standing: 'good',
        enterpriseFoundedOn: '2019-07-01',
        certified: true,
        summary: '简介, 含逗号',
        contactEmail: 'a@example.org',
      },
    });
    expect(ok(row).keySource).toBe('derived');
    expect(ok(row).key).toMatch(/^import-[0-9a-f]{40}$/);
  });

  it.each([
    ['成立日期', '2023-02-30', 'candidate.foundedOn', 'date'],
    ['成立日期', 'last year', 'candidate.foundedOn', 'date'],
    ['是否涉密', '也许', 'candidate.classified', 'boolean'],
    ['注册地区', '火星', 'candidate.region', 'enum'],
    ['联系邮箱', 'not-an-email', 'candidate.contactEmail', 'schema'],
    ['名称', '', 'candidate.name', 'required'],
  ])('a bad %s (%s) is rejected locally: INVALID %s', (heading, value, field, rule) => {
    const header = heading === '名称' ? '榜单,名称' : `榜单,名称,${heading}`;
    const line = heading === '名称' ? `pioneer-tech,${value}` : `pioneer-tech,技术,${value}`;
    const [row] = rowsOf(`${header}\n${line}\n`);
    expect(row).toMatchObject({ ok: false, rejection: { code: 'INVALID', field, rule } });
  });

  it('a row without a list is INVALID listId unless --list gives one; --field applies to --list only', () => {
    const text = '榜单,领域,名称\n,,a\nemerging-enterprise,,b\n';
    expect(rowsOf(text)[0]).toMatchObject({ ok: false, rejection: { code: 'INVALID', field: 'listId' } });
    const [a, b] = prepareRows(tableFromRows(parseCsv(text), 'f.csv'), {
      ...CONTEXT,
      defaults: { listId: 'pioneer-tech', fieldId: 'electronics' },
    });
    expect(ok(a).request).toMatchObject({ listId: 'pioneer-tech', fieldId: 'electronics' });
    expect(ok(b).request.listId).toBe('emerging-enterprise');
    expect(ok(b).request.fieldId).toBeUndefined();
  });
});

describe('idempotency keys', () => {
  const candidate = { name: '射频芯片技术', identity: 'X1', classified: false };

  it('are derived from programme, unit, list, field and the candidate: any change gives another key', () => {
    const key = deriveKey('national-2023', 'cie', 'pioneer-tech', 'electronics', candidate);
    expect(deriveKey('national-2023', 'cie', 'pioneer-tech', 'electronics', { ...candidate })).toBe(key);
    expect(
      new Set([
        key,
        deriveKey('national-2022', 'cie', 'pioneer-tech', 'electronics', candidate),
        deriveKey('national-2023', 'cmes', 'pioneer-tech', 'electronics', candidate),
        deriveKey('national-2023', 'cie', 'pioneer-tech', 'biomedicine', candidate),
        deriveKey('national-2023', 'cie', 'emerging-enterprise', undefined, candidate),
        deriveKey('national-2023', 'cie', 'pioneer-tech', 'electronics', { ...candidate, name: '射频芯片' }),
      ]).size,
    ).toBe(6);
  });

  it('do not depend on row order, column order, heading language, spacing or date spelling', () => {
    const a = rowsOf(
      'listId,fieldId,name,foundedOn,classified\npioneer-tech,electronics,A,2015-03-01,false\npioneer-tech,electronics,B,2016-01-02,否\n',
    );
    const b = rowsOf(
      '是否涉密,名称,成立日期,领域,榜单\n否,B ,2016/1/2,electronics,pioneer-tech\nno, A,2015年3月1日,electronics,pioneer-tech\n',
    );
    expect(a.map((r) => ok(r).key)).toEqual([ok(b[1]).key, ok(b[0]).key]);
  });

  it('use the key column as is; a repeated key or an identical row is a DUPLICATE of the first', () => {
    const rows = rowsOf(
      '幂等键,榜单,名称\ncie-001,pioneer-tech,A\ncie-001,pioneer-tech,B\n,pioneer-tech,C\n,pioneer-tech,C\n',
    );
    expect(ok(rows[0])).toMatchObject({ key: 'cie-001', keySource: 'column' });
    expect(rows[1]).toMatchObject({
      ok: false,
      rejection: { code: 'DUPLICATE', field: 'key', rule: 'unique-per-file' },
    });
    expect(rows[3]).toMatchObject({ ok: false, rejection: { code: 'DUPLICATE', rule: 'unique-per-file' } });
    expect((rows[3] as { rejection: { message: string } }).rejection.message).toContain('第 4 行');
  });
});

/** A unit workflow stand-in: idempotent by key, rejects some names, counts requests in flight. */
function fakeUnit(rejectNames: string[] = []) {
  const byKey = new Map<string, Nomination>();
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const nominate = async (request: NominateRequest): Promise<Nomination> => {
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((r) => setTimeout(r, 1));
      if (rejectNames.includes(request.candidate.name)) {
        throw new RejectionError({ code: 'NOT_ELIGIBLE', field: 'candidate.classified', message: '涉密' });
      }
      const existing = byKey.get(request.idempotencyKey);
      if (existing) return existing;
      const nomination: Nomination = {
        id: `cie.${byKey.size + 1}`,
        unitId: 'cie',
        listId: request.listId,
        fieldId: request.fieldId,
        candidate: request.candidate,
        idempotencyKey: request.idempotencyKey,
        submittedAt: 0,
      };
      byKey.set(request.idempotencyKey, nomination);
      return nomination;
    } finally {
      inFlight--;
    }
  };
  return { nominate, byKey, stats: () => ({ maxInFlight, calls }) };
}

function manyRows(n: number): PreparedRow[] {
  const lines = ['榜单,领域,名称,是否涉密'];
  for (let i = 1; i <= n; i++) lines.push(`pioneer-tech,electronics,技术 ${i},否`);
  return rowsOf(lines.join('\n'));
}

describe('runImport', () => {
  it('keeps at most 8 requests in flight and reports each row accepted or rejected with the code', async () => {
    const unit = fakeUnit(['技术 7']);
    const rows = [...manyRows(40), ...rowsOf('榜单,名称,成立日期\npioneer-tech,坏日期,2023-13-01\n')];
    const run = await runImport(rows, { nominate: unit.nominate });
    expect(unit.stats().maxInFlight).toBe(8);
    expect(run).toMatchObject({ accepted: 39, rejected: 2, pending: 0, interrupted: false });
    expect(run.rows.find((r) => r.name === '技术 7')).toMatchObject({
      status: 'rejected',
      code: 'NOT_ELIGIBLE',
    });
    expect(run.rows.at(-1)).toMatchObject({
      status: 'rejected',
      code: 'INVALID',
      field: 'candidate.foundedOn',
    });
    expect(new Set(run.rows.filter((r) => r.nominationId).map((r) => r.nominationId)).size).toBe(39);
  });

  it('stops when asked, leaving the rest pending; a re-run completes them without duplicates', async () => {
    const unit = fakeUnit();
    const rows = manyRows(100);
    let n = 0;
    const first = await runImport(rows, { nominate: unit.nominate, shouldStop: () => ++n > 30 });
    expect(first.interrupted).toBe(true);
    expect(first.pending).toBeGreaterThan(0);
    expect(first.accepted + first.pending).toBe(100);
    const again = await runImport(rows, { nominate: unit.nominate });
    expect(again).toMatchObject({ accepted: 100, rejected: 0, pending: 0 });
    expect(unit.byKey.size).toBe(100);
    // The rows accepted the first time got the same nominations again.
    for (const r of first.rows.filter((x) => x.status === 'accepted')) {
      expect(again.rows.find((x) => x.row === r.row)?.nominationId).toBe(r.nominationId);
    }
  });

  it('with the unit’s quota room, the places go to the first acceptable rows of the file, whatever the arrival order', async () => {
    // 12 rows for a part with 3 places left; row 3 is not eligible. Replies arrive in random order.
    const rows = manyRows(12);
    for (let attempt = 0; attempt < 20; attempt++) {
      const held = new Set<string>();
      const nominate = async (request: NominateRequest): Promise<Nomination> => {
        await new Promise((r) => setTimeout(r, Math.random() * 5));
        if (request.candidate.name === '技术 3') {
          throw new RejectionError({ code: 'NOT_ELIGIBLE', field: 'candidate.classified', message: 'x' });
        }
        if (held.size >= 3)
          throw new RejectionError({ code: 'QUOTA_EXCEEDED', field: 'fieldId', message: 'full' });
        held.add(request.candidate.name);
        return { id: `cie.${held.size}` } as Nomination;
      };
      const run = await runImport(rows, {
        nominate,
        room: [{ listId: 'pioneer-tech', fieldId: 'electronics', remaining: 3 }],
      });
      expect([...held].sort()).toEqual(['技术 1', '技术 2', '技术 4']);
      expect(run).toMatchObject({ accepted: 3, rejected: 9 });
    }
  });

  it('rows the unit already holds (a re-run) take no new place: nothing waits for them', async () => {
    const rows = manyRows(4);
    const maxInFlight = async (existingKeys: Set<string>) => {
      let inFlight = 0;
      let max = 0;
      await runImport(rows, {
        nominate: async (request) => {
          max = Math.max(max, ++inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
          return { id: request.candidate.name } as Nomination;
        },
        room: [{ listId: 'pioneer-tech', fieldId: 'electronics', remaining: 2 }],
        existingKeys,
      });
      return max;
    };
    // Two places: rows 1 and 2 could take them, so rows 3 and 4 wait for their answers...
    expect(await maxInFlight(new Set())).toBe(2);
    // ...unless rows 1 and 2 are already the unit's: then all four go at once.
    expect(await maxInFlight(new Set([ok(rows[0]).key, ok(rows[1]).key]))).toBe(4);
  });

  it('stops sending on an error that is not a rejection and returns it with the rows not sent', async () => {
    let calls = 0;
    const run = await runImport(manyRows(50), {
      concurrency: 2,
      nominate: async () => {
        if (++calls === 5) throw new Error('connection refused');
        return { id: `cie.${calls}` } as Nomination;
      },
    });
    expect((run.failure as Error).message).toBe('connection refused');
    expect(run.pending).toBeGreaterThan(40);
  });
});

describe('the report', () => {
  it('is UTF-8 with BOM, Chinese headings, one line per row, cells quoted against formulas', async () => {
    const run = await runImport(
      [...manyRows(2), ...rowsOf('榜单,名称,联系邮箱\npioneer-tech,=HYPERLINK("x"),bad\n')],
      { nominate: fakeUnit().nominate },
    );
    const csv = renderReportCsv(run.rows);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = parseCsv(csv.slice(1)).filter((l) => l.length > 1);
    expect(lines[0]).toEqual(REPORT_HEADINGS);
    expect(lines.slice(1).map((l) => [l[0], l[1], l[3]])).toEqual([
      ['2', '已接受', ''],
      ['3', '已接受', ''],
      ['2', '已拒绝', 'INVALID'],
    ]);
    expect(lines[3][11]).toBe(`'=HYPERLINK("x")`);
  });
});

describe('templates', () => {
  it('the shipped CSV template is the generated one: BOM and one heading per column', () => {
    const shipped = fs.readFileSync(
      path.join(__dirname, '..', '..', 'templates', 'nominations-template.csv'),
      'utf8',
    );
    expect(shipped).toBe(templateCsv());
    expect(parseCsv(shipped.slice(1))[0]).toEqual(IMPORT_COLUMNS.map(templateHeading));
  });

  it('the XLSX template, filled in, imports: data sheet first, headings map to every column', async () => {
    const programme = loadProgramme('national-2023');
    const file = path.join(dir, 'template.xlsx');
    await writeTemplate(file, programme);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      '推荐 nominations',
      '填写说明 instructions',
      '榜单与领域 lists',
    ]);
    const lists = workbook.getWorksheet('榜单与领域 lists');
    expect(lists?.getColumn(1).values).toContain('pioneer-tech');
    const sheet = workbook.worksheets[0];
    sheet.getRow(2).values = ['', 'pioneer-tech', 'electronics', '模板技术', '', '中国大陆'];
    await workbook.xlsx.writeFile(file);
    const table = await readImportTable(file);
    expect([...table.columns.keys()]).toEqual([...IMPORT_COLUMNS]);
    expect(ok(prepareRows(table, CONTEXT)[0]).request.candidate).toEqual({
      name: '模板技术',
      region: 'mainland',
    });
  });

  it('without a programme the workbook has no list sheet', async () => {
    const workbook = await templateWorkbook();
    expect(workbook.worksheets).toHaveLength(2);
  });
});

describe('a 500-row XLSX with some bad rows', () => {
  const BAD = new Map<number, { field: string; code: string }>([
    [10, { field: 'candidate.foundedOn', code: 'INVALID' }],
    [77, { field: 'candidate.classified', code: 'INVALID' }],
    [150, { field: 'listId', code: 'INVALID' }],
    [303, { field: 'candidate.name', code: 'INVALID' }],
    [420, { field: 'candidate.contactEmail', code: 'INVALID' }],
  ]);
  let file: string;
  let csvFile: string;

  beforeAll(async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('推荐');
    const headings = ['榜单', '领域', '名称', '统一社会信用代码', '成立日期', '是否涉密', '联系邮箱'];
    sheet.addRow(headings);
    const csvLines = [headings.join(',')];
    for (let i = 1; i <= 500; i++) {
      const row = i + 1;
      const cells: ExcelJS.CellValue[] = [
        row === 150 ? '' : 'pioneer-tech',
        'electronics',
        row === 303 ? '' : `批量技术 ${i}`,
        `ID-${i}`,
        row === 10 ? '2023-02-30' : new Date(Date.UTC(2010 + (i % 10), i % 12, 1 + (i % 28))),
        row === 77 ? '不详' : i % 2 === 0 ? false : '否',
        row === 420 ? 'not-an-email' : `c${i}@example.org`,
      ];
      sheet.addRow(cells);
      csvLines.push(
        cells
          .map((c) => (c instanceof Date ? c.toISOString().slice(0, 10) : c === false ? '否' : String(c)))
          .join(','),
      );
    }
    file = path.join(dir, 'nominations-500.xlsx');
    await workbook.xlsx.writeFile(file);
    csvFile = path.join(dir, 'nominations-500.csv');
    fs.writeFileSync(csvFile, `\uFEFF${csvLines.join('\r\n')}\r\n`);
  });

  it('reads every row: 495 requests with distinct keys, 5 local rejections on the rows Excel shows', async () => {
    const rows = prepareRows(await readImportTable(file), CONTEXT);
    expect(rows).toHaveLength(500);
    const good = rows.filter((r) => r.ok);
    expect(good).toHaveLength(495);
    expect(new Set(good.map((r) => r.key)).size).toBe(495);
    const bad = rows.filter((r): r is Extract<PreparedRow, { ok: false }> => !r.ok);
    expect(new Map(bad.map((r) => [r.row, { field: r.rejection.field, code: r.rejection.code }]))).toEqual(
      BAD,
    );
    // Excel dates arrive as dates; booleans as booleans.
    expect(ok(rows[1]).request.candidate).toMatchObject({ foundedOn: '2012-03-03', classified: false });
  });

  it('gives the same keys on every read, and the same keys as the same rows in CSV', async () => {
    const keys = async (f: string) => prepareRows(await readImportTable(f), CONTEXT).map((r) => r.key ?? '');
    const first = await keys(file);
    expect(await keys(file)).toEqual(first);
    expect(await keys(csvFile)).toEqual(first);
  });

  it('imports through a unit that refuses some rows: the counts add up to 500', async () => {
    const unit = fakeUnit(['批量技术 5', '批量技术 6']);
    const run = await runImport(prepareRows(await readImportTable(file), CONTEXT), {
      nominate: unit.nominate,
    });
    expect(run).toMatchObject({ accepted: 493, rejected: 7, pending: 0 });
    expect(unit.byKey.size).toBe(493);
  });
});

describe('form columns', () => {
  const programme = loadProgramme('national-2023');
  const sheet = (header: string, ...rows: string[]) => {
    const table = tableFromRows(parseCsv([header, ...rows].join('\n')), 'f.csv', { programme });
    return { table, rows: prepareRows(table, { ...CONTEXT, programme }) };
  };
  const header =
    '榜单,名称,成立日期,orgCode,职工人数 employees,上一年度营业收入（万元）,声明 no-accident,good-standing,sme,序号';

  it('reads answers from columns named by field id or label and declarations marked 是', () => {
    const { table, rows } = sheet(
      header,
      'emerging-enterprise,新锐科技,2018/5/1,91350100M000100Y43,"1,200",3500.5,是,是,否,7',
    );
    const enterprise = programme.lists.find((l) => l.id === 'emerging-enterprise')?.form;
    expect(ok(rows[0]).request.dossier).toEqual({
      answers: { orgCode: '91350100M000100Y43', employees: 1200, revenue: 3500.5 },
      declarations: ['no-accident', 'good-standing'].map((id) => ({
        id,
        text: enterprise?.declarations.find((d) => d.id === id)?.text,
      })),
      attachments: [],
    });
    // Read columns are not reported as ignored; the others still are.
    expect(table.ignored).toEqual(['序号']);
  });

  it('refuses a cell its field cannot take, naming the dossier field', () => {
    const { rows } = sheet(header, 'emerging-enterprise,新锐科技,2018/5/1,x,很多,1,是,是,是,1');
    expect(rows[0]).toMatchObject({
      ok: false,
      rejection: { code: 'INVALID', field: 'dossier.answers.employees', rule: 'cell' },
    });
    const { rows: declared } = sheet(header, 'emerging-enterprise,新锐科技,2018/5/1,x,1,1,也许,是,是,1');
    expect(declared[0]).toMatchObject({
      ok: false,
      rejection: { field: 'dossier.declarations.no-accident' },
    });
  });

  it('keys a row that answers nothing of its form as before forms, and one that does by its answers too', () => {
    const bare = sheet('榜单,名称', 'emerging-enterprise,新锐科技').rows[0];
    expect(ok(bare).request.dossier).toEqual({ answers: {}, declarations: [], attachments: [] });
    expect(ok(bare).key).toBe(ok(rowsOf('榜单,名称\nemerging-enterprise,新锐科技')[0]).key);
    const [a, b] = sheet('榜单,名称,职工人数', 'emerging-enterprise,甲,10', 'emerging-enterprise,甲,11').rows;
    expect(ok(a).key).not.toBe(ok(b).key);
  });
});
