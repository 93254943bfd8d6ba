/**
 * Published lists that print: the workbook's title row, column widths, frozen header and landscape
 * A4 page set-up, read back with exceljs; the PDF printed by Debian's Chromium (provisioned here
 * from Debian if missing), rasterised with pdftoppm and checked to hold ink where the list is; and
 * publication without a browser, which writes every other format and says why there is no PDF.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { createPublishActivities, type PdfOutcome } from '../../activities/publish';
import { displayWidth, HEADER_ROW } from '../../activities/publication/xlsx';
import { WinnersRegistry } from '../../activities/registry';
import { FsFileStore } from '../../storage/files';
import type { Nomination } from '../../workflows/messages';
import { loadProgramme } from '../../programmes/loader';
import { ensureBrowser, PDF_RASTER_PACKAGES, ProvisionError } from '../../servers/provision';

const programme = loadProgramme('national-2023');
const CYCLE_ID = 'kczg:national-2023';
const nominations: Nomination[] = [
  ['n-1', 'cie', '中国科学院微电子研究所第三代半导体功率器件联合攻关团队'],
  ['n-2', 'cmes', '量子芯片'],
  ['n-3', 'csae', '新能源汽车高压碳化硅电驱系统'],
].map(([id, unitId, name]) => ({
  id,
  unitId,
  listId: 'pioneer-tech',
  fieldId: 'electronics',
  candidate: { name, identity: `TECH-${id}` },
  idempotencyKey: id,
  submittedAt: Date.parse('2023-11-20T10:00:00+08:00'),
}));
const winners = [{ listId: 'pioneer-tech', fieldId: 'electronics', nominationIds: ['n-1', 'n-2', 'n-3'] }];
const publishedAt = Date.parse('2024-02-29T10:00:00+08:00');

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-publish-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

async function publishInto(
  dir: string,
  env: NodeJS.ProcessEnv,
  published = programme,
): Promise<{ outDir: string; pdf: PdfOutcome; warnings: string[]; registry: WinnersRegistry }> {
  const warnings: string[] = [];
  const registry = new WinnersRegistry(path.join(dir, 'registry', 'winners.json'));
  const { publish } = createPublishActivities({
    reader: {
      setup: async () => ({
        programme: published,
        collectionOpensAt: 0,
        collectionClosesAt: 0,
        unitExtensions: {},
      }),
      nominations: async () => nominations,
    },
    registry,
    files: new FsFileStore(dir),
    env,
    warn: (message) => warnings.push(message),
  });
  const result = await publish({ cycleId: CYCLE_ID, winners, publishedAt });
  return { outDir: result.outDir, pdf: result.pdf, warnings, registry };
}

/** Share of pixels in a binary PPM (P6) that are not near-white. */
function inkShare(ppm: Buffer): number {
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.subarray(0, 64).toString('latin1'));
  if (!header) throw new Error('not a binary PPM');
  const pixels = ppm.subarray(header[0].length);
  let ink = 0;
  for (let i = 0; i < pixels.length; i += 3) {
    if (pixels[i] < 200 || pixels[i + 1] < 200 || pixels[i + 2] < 200) ink++;
  }
  return ink / (pixels.length / 3);
}

describe('published XLSX', () => {
  it('has a title row with the list and year, widths for Chinese, a frozen header, landscape A4 fitted to width', async () => {
    const { outDir } = await publishInto(path.join(root, 'xlsx'), { PATH: '' });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(outDir, 'pioneer-tech.xlsx'));
    const sheet = workbook.worksheets[0];

    expect(sheet.getCell('A1').value).toBe('2023 年度 “科创中国”先导技术榜');
    expect(sheet.getCell('A2').value).toBe(
      '2023年“科创中国”系列榜单 · 中国科协 · 发布于 / published 2024-02-29 10:00 (北京时间)',
    );
    expect(sheet.getCell('F1').master.address).toBe('A1');
    expect(sheet.getRow(HEADER_ROW).values).toEqual([
      undefined,
      '序号',
      '榜单',
      '领域',
      '名称',
      '推荐单位',
      '推荐编号',
    ]);
    expect(sheet.getRow(HEADER_ROW + 1).getCell(4).value).toBe(
      '中国科学院微电子研究所第三代半导体功率器件联合攻关团队',
    );
    expect(sheet.rowCount).toBe(HEADER_ROW + 3);

    // Each column is as wide as its widest Chinese text (two units per character), capped.
    const widths = sheet.columns.map((c) => c.width);
    expect(widths[0]).toBe(displayWidth('序号') + 2);
    expect(widths[1]).toBe(displayWidth('“科创中国”先导技术榜') + 2);
    expect(widths[3]).toBe(48);
    expect(widths[4]).toBe(displayWidth('中国机械工程学会') + 2);
    expect(sheet.getRow(HEADER_ROW + 1).getCell(4).alignment).toMatchObject({ wrapText: true });

    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: HEADER_ROW });
    expect(sheet.pageSetup).toMatchObject({
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`,
    });
    expect(sheet.headerFooter.oddFooter).toContain('&P');
  });

  it('measures Chinese and full-width characters as two columns, quotation marks as one', () => {
    expect(displayWidth('abc 12')).toBe(6);
    expect(displayWidth('科创中国')).toBe(8);
    expect(displayWidth('“科创中国”（保定）')).toBe(1 + 8 + 1 + 2 + 4 + 2);
  });
});

describe('published PDF', () => {
  let browser: string;
  beforeAll(async () => {
    const log = (line: string) => process.stderr.write(`[browser] ${line}\n`);
    browser = (await ensureBrowser(log, PDF_RASTER_PACKAGES)).path;
  }, 600_000);

  it('prints each list with Chinese text on a landscape A4 page that is not blank', async () => {
    const { outDir, pdf, warnings } = await publishInto(path.join(root, 'pdf'), {
      KCZG_CHROMIUM: browser,
    });
    expect(pdf).toEqual({ printed: 1 });
    expect(warnings).toEqual([]);
    const file = path.join(outDir, 'pioneer-tech.pdf');
    expect(fs.readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // One page, landscape A4 (842 x 595 pt), the Chinese text in it as text.
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/^Pages:\s+1$/m);
    expect(info).toMatch(/^Page size:\s+841\.\d+ x 594\.\d+ pts \(A4\)/m);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('2023年“科创中国”系列榜单 · “科创中国”先导技术榜');
    expect(text).toContain('中国汽车工程学会');
    expect(text).toContain('新能源汽车高压碳化硅电驱系统');

    execFileSync('pdftoppm', ['-r', '60', '-f', '1', '-l', '1', file, path.join(outDir, 'page')]);
    const ppm = fs.readFileSync(path.join(outDir, 'page-1.ppm'));
    const share = inkShare(ppm);
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.5);
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      '1',
      '-l',
      '1',
      file,
      path.join(root, 'pioneer-tech'),
    ]);
  }, 120_000);

  it('writes every other format without a browser and says why there is no PDF', async () => {
    const { outDir, pdf, warnings } = await publishInto(path.join(root, 'no-browser'), { PATH: '' });
    expect(fs.readdirSync(outDir).sort()).toEqual(
      ['csv', 'html', 'json', 'xlsx'].map((ext) => `pioneer-tech.${ext}`),
    );
    expect(pdf).toMatchObject({
      skipped: expect.stringMatching(/no Chromium .*apt-get install -y chromium/),
    });
    expect(warnings).toEqual([(pdf as { skipped: string }).skipped]);
  });
});

describe('the winners registry', () => {
  it("records a cycle's winners, but not a child cycle's: its winners are forwarded to the parent", async () => {
    const national = await publishInto(path.join(root, 'registry-national'), { PATH: '' });
    expect((await national.registry.entries()).map((e) => e.name).sort()).toEqual(
      nominations.map((n) => n.candidate.name).sort(),
    );
    const relay = await publishInto(
      path.join(root, 'registry-relay'),
      { PATH: '' },
      loadProgramme('national-2023-relay'),
    );
    expect(await relay.registry.entries()).toEqual([]);
  });
});

describe('browser provisioning', () => {
  it('says which packages to install when apt-get is not there, and installs nothing', async () => {
    const saved = { PATH: process.env.PATH, KCZG_CHROMIUM: process.env.KCZG_CHROMIUM };
    process.env.PATH = path.join(root, 'empty-bin');
    delete process.env.KCZG_CHROMIUM;
    try {
      const error = await ensureBrowser().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProvisionError);
      expect((error as Error).message).toMatch(/apt-get not found .*apt-get install -y chromium\b/);
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.KCZG_CHROMIUM !== undefined) process.env.KCZG_CHROMIUM = saved.KCZG_CHROMIUM;
    }
  });
});
