/**
 * The unit's sheet import page on a keyed cycle: the templates download (XLSX with the programme,
 * CSV heading row), a sheet in `kczg import`'s format with its form columns and an attachment
 * column is uploaded with the PDF it names, and the page reports each row — accepted with the
 * nomination's id, or refused with code, field and rule (an ineligible candidate, a file not
 * uploaded) — and files only the accepted rows; the same sheet again files nothing twice. A
 * file that is no sheet is refused as a whole, changing nothing. In Chromium with screenshots
 * unit-import-*.
 */
import type { Browser } from 'playwright-core';
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import { formFor } from '../../domain/forms';
import { sampleDossier } from '../../domain/forms-sample';
import { loadProgramme } from '../../programmes/loader';
import { launchChromium, screenshots } from '../support/browser';
import { useTimeSkippingStack } from '../support/time-skipping';
import { signedInPage } from './browser-kit';
import {
  attachmentStoreOf,
  finishKeyedCycle,
  signIn,
  credential,
  startKeyedCycle,
  startPortal,
  type PortalUnderTest,
} from './portal-kit';

const PROGRAMME = 'portal-import-2023';
const csvCell = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** A sheet of three rows for pioneer-tech/electronics: a good one, a classified one, one naming a file not sent. */
function sheet(): string {
  const programme = loadProgramme('national-2023');
  const list = programme.lists.find((l) => l.id === 'pioneer-tech');
  const form = list && formFor(list, 'electronics');
  if (!form) throw new Error('pioneer-tech/electronics has no form');
  const sample = sampleDossier(form);
  const header = [
    '榜单',
    '领域',
    '名称',
    '统一社会信用代码',
    '是否涉密',
    ...form.fields.map((f) => `${f.label.zh} ${f.id}`),
    ...form.declarations.map((d) => `声明 ${d.id}`),
    'application-form',
  ];
  const row = (name: string, classified: string, file: string) => [
    'pioneer-tech',
    'electronics',
    name,
    `IMP-${name}`,
    classified,
    ...form.fields.map((f) => String(sample.answers[f.id])),
    ...form.declarations.map(() => '是'),
    file,
  ];
  const rows = [
    header,
    row('网页导入芯片', '否', '申报书一.pdf'),
    row('涉密芯片', '是', '申报书一.pdf'),
    row('缺件芯片', '否', '申报书二.pdf'),
  ];
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

describe('the unit’s sheet import page', () => {
  let app: PortalUnderTest;
  let cycleId: string;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (cycleId) await finishKeyedCycle(kit.stack, cycleId);
  });
  const kit = useTimeSkippingStack();
  const importUrl = `/u/${PROGRAMME}/cie/import`;

  beforeAll(async () => {
    ({ cycleId } = await startKeyedCycle(kit.stack, PROGRAMME));
    app = await startPortal(kit.stack, { attachments: attachmentStoreOf(kit.stack) });
  });

  it('offers the templates, to the unit only', async () => {
    const { cookie } = await signIn(app, credential(cycleId, 'unit:cie'));
    const page = await app.inject({ method: 'GET', url: importUrl, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`${importUrl}/template.xlsx`);
    const xlsx = await fetch(`${app.base}${importUrl}/template.xlsx`, { headers: { cookie } });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    const csv = Buffer.from(
      await (await fetch(`${app.base}${importUrl}/template.csv`, { headers: { cookie } })).arrayBuffer(),
    );
    // UTF-8 with a BOM, so Excel opens the Chinese headings as UTF-8.
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(csv.toString('utf8')).toContain('名称');
    const other = await signIn(app, credential(cycleId, 'unit:cmes'));
    expect(
      (await app.inject({ method: 'GET', url: importUrl, headers: { cookie: other.cookie } })).statusCode,
    ).toBe(403);
  });

  it('imports a sheet with its PDF and reports every row; the same sheet again files nothing twice', async () => {
    browser = await launchChromium();
    const page = await signedInPage(browser, app, cycleId, { kind: 'unit', id: 'cie' });
    await page.getByRole('link', { name: /表格批量导入/ }).click();
    await screenshots(page, 'unit-import-form');

    // Not a sheet: refused as a whole, nothing filed.
    await page.locator('#sheet').setInputFiles({
      name: 'nominations.xlsx',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('MZ not a workbook'),
    });
    await page.getByRole('button', { name: /导入 Import/ }).click();
    await expect(page.locator('.error-field').innerText()).resolves.toBe('file');
    expect((await kit.stack.api.unitState(cycleId, 'cie')).nominations).toEqual([]);
    await screenshots(page, 'unit-import-refused');

    const pdf = await generateAttachmentPdf('申报书', ['网页导入芯片']);
    const upload = async () => {
      await page
        .locator('#sheet')
        .setInputFiles({ name: 'nominations.csv', mimeType: 'text/csv', buffer: Buffer.from(sheet()) });
      await page
        .locator('#files')
        .setInputFiles({ name: '申报书一.pdf', mimeType: 'application/pdf', buffer: pdf });
      await page.getByRole('button', { name: /导入 Import/ }).click();
      await page.locator('#report-h').waitFor();
    };
    await upload();
    const rows = page.locator('table.import-report tbody tr');
    await expect(rows.count()).resolves.toBe(3);
    await expect(rows.nth(0).innerText()).resolves.toMatch(/已接受[\s\S]*cie\.1/);
    await expect(rows.nth(1).innerText()).resolves.toMatch(/已拒绝[\s\S]*NOT_ELIGIBLE[\s\S]*notClassified/);
    await expect(rows.nth(2).innerText()).resolves.toMatch(
      /已拒绝[\s\S]*INVALID[\s\S]*dossier\.attachments\.application-form[\s\S]*file-missing/,
    );
    await screenshots(page, 'unit-import-report');

    const filed = (await kit.stack.api.unitState(cycleId, 'cie')).nominations;
    expect(filed.map((n) => n.candidate.name)).toEqual(['网页导入芯片']);
    expect(filed[0].dossier?.attachments).toEqual([
      expect.objectContaining({ name: '申报书一.pdf', slot: 'application-form' }),
    ]);

    // The same sheet again: the accepted row is the same nomination, nothing new filed.
    await upload();
    await expect(rows.nth(0).innerText()).resolves.toMatch(/已接受[\s\S]*cie\.1/);
    expect((await kit.stack.api.unitState(cycleId, 'cie')).nominations).toHaveLength(1);
    await page.close();
  });
});
