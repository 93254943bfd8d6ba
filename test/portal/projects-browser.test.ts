/**
 * Tracking in a real browser (playwright-core driving Debian's Chromium) on a keyed service-teams
 * cycle run to publication: the owner signs in from its link, finds "我的项目", is told that a
 * case needs evidence, files a report with an evidence PDF; the secretariat finds the project in
 * its table and rejects the report with a reason; the owner sees the reason. Screenshots of the
 * owner's project page and the secretariat's projects pages at desktop and phone widths go to
 * test-artifacts/screenshots/.
 */
import type { Browser } from 'playwright-core';
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import type { Party } from '../../domain/credentials';
import { launchChromium, screenshots } from '../support/browser';
import { useTimeSkippingStack } from '../support/time-skipping';
import { signedInPage } from './browser-kit';
import { publishServiceTeams, type PublishedCycle } from './projects-kit';
import { attachmentStoreOf, finishKeyedCycle, startPortal, type PortalUnderTest } from './portal-kit';

const PROGRAMME = 'portal-projects-browser-2023';
const REASON = '案例未经“科创中国”平台确认，请补充确认截图';

describe('tracking in a browser', () => {
  let app: PortalUnderTest;
  let browser: Browser;
  let cycle: PublishedCycle;
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (cycle) await finishKeyedCycle(kit.stack, cycle.cycleId);
  });
  const kit = useTimeSkippingStack();
  const signIn = (party: Party) => signedInPage(browser, app, cycle.cycleId, party);

  beforeAll(async () => {
    cycle = await publishServiceTeams(kit.stack, PROGRAMME);
    app = await startPortal(kit.stack, { attachments: attachmentStoreOf(kit.stack) });
    browser = await launchChromium();
  });

  it('the owner files a report with evidence, the secretariat rejects it with a reason, the owner reads it', async () => {
    const [project] = cycle.projects;
    const owner = await signIn({ kind: 'unit', id: 'cie' });
    await owner.getByRole('link', { name: /我的项目/ }).click();
    expect(new URL(owner.url()).pathname).toBe(`/u/${PROGRAMME}/cie/projects`);
    await owner.getByRole('link', { name: project }).click();
    // The half-yearly report is due 2023-11-10 24:00; the cycle's clock reads just after publication.
    await owner
      .locator('.countdown')
      .filter({ hasText: /剩余 18\d 天/ })
      .waitFor();
    await expect(owner.locator('.targets li').count()).resolves.toBe(6);

    await owner.locator('#v-cases').fill('1');
    await owner.locator('#v-achievements-evaluated').fill('12');
    await owner.getByRole('button', { name: /提交报告/ }).click();
    await expect(owner.locator('.error-field').innerText()).resolves.toMatch(/^figures\[\d\]\.evidence$/);
    await expect(owner.locator('#v-cases').inputValue()).resolves.toBe('1');

    await owner.locator('input[name="f.cases"]').setInputFiles({
      name: '典型案例.pdf',
      mimeType: 'application/pdf',
      buffer: await generateAttachmentPdf('典型案例', ['cie case study for the half-yearly report']),
    });
    await owner.getByRole('button', { name: /提交报告/ }).click();
    await owner.getByRole('status').filter({ hasText: '报告已提交' }).waitFor();
    await expect(owner.locator('.report').first().innerText()).resolves.toContain('典型案例.pdf');
    await screenshots(owner, 'project-owner');
    const [filed] = (await kit.stack.api.project.state(cycle.cycleId, project)).reports;
    expect(filed.figures.find((f) => f.target === 'cases')?.evidence).toEqual([
      expect.objectContaining({ name: '典型案例.pdf', format: 'pdf', slot: 'cases' }),
    ]);

    const secretariat = await signIn({ kind: 'secretariat' });
    await secretariat.getByRole('link', { name: /项目跟踪/ }).click();
    await secretariat.getByLabel(/状态/).selectOption('pending');
    await secretariat.getByRole('button', { name: /筛选/ }).click();
    await expect(secretariat.locator('table.projects tbody tr').count()).resolves.toBe(1);
    await screenshots(secretariat, 'secretariat-projects');
    await secretariat.getByRole('link', { name: project }).click();
    await secretariat.getByLabel(/理由（退回或要求补充时必填）/).fill(REASON);
    await screenshots(secretariat, 'secretariat-project');
    await secretariat.getByRole('button', { name: /退回 Reject/ }).click();
    await secretariat.getByRole('status').filter({ hasText: '已记录' }).waitFor();
    await expect(secretariat.locator('.report').first().innerText()).resolves.toContain('已退回');

    await owner.goto(owner.url().replace(/\?.*$/, ''));
    await expect(owner.locator('.reason').first().innerText()).resolves.toContain(REASON);
    // The next report starts from the rejected one's figures (they are cumulative).
    await expect(owner.locator('#v-cases').inputValue()).resolves.toBe('1');
    await screenshots(owner, 'project-owner-rejected');

    // Steering from the page: a pause (no mail while paused), then an extension of every open due.
    await secretariat.locator('#pause-reason').fill('项目调整 / project under review');
    await secretariat.getByRole('button', { name: /^暂停 Pause$/ }).click();
    // The page after the redirect says since when it is paused.
    const paused = secretariat
      .locator('.steer-form legend', { hasText: /已于 .* 暂停/ })
      .or(secretariat.getByRole('alert'));
    await paused.first().waitFor();
    expect(await paused.first().innerText()).toMatch(/已于 .* 暂停/);
    expect((await kit.stack.api.project.state(cycle.cycleId, project)).pausedAt).toEqual(expect.any(Number));
    const before = (await kit.stack.api.project.state(cycle.cycleId, project)).dues.find(
      (d) => d.status === 'owed',
    );
    await secretariat.locator('#extend-until').fill('2099-13-01');
    await secretariat.locator('#extend-reason').fill('平台确认延迟');
    await secretariat.getByRole('button', { name: /^延期 Extend$/ }).click();
    await expect(secretariat.locator('[role=alert]').first().innerText()).resolves.toContain('until');
    expect(
      (await kit.stack.api.project.state(cycle.cycleId, project)).dues.find((d) => d.id === before?.id)?.at,
    ).toBe(before?.at);
    await screenshots(secretariat, 'secretariat-project-steering');
    await owner.close();
    await secretariat.close();
  });
});
