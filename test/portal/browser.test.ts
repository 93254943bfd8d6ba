/**
 * A person in a real browser (playwright-core driving Debian's Chromium): a unit signs in from
 * its link, sees its quota meters, gets an eligibility verdict as it types, files a nomination
 * and withdraws it; the secretariat sees its dashboard; the public page shows the winners of a
 * cycle run to publication. Screenshots at desktop and phone widths go to
 * test-artifacts/screenshots/.
 */
import type { Browser } from 'playwright-core';
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import { beijingToEpochMs, formatDeadline } from '../../domain/calendar';
import { loadProgramme } from '../../programmes/loader';
import { launchChromium, screenshots, WIDTHS } from '../support/browser';
import { dossierFor, electronicsTech } from '../support/candidates';
import { useTimeSkippingStack } from '../support/time-skipping';
import {
  attachmentStoreOf,
  finishKeyedCycle,
  startKeyedCycle,
  startPortal,
  storedAttachments,
  type PortalUnderTest,
} from './portal-kit';
import { fillDossier, signedInPage } from './browser-kit';

describe('the portal in a browser', () => {
  let app: PortalUnderTest;
  let browser: Browser;
  let cycleId: string;
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (cycleId) await finishKeyedCycle(kit.stack, cycleId);
  });
  const kit = useTimeSkippingStack();
  const storedCount = () => storedAttachments(kit.stack);

  beforeAll(async () => {
    ({ cycleId } = await startKeyedCycle(kit.stack, 'portal-browser-2023'));
    app = await startPortal(kit.stack, { attachments: attachmentStoreOf(kit.stack) });
    browser = await launchChromium();
  });

  it('lets a unit sign in from its link, see its quota, get a verdict as it types, file and withdraw', async () => {
    const page = await signedInPage(browser, app, cycleId, { kind: 'unit', id: 'cie' });
    expect(new URL(page.url()).pathname).toBe('/u/portal-browser-2023/cie');
    await expect(page.locator('meter').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('.meters').innerText()).resolves.toContain('0/3');
    // Collection closes 2023-11-30 24:00 on the cycle's clock, which reads 2023-11-10 08:00 now.
    await page
      .locator('.countdown')
      .filter({ hasText: /剩余 (19|20) 天 \d\d:\d\d:\d\d/ })
      .waitFor();

    // A refusal as the user types: an enterprise registered abroad.
    await page.getByLabel('榜单与领域').selectOption('emerging-enterprise');
    await page.getByLabel('候选名称', { exact: false }).fill('海外新锐公司');
    await page.getByLabel('注册地区', { exact: false }).selectOption('abroad');
    await page.locator('#verdict[data-status="refused"]').waitFor();
    await expect(page.locator('#verdict').innerText()).resolves.toMatch(/不符合条件/);

    // The technology the unit files: eligible as typed, then submitted.
    await page.getByLabel('榜单与领域').selectOption('pioneer-tech/electronics');
    await page.getByLabel('注册地区', { exact: false }).selectOption('');
    await page.getByLabel('候选名称', { exact: false }).fill('浏览器里的量子芯片');
    await page.locator('#c-classified').selectOption('false');
    await fillDossier(page, dossierFor('national-2023', 'pioneer-tech', 'electronics'));
    // An executable renamed .pdf comes back on the page with its field and fix; nothing stored.
    const stored = await storedCount();
    const dossierFiles = page.locator('fieldset.dossier:not([disabled])');
    await dossierFiles.locator('input[name="f.application-form"]').setInputFiles({
      name: '申报书.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00'), Buffer.alloc(2048, 0x41)]),
    });
    await page.getByRole('button', { name: /提交推荐/ }).click();
    await expect(page.locator('.error-field').innerText()).resolves.toBe(
      'dossier.attachments.application-form',
    );
    expect(await storedCount()).toBe(stored);
    await screenshots(page, 'unit-upload-refused');
    await expect(page.getByLabel('候选名称', { exact: false }).inputValue()).resolves.toBe(
      '浏览器里的量子芯片',
    );
    // The real PDF, through the same form.
    await dossierFiles.locator('input[name="f.application-form"]').setInputFiles({
      name: '申报书.pdf',
      mimeType: 'application/pdf',
      buffer: await generateAttachmentPdf('申报书', ['浏览器里的量子芯片 application form']),
    });
    await page.locator('#verdict[data-status="eligible"]').waitFor();
    await screenshots(page, 'unit-form');
    await page.getByRole('button', { name: /提交推荐/ }).click();
    await page.getByRole('status').filter({ hasText: '推荐已提交' }).waitFor();
    await expect(page.locator('.candidate-name').allInnerTexts()).resolves.toEqual(['浏览器里的量子芯片']);
    const [filed] = (await kit.stack.api.unitState(cycleId, 'cie')).nominations;
    expect(filed.dossier?.attachments).toEqual([
      expect.objectContaining({ slot: 'application-form', format: 'pdf', name: '申报书.pdf' }),
    ]);
    expect(await storedCount()).toBe(stored + 1);
    await expect(page.locator('.meters').innerText()).resolves.toContain('1/3');
    await screenshots(page, 'unit');

    await page.getByRole('button', { name: /撤回 Withdraw 浏览器里的量子芯片/ }).click();
    await page.getByRole('status').filter({ hasText: '推荐已撤回' }).waitFor();
    await expect(page.locator('.candidate-name').count()).resolves.toBe(0);
    expect((await kit.stack.api.unitState(cycleId, 'cie')).nominations).toEqual([]);
    await page.close();
  });

  it('shows the secretariat its dashboard of the year', async () => {
    const page = await signedInPage(browser, app, cycleId, { kind: 'secretariat' });
    expect(new URL(page.url()).pathname).toBe('/s/portal-browser-2023');
    await expect(page.locator('.timeline li').count()).resolves.toBe(5);
    await expect(page.getByRole('heading', { name: /邮件计划/ }).count()).resolves.toBe(1);
    await screenshots(page, 'secretariat');

    // The secretariat extends a unit's deadline and holds a mailing, from the page.
    const before = await kit.stack.api.status(cycleId);
    const until = formatDeadline(before.deadlines.collectionClosesAt + 5 * 86_400_000).replace(
      ' (北京时间)',
      '',
    );
    await page.locator('#ext-unit').selectOption('cie');
    await page.locator('#ext-until').fill(until);
    await page.locator('#ext-reason').fill('材料补正 / documents being corrected');
    await page.getByRole('button', { name: /^延期 Extend$/ }).click();
    const outcome = page.locator('[role=status], [role=alert]').first();
    await outcome.waitFor();
    expect(await outcome.innerText()).toContain('已完成');
    expect(formatDeadline((await kit.stack.api.status(cycleId)).unitExtensions.cie ?? 0)).toContain(until);
    const mailing = await page.locator('#reminder option').first().getAttribute('value');
    await page.getByRole('button', { name: /暂扣 Hold/ }).click();
    await page.locator('[role=status], [role=alert]').first().waitFor();
    expect((await kit.stack.api.status(cycleId)).heldMailings).toContain(mailing);
    await screenshots(page, 'secretariat-steered');
    await page.close();
  });

  it('shows the public the winners of a published cycle, with downloads', async () => {
    const { stack } = kit;
    const api = stack.api;
    const programme = loadProgramme('national-2022');
    const published = await api.startCycle(programme, { startAt: beijingToEpochMs('2022-10-20 10:00') });
    const offset = (await api.status(published.cycleId)).clockOffsetMs;
    const winner = await api.nominate(
      published.cycleId,
      'cie',
      electronicsTech('pub-1', '量子通信芯片', 'national-2022'),
    );
    await stack.sleepUntil(beijingToEpochMs('2022-11-01 00:01'), offset);
    await api.reportReview(published.cycleId, 'info-tech-consortium', {
      listId: 'pioneer-tech',
      fieldId: 'electronics',
      results: [{ nominationId: winner.id, rank: 1, score: 92, verdict: 'recommended' }],
    });
    await stack.sleepUntil(beijingToEpochMs('2022-12-01 00:01'), offset);
    await api.finalComplete(published.cycleId, {
      winners: [{ listId: 'pioneer-tech', fieldId: 'electronics', nominationIds: [winner.id] }],
    });
    await stack.sleepUntil(beijingToEpochMs('2023-01-15 10:01'), offset);
    expect((await api.status(published.cycleId)).published?.winners).toBe(1);

    const page = await browser.newPage({ viewport: WIDTHS.desktop });
    await page.goto(`${app.base}/p/national-2022`);
    await expect(page.locator('table').first().innerText()).resolves.toContain('量子通信芯片');
    const csv = page.getByRole('link', { name: 'CSV' }).first();
    const download = await app.inject({ method: 'GET', url: String(await csv.getAttribute('href')) });
    expect(download.statusCode).toBe(200);
    expect(download.body).toContain('量子通信芯片');
    await screenshots(page, 'public');
    await page.close();
    await api.cancel(published.cycleId, '测试结束 / test over').catch(() => undefined);
  });
});
