/**
 * A unit's drafts on a keyed cycle, kept in the records (not by a portal): saved, read, replaced,
 * listed and deleted over the API, seen by a second portal instance, bounded in size and number
 * with clear refusals that change nothing, closed to another unit. In Chromium: a half-filled
 * form with a real PDF saved with "保存草稿", opened again from the unit's list with everything in
 * it, submitted, and the draft gone once the nomination is acknowledged. Screenshots unit-draft-*.
 */
import type { Browser } from 'playwright-core';
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import { buildPortal } from '../../portal/server';
import { MAX_DRAFT_BYTES, MAX_DRAFTS_PER_UNIT } from '../../storage/drafts';
import { dossierFor } from '../support/candidates';
import { launchChromium, screenshots } from '../support/browser';
import { useTimeSkippingStack } from '../support/time-skipping';
import { fillDossier, signedInPage } from './browser-kit';
import {
  attachmentStoreOf,
  bearer,
  credential,
  finishKeyedCycle,
  portalConfig,
  PortalUnderTest,
  startKeyedCycle,
} from './portal-kit';

const PROGRAMME = 'portal-drafts-2023';
const draftBody = (name: string) => ({
  listId: 'pioneer-tech',
  fieldId: 'electronics',
  candidate: { name, classified: false },
});

describe('a unit’s drafts', () => {
  let app: PortalUnderTest;
  let cycleId: string;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (cycleId) await finishKeyedCycle(kit.stack, cycleId);
  });
  const kit = useTimeSkippingStack();
  const portal = () =>
    buildPortal({
      api: kit.stack.api,
      config: portalConfig(kit.stack, { attachments: attachmentStoreOf(kit.stack) }),
      records: kit.stack.storage.records.db,
    });
  const drafts = (unit: string) => `/api/v1/cycles/${PROGRAMME}/units/${unit}/drafts`;
  let cmes: Record<string, string>;
  const storedRows = async (unit: string) =>
    kit.stack.storage.records.db.selectFrom('unit_drafts').selectAll().where('unit_id', '=', unit).execute();

  beforeAll(async () => {
    ({ cycleId } = await startKeyedCycle(kit.stack, PROGRAMME));
    app = await PortalUnderTest.start(await portal());
    cmes = bearer(credential(cycleId, 'unit:cmes'));
  });

  it('saves, reads, replaces, lists and deletes a draft in the records, seen by another instance', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: `${drafts('cmes')}/d-1`,
      headers: cmes,
      payload: draftBody('草稿芯片'),
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ id: 'd-1', content: draftBody('草稿芯片') });
    expect(put.json().updatedAt).toMatch(/\+08:00$/);
    expect(await storedRows('cmes')).toHaveLength(1);

    // Another portal instance over the same records reads it: nothing was kept by the first.
    const second = await PortalUnderTest.start(await portal());
    try {
      const read = await second.inject({ method: 'GET', url: `${drafts('cmes')}/d-1`, headers: cmes });
      expect(read.statusCode).toBe(200);
      expect(read.json().content.candidate.name).toBe('草稿芯片');
    } finally {
      await second.close();
    }

    const replaced = await app.inject({
      method: 'PUT',
      url: `${drafts('cmes')}/d-1`,
      headers: cmes,
      payload: draftBody('改过的芯片'),
    });
    expect(replaced.json().content.candidate.name).toBe('改过的芯片');
    const listed = await app.inject({ method: 'GET', url: drafts('cmes'), headers: cmes });
    expect(listed.json().items.map((d: { id: string }) => d.id)).toEqual(['d-1']);

    const deleted = await app.inject({ method: 'DELETE', url: `${drafts('cmes')}/d-1`, headers: cmes });
    expect(deleted.statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: `${drafts('cmes')}/d-1`, headers: cmes })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'DELETE', url: `${drafts('cmes')}/d-1`, headers: cmes })).statusCode,
    ).toBe(404);
    expect(await storedRows('cmes')).toHaveLength(0);
  });

  it('refuses an oversize draft, one too many and a bad id, changing nothing', async () => {
    await app.inject({
      method: 'PUT',
      url: `${drafts('cmes')}/keep`,
      headers: cmes,
      payload: draftBody('保留'),
    });
    const huge = { ...draftBody('巨大'), candidate: { name: '巨大', summary: 'x'.repeat(MAX_DRAFT_BYTES) } };
    const tooBig = await app.inject({
      method: 'PUT',
      url: `${drafts('cmes')}/keep`,
      headers: cmes,
      payload: huge,
    });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json()).toMatchObject({
      code: 'INVALID',
      field: 'draft',
      rule: 'draft-size',
      limit: MAX_DRAFT_BYTES,
    });
    const kept = await app.inject({ method: 'GET', url: `${drafts('cmes')}/keep`, headers: cmes });
    expect(kept.json().content.candidate.name).toBe('保留');

    for (let i = 2; i <= MAX_DRAFTS_PER_UNIT; i++) {
      const saved = await app.inject({
        method: 'PUT',
        url: `${drafts('cmes')}/n-${i}`,
        headers: cmes,
        payload: draftBody(`第${i}份`),
      });
      expect(saved.statusCode).toBe(200);
    }
    const oneTooMany = await app.inject({
      method: 'PUT',
      url: `${drafts('cmes')}/n-extra`,
      headers: cmes,
      payload: draftBody('多余'),
    });
    expect(oneTooMany.statusCode).toBe(409);
    expect(oneTooMany.json()).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      rule: 'draft-count',
      limit: MAX_DRAFTS_PER_UNIT,
    });
    expect(await storedRows('cmes')).toHaveLength(MAX_DRAFTS_PER_UNIT);
    // At the limit an existing draft can still be saved again.
    const again = await app.inject({
      method: 'PUT',
      url: `${drafts('cmes')}/keep`,
      headers: cmes,
      payload: draftBody('再存'),
    });
    expect(again.statusCode).toBe(200);

    const badId = await app.inject({
      method: 'PUT',
      url: `${drafts('cmes')}/a%20b`,
      headers: cmes,
      payload: draftBody('x'),
    });
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toMatchObject({ code: 'INVALID', rule: 'draft-id' });
    for (const row of await storedRows('cmes')) {
      await app.inject({ method: 'DELETE', url: `${drafts('cmes')}/${row.draft_id}`, headers: cmes });
    }
  });

  it('keeps one unit’s drafts from another', async () => {
    await app.inject({
      method: 'PUT',
      url: `${drafts('cmes')}/private`,
      headers: cmes,
      payload: draftBody('私有'),
    });
    const cie = bearer(credential(cycleId, 'unit:cie'));
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const answer = await app.inject({
        method,
        url: `${drafts('cmes')}/private`,
        headers: cie,
        ...(method === 'PUT' ? { payload: draftBody('篡改') } : {}),
      });
      expect(answer.statusCode).toBe(403);
    }
    expect((await app.inject({ method: 'GET', url: drafts('cie'), headers: cie })).json().items).toEqual([]);
    await app.inject({ method: 'DELETE', url: `${drafts('cmes')}/private`, headers: cmes });
  });

  it('saves a half-filled form with its file, opens it again, and submits it, the draft then gone', async () => {
    browser = await launchChromium();
    const page = await signedInPage(browser, app, cycleId, { kind: 'unit', id: 'cie' });
    await page.getByLabel('榜单与领域').selectOption('pioneer-tech/electronics');
    await page.getByLabel('候选名称', { exact: false }).fill('草稿里的光子芯片');
    await page.locator('#c-classified').selectOption('false');
    await fillDossier(page, dossierFor('national-2023', 'pioneer-tech', 'electronics'));
    const fieldset = page.locator('fieldset.dossier:not([disabled])');
    await fieldset.locator('input[name="f.application-form"]').setInputFiles({
      name: '申报书.pdf',
      mimeType: 'application/pdf',
      buffer: await generateAttachmentPdf('申报书', ['草稿里的光子芯片 application form']),
    });
    await page.getByRole('button', { name: /保存草稿/ }).click();
    await page.getByRole('status').filter({ hasText: '草稿已保存' }).waitFor();
    await expect(page.locator('.drafts li').allInnerTexts()).resolves.toEqual([
      expect.stringContaining('草稿里的光子芯片'),
    ]);
    await screenshots(page, 'unit-draft-saved');
    const [row] = await storedRows('cie');
    expect(JSON.stringify(row.content)).toContain('申报书.pdf');

    // Later, from a fresh page: the draft is listed; opening it fills the form again.
    await page.goto(`${app.base}/u/${PROGRAMME}/cie`);
    await page.locator('.drafts a', { hasText: '草稿里的光子芯片' }).click();
    await expect(page.getByLabel('候选名称', { exact: false }).inputValue()).resolves.toBe(
      '草稿里的光子芯片',
    );
    await expect(page.locator('input[name="key"]').inputValue()).resolves.toBe(row.draft_id);
    await expect(page.locator('.wide li').allInnerTexts()).resolves.toEqual([
      expect.stringContaining('申报书.pdf'),
    ]);
    await screenshots(page, 'unit-draft-opened');

    await page.getByRole('button', { name: /提交推荐/ }).click();
    await page.getByRole('status').filter({ hasText: '推荐已提交' }).waitFor();
    const [filed] = (await kit.stack.api.unitState(cycleId, 'cie')).nominations;
    expect(filed).toMatchObject({ idempotencyKey: row.draft_id, candidate: { name: '草稿里的光子芯片' } });
    expect(filed.dossier?.attachments).toEqual([expect.objectContaining({ name: '申报书.pdf' })]);
    expect(await storedRows('cie')).toEqual([]);
    await expect(page.locator('.drafts li').count()).resolves.toBe(0);
    await screenshots(page, 'unit-draft-submitted');
    await page.close();
  });
});
