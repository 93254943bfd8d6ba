/**
 * Expert review in a real browser (playwright-core driving Debian's Chromium): an expert signs in
 * from their link, sees the dossiers assigned to them with the deadline counting down, reads one
 * (opening its PDF), scores it and sees it scored; the chair sees the panel's progress and the
 * ranking and confirms the shortlist early with a reason. Screenshots at desktop and phone widths
 * go to test-artifacts/screenshots/ (expert-home-*, expert-dossier-*, expert-score-*, chair-panel-*).
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshots as pageScreenshots } from '../support/browser';
import { useTimeSkippingStack } from '../support/time-skipping';
import { signedInPage } from './browser-kit';
import { attachmentStoreOf, finishKeyedCycle, startPortal, type PortalUnderTest } from './portal-kit';
import { BODY, expertsAround, startReviewPanel, type ReviewFixture } from './review-kit';

/** Screenshots at both widths; nothing may be wider than the phone. */
async function screenshots(page: Page, name: string): Promise<void> {
  expect(await pageScreenshots(page, name)).toBe(0);
}

describe('expert review in a browser', () => {
  let app: PortalUnderTest;
  let browser: Browser;
  let fixture: ReviewFixture;
  // Declared before the stack's own afterAll, so it runs while the stack is up.
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (fixture) await finishKeyedCycle(kit.stack, fixture.cycleId);
  });
  const kit = useTimeSkippingStack();
  const programmeId = 'review-browser-2023';

  beforeAll(async () => {
    const store = attachmentStoreOf(kit.stack);
    fixture = await startReviewPanel(kit.stack, programmeId, store);
    app = await startPortal(kit.stack, { attachments: store });
    browser = await launchChromium();
  });

  it('lets an expert sign in from a link, read a dossier and its PDF, and score it', async () => {
    const [n1] = fixture.nominations;
    const { assigned } = expertsAround(fixture, n1.id);
    const mine = Object.values(fixture.assignments).filter((ids) => ids.includes(assigned)).length;
    const page = await signedInPage(browser, app, fixture.cycleId, {
      kind: 'expert',
      body: BODY,
      id: assigned,
    });
    expect(new URL(page.url()).pathname).toBe(`/r/${programmeId}/${BODY}/e/${assigned}`);
    await expect(page.locator('.cards .card').count()).resolves.toBe(mine);
    // The review is due 2023-12-30 24:00 on the cycle's clock, which reads 2023-12-01 10:00.
    await page
      .locator('.countdown')
      .filter({ hasText: /剩余 (28|29) 天 \d\d:\d\d:\d\d/ })
      .waitFor();
    await screenshots(page, 'expert-home');

    await page.getByRole('link', { name: `阅读材料 Read ${n1.candidate.name}` }).click();
    await page.getByRole('heading', { name: /申报表 Application form/ }).waitFor();
    await expect(page.locator('dl.answers dt').count()).resolves.toBeGreaterThan(3);
    const pdf = page.getByRole('link', { name: '申报书.pdf' });
    const opened = await page.request.get(new URL(String(await pdf.getAttribute('href')), page.url()).href);
    expect(opened.status()).toBe(200);
    expect((await opened.body()).equals(fixture.pdf)).toBe(true);
    await screenshots(page, 'expert-dossier');

    await page.getByRole('link', { name: '去评分 Score this dossier' }).click();
    await page.getByLabel('创新性').fill('88');
    await page.getByLabel('影响力').fill('90.5');
    await page.getByLabel('推荐 Recommend', { exact: true }).check();
    await page.getByLabel(/评语 Comment/).fill('技术路线清晰 <script>alert(1)</script>');
    await page.locator('#weighted-total').filter({ hasText: 'Weighted total: 89' }).waitFor();
    await screenshots(page, 'expert-score');
    await page.getByRole('button', { name: '提交评分 Submit scores' }).click();
    await page.getByRole('status').filter({ hasText: '评分已提交' }).waitFor();
    const card = page.locator('.card', { hasText: n1.candidate.name });
    await expect(card.locator('.badge').innerText()).resolves.toBe('已评分 Scored');
    await expect(card.innerText()).resolves.toContain('Total 89');
    const sheets = (await kit.stack.api.reviewState(fixture.cycleId, BODY)).expertReview?.sheets ?? [];
    expect(sheets).toEqual([
      expect.objectContaining({
        expertId: assigned,
        nominationId: n1.id,
        scores: { innovation: 88, impact: 90.5 },
        recommend: true,
        comment: '技术路线清晰 <script>alert(1)</script>',
      }),
    ]);
    await screenshots(page, 'expert-home-scored');
    await page.close();
  });

  it('shows the chair the panel’s progress and ranking, and confirms the shortlist with a reason', async () => {
    const page = await signedInPage(browser, app, fixture.cycleId, { kind: 'body', id: BODY });
    expect(new URL(page.url()).pathname).toBe(`/r/${programmeId}/${BODY}`);
    await expect(page.locator('section.part tr[data-expert]').count()).resolves.toBe(5);
    await expect(page.locator('.warn').innerText()).resolves.toMatch(/尚有 5 份评分表未提交/);
    await expect(page.locator('table.ranking tbody tr').first().innerText()).resolves.toContain('89');
    await screenshots(page, 'chair-panel');
    // The chair reads a dossier from the ranking, its file through the body's own link.
    await page.locator('table.ranking tbody tr').first().getByRole('link').click();
    await page.getByRole('heading', { name: /申报表 Application form/ }).waitFor();
    const href = String(await page.getByRole('link', { name: '申报书.pdf' }).getAttribute('href'));
    expect(href).toContain(`/bodies/${BODY}/dossiers/`);
    expect((await page.request.get(new URL(href, page.url()).href)).status()).toBe(200);
    await page
      .getByRole('link', { name: /评审组 Panel/ })
      .first()
      .click();

    await page.getByLabel(/推荐名额/).fill('1');
    await page.getByLabel(/理由 Reason/).fill('部分专家出差，按已有评分确认');
    await page.getByRole('button', { name: /确认入围名单/ }).click();
    await page.getByRole('status').filter({ hasText: '入围名单已确认' }).waitFor();
    await expect(page.locator('.done').innerText()).resolves.toMatch(/已确认并报送/);
    await expect(page.locator('table.ranking').innerText()).resolves.toContain('入围 Recommended');
    const [part] = (await kit.stack.api.reviewState(fixture.cycleId, BODY)).parts;
    expect(part.reportedAt).toBeDefined();
    expect(part.results?.filter((r) => r.verdict === 'recommended')).toHaveLength(1);
    await screenshots(page, 'chair-panel-confirmed');
    await page.close();
  });
});
