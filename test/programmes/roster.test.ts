import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { combinedQuota } from '../../domain/quota';
import { loadProgramme, ProgrammeFileError } from '../../programmes/loader';
import { loadRoster, withRoster } from '../../programmes/roster';

const programme = loadProgramme('national-2023');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-roster-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function csv(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text, 'utf8');
  return file;
}

async function rejectionOf(file: string): Promise<ProgrammeFileError> {
  const err = await loadRoster(file, programme).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProgrammeFileError);
  return err as ProgrammeFileError;
}

const GOOD = [
  'id,name,channels,email,contact',
  'cie,中国电子学会,national-society,cie@units.example.org,王晓明',
  '"csae","中国汽车工程学会, 北京","national-society;consortium-member",csae@units.example.org,',
  'henan-cast,河南省科学技术协会,省、自治区、直辖市科协、“科创中国”试点城市（园区）,henan@units.example.org,陈静',
  '',
].join('\r\n');

describe('loadRoster from CSV', () => {
  it.each([
    ['without BOM', ''],
    ['with BOM', '\uFEFF'],
  ])(
    'reads UTF-8 %s, quoted fields, ids or Chinese names as channels separated by ; or 、',
    async (_t, bom) => {
      const units = await loadRoster(csv(`good-${bom.length}.csv`, bom + GOOD), programme);
      expect(units).toEqual([
        {
          id: 'cie',
          name: '中国电子学会',
          channels: ['national-society'],
          email: 'cie@units.example.org',
          contact: '王晓明',
        },
        {
          id: 'csae',
          name: '中国汽车工程学会, 北京',
          channels: ['national-society', 'consortium-member'],
          email: 'csae@units.example.org',
        },
        {
          id: 'henan-cast',
          name: '河南省科学技术协会',
          channels: ['provincial-cast', 'pilot-city'],
          email: 'henan@units.example.org',
          contact: '陈静',
        },
      ]);
    },
  );

  it('accepts Chinese headers in any order', async () => {
    const units = await loadRoster(
      csv(
        'zh.csv',
        '单位名称,编号,电子邮箱,推荐渠道\n中国电子学会,cie,cie@units.example.org,national-society\n',
      ),
      programme,
    );
    expect(units).toEqual([
      { id: 'cie', name: '中国电子学会', channels: ['national-society'], email: 'cie@units.example.org' },
    ]);
  });

  it.each<[string, string, string]>([
    ['unknown channel', 'x,某学会,guild,x@units.example.org,', 'row 3, column channels'],
    ['empty channels', 'x,某学会,,x@units.example.org,', 'row 3, column channels'],
    ['bad e-mail', 'x,某学会,national-society,not-an-email,', 'row 3, column email'],
    ['bad id', 'X 1,某学会,national-society,x@units.example.org,', 'row 3, column id'],
    ['duplicate id', 'cie,又一个,national-society,x@units.example.org,', 'row 3, column id'],
    ['empty name', 'x,,national-society,x@units.example.org,', 'row 3, column name'],
  ])('%s is refused with its row and column', async (_t, line, where) => {
    const file = csv(
      'bad.csv',
      `id,name,channels,email,contact\ncie,中国电子学会,national-society,cie@units.example.org,\n${line}\n`,
    );
    const err = await rejectionOf(file);
    expect(err.file).toBe(file);
    expect(err.path).toBe(where);
    expect(err.message).toContain(where);
  });

  it('counts rows as a spreadsheet does, skipping blank lines but not renumbering', async () => {
    const file = csv(
      'row7.csv',
      [
        'id,name,channels,email',
        'a,甲,national-society,a@units.example.org',
        '',
        '',
        '',
        '',
        'g,庚,guild,g@units.example.org',
      ].join('\n'),
    );
    expect((await rejectionOf(file)).path).toBe('row 7, column channels');
  });

  it('refuses a header without a required column', async () => {
    expect(
      (await rejectionOf(csv('nohdr.csv', 'id,name,email\ncie,中国电子学会,cie@units.example.org\n'))).path,
    ).toBe('row 1, column channels');
  });

  it('refuses other file types and missing files', async () => {
    expect((await rejectionOf(csv('roster.txt', GOOD))).problem).toMatch(/unsupported file type/);
    expect((await rejectionOf(path.join(dir, 'missing.csv'))).problem).toMatch(/ENOENT/);
  });
});

describe('loadRoster from XLSX', () => {
  async function xlsx(
    name: string,
    rows: (string | { text: string; hyperlink: string })[][],
  ): Promise<string> {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('推荐单位');
    rows.forEach((r) => sheet.addRow(r));
    const file = path.join(dir, name);
    await workbook.xlsx.writeFile(file);
    return file;
  }

  it('reads the first sheet, including e-mail cells stored as hyperlinks', async () => {
    const file = await xlsx('good.xlsx', [
      ['id', 'name', 'channels', 'email', 'contact'],
      [
        'cie',
        '中国电子学会',
        'national-society',
        { text: 'cie@units.example.org', hyperlink: 'mailto:cie@units.example.org' },
        '王晓明',
      ],
      ['sgcc-cast', '国家电网有限公司科学技术协会', '中央企业科协', 'sgcc@units.example.org', ''],
    ]);
    expect(await loadRoster(file, programme)).toEqual([
      {
        id: 'cie',
        name: '中国电子学会',
        channels: ['national-society'],
        email: 'cie@units.example.org',
        contact: '王晓明',
      },
      {
        id: 'sgcc-cast',
        name: '国家电网有限公司科学技术协会',
        channels: ['central-enterprise-cast'],
        email: 'sgcc@units.example.org',
      },
    ]);
  });

  it('names the Excel row of a bad cell', async () => {
    const file = await xlsx('bad.xlsx', [
      ['id', 'name', 'channels', 'email'],
      ['cie', '中国电子学会', 'national-society', 'cie@units.example.org'],
      ['x', '某单位', 'national-society', 'x at example'],
    ]);
    expect((await rejectionOf(file)).path).toBe('row 3, column email');
  });
});

describe('withRoster', () => {
  it('replaces the sample roster with the real one, so quotas follow the real channels', async () => {
    const units = await loadRoster(csv('real.csv', GOOD), programme);
    const real = withRoster(programme, units);
    expect(real.roster).toEqual({ sample: false, units });
    const csae = real.roster.units.find((u) => u.id === 'csae')!;
    expect(combinedQuota(real, csae, 'emerging-enterprise')).toBe(10);
  });

  it('refuses units whose channels the programme does not have', () => {
    expect(() =>
      withRoster(programme, [{ id: 'x', name: '某单位', channels: ['guild'], email: 'x@units.example.org' }]),
    ).toThrow(ProgrammeFileError);
  });
});
