/**
 * The secretariat's audit log over HTTP on a keyed cycle: filters by actor, action and time
 * (RFC 3339 or Beijing wall time), pages with a cursor, instants in +08:00, exports as CSV with
 * Chinese headings and as JSON, refused to a unit and for a bad instant; and the audit page with
 * its GET form and export links.
 */
import { formatBeijing } from '../../domain/calendar';
import { useTimeSkippingStack } from '../support/time-skipping';
import { launchChromium, screenshots } from '../support/browser';
import { signedInPage } from './browser-kit';
import {
  bearer,
  credential,
  finishKeyedCycle,
  signIn,
  startKeyedCycle,
  startPortal,
  type PortalUnderTest,
} from './portal-kit';

const PROGRAMME = 'portal-audit-2023';

describe('the audit log for the secretariat', () => {
  let app: PortalUnderTest;
  let cycleId: string;
  afterAll(async () => {
    await app?.close();
    if (cycleId) await finishKeyedCycle(kit.stack, cycleId);
  });
  const kit = useTimeSkippingStack();
  const url = (path: string) => `/api/v1/cycles/${PROGRAMME}/audit${path}`;
  let secretariat: Record<string, string>;

  beforeAll(async () => {
    ({ cycleId } = await startKeyedCycle(kit.stack, PROGRAMME));
    app = await startPortal(kit.stack);
    secretariat = bearer(credential(cycleId, 'secretariat'));
    const post = (path: string, payload: unknown) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/cycles/${PROGRAMME}/${path}`,
        headers: secretariat,
        payload,
      });
    expect((await post('pause', { reason: '核查材料 <b>审计</b>' })).statusCode).toBe(200);
    expect((await post('resume', { reason: '核查完毕' })).statusCode).toBe(200);
    const extended = await post('extend', {
      scope: { kind: 'unit', unitId: 'cie' },
      until: '2023-12-20 24:00',
      reason: '系统故障延期',
    });
    expect(extended.statusCode).toBe(200);
  });

  it('filters by actor and action, in +08:00, page by page', async () => {
    const all = await app.inject({ method: 'GET', url: url('?limit=500'), headers: secretariat });
    expect(all.statusCode).toBe(200);
    const entries = all.json().items as Array<{ at: string; actor: string; action: string }>;
    expect(entries.length).toBeGreaterThanOrEqual(4);
    for (const e of entries) expect(e.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$/);

    const bySecretariat = await app.inject({
      method: 'GET',
      url: url('?actor=secretariat'),
      headers: secretariat,
    });
    const actions = bySecretariat.json().items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['pause', 'resume', 'extend']));
    expect(bySecretariat.json().items.every((e: { actor: string }) => e.actor === 'secretariat')).toBe(true);

    const pauses = await app.inject({ method: 'GET', url: url('?action=pause'), headers: secretariat });
    expect(pauses.json().items).toHaveLength(1);
    expect(pauses.json().items[0].detail).toContain('核查材料');

    const first = await app.inject({
      method: 'GET',
      url: url('?actor=secretariat&limit=1'),
      headers: secretariat,
    });
    expect(first.json().items).toHaveLength(1);
    const next = await app.inject({
      method: 'GET',
      url: url(`?actor=secretariat&limit=1&cursor=${first.json().nextCursor}`),
      headers: secretariat,
    });
    expect(next.json().items[0]).not.toEqual(first.json().items[0]);
  });

  it('filters by time, inclusive, in RFC 3339 or Beijing wall time', async () => {
    const all = (await app.inject({ method: 'GET', url: url('?action=pause'), headers: secretariat })).json();
    const at: string = all.items[0].at;
    const exact = await app.inject({
      method: 'GET',
      url: url(`?from=${encodeURIComponent(at)}&to=${encodeURIComponent(at)}&action=pause`),
      headers: secretariat,
    });
    expect(exact.json().items).toHaveLength(1);
    const later = new Date(Date.parse(at) + 1000).toISOString();
    const none = await app.inject({
      method: 'GET',
      url: url(`?action=pause&from=${later}`),
      headers: secretariat,
    });
    expect(none.json().items).toEqual([]);
    const wall = formatBeijing(Date.parse(at) - 60_000).slice(0, 16);
    const fromWall = await app.inject({
      method: 'GET',
      url: url(`?action=pause&from=${encodeURIComponent(wall)}`),
      headers: secretariat,
    });
    expect(fromWall.json().items).toHaveLength(1);
  });

  it('refuses a bad instant with 400 INVALID on the field, and a unit with 403', async () => {
    const bad = await app.inject({ method: 'GET', url: url('?from=yesterday'), headers: secretariat });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'INVALID', field: 'from', rule: 'date' });
    const unit = await app.inject({
      method: 'GET',
      url: url(''),
      headers: bearer(credential(cycleId, 'unit:cie')),
    });
    expect(unit.statusCode).toBe(403);
    const unitExport = await app.inject({
      method: 'GET',
      url: url('/export?format=csv'),
      headers: bearer(credential(cycleId, 'unit:cie')),
    });
    expect(unitExport.statusCode).toBe(403);
  });

  it('exports what the filters keep as CSV with Chinese headings and as JSON', async () => {
    const csv = await app.inject({
      method: 'GET',
      url: url('/export?format=csv&actor=secretariat'),
      headers: secretariat,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain(`audit-${PROGRAMME}.csv`);
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    // Every cell quoted (client/audit.ts), so a detail's commas stay in its cell.
    expect(lines[0]).toBe('"时间（北京时间）","操作者","操作","结果","详情","代码"');
    expect(lines.slice(1).every((l) => l.split(',')[1] === '"secretariat"')).toBe(true);
    expect(lines.some((l) => l.includes('pause'))).toBe(true);
    const json = await app.inject({
      method: 'GET',
      url: url('/export?format=json&action=extend'),
      headers: secretariat,
    });
    expect(json.statusCode).toBe(200);
    const exported = JSON.parse(json.body);
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ actor: 'secretariat', action: 'extend' });
    expect(exported[0].at).toMatch(/\+08:00$/);
  });

  it('shows the audit page with its filters, the entries inert, and export links', async () => {
    const { cookie } = await signIn(app, credential(cycleId, 'secretariat'));
    const page = await app.inject({
      method: 'GET',
      url: `/s/${PROGRAMME}/audit?actor=secretariat&action=pause`,
      headers: { cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="get"');
    expect(page.body).toContain('核查材料 &lt;b&gt;审计&lt;/b&gt;');
    expect(page.body).not.toContain('<b>审计</b>');
    expect(page.body).toContain(
      `/api/v1/cycles/${PROGRAMME}/audit/export?actor=secretariat&amp;action=pause&amp;format=csv`,
    );
    expect(page.body).toMatch(/共 1 条/);
    const refused = await app.inject({
      method: 'GET',
      url: `/s/${PROGRAMME}/audit?from=nonsense`,
      headers: { cookie },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('error-field');
  });

  it('filters and exports in a browser (screenshots secretariat-audit-*)', async () => {
    const browser = await launchChromium();
    try {
      const page = await signedInPage(browser, app, cycleId, { kind: 'secretariat' });
      await page.getByRole('link', { name: /审计日志/ }).click();
      await page.getByLabel('操作者', { exact: false }).fill('secretariat');
      await page.getByRole('button', { name: /筛选/ }).click();
      expect(new URL(page.url()).searchParams.get('actor')).toBe('secretariat');
      const byApi = await app.inject({ method: 'GET', url: url('?actor=secretariat'), headers: secretariat });
      await expect(page.locator('table.audit tbody tr').count()).resolves.toBe(byApi.json().items.length);
      await expect(page.locator('table.audit tbody').innerText()).resolves.toContain('pause');
      const csv = await page.getByRole('link', { name: /导出 CSV/ }).getAttribute('href');
      const exported = await app.inject({ method: 'GET', url: String(csv), headers: secretariat });
      expect(exported.body).toContain('"pause"');
      await screenshots(page, 'secretariat-audit');
    } finally {
      await browser.close();
    }
  });
});
