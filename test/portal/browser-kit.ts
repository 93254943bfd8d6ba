/**
 * The portal's own steps for its browser tests: a page signed in through a party's link and a
 * dossier filled in. Chromium and the screenshots come from test/support/browser.ts.
 */
import type { Browser, Page } from 'playwright-core';
import type { Party } from '../../domain/credentials';
import type { Dossier } from '../../domain/dossier';
import { signInUrl } from '../../portal/links';
import { WIDTHS } from '../support/browser';
import { keys, type PortalUnderTest } from './portal-kit';

/** A desktop-sized page signed in for `party` through its sign-in link. */
export async function signedInPage(
  browser: Browser,
  app: PortalUnderTest,
  cycle: string,
  party: Party,
): Promise<Page> {
  const link = signInUrl({ privateKey: keys.privateKey, portalUrl: app.base, cycle, party });
  const page = await browser.newPage({ viewport: WIDTHS.desktop });
  await page.goto(link.url);
  return page;
}

/** Fills the chosen part's dossier fieldset with a dossier's answers and affirms its declarations. */
export async function fillDossier(page: Page, dossier: Dossier): Promise<void> {
  const fieldset = page.locator('fieldset.dossier:not([disabled])');
  for (const [id, answer] of Object.entries(dossier.answers)) {
    const input = fieldset.locator(`[name="a.${id}"]`).first();
    if ((await input.evaluate((e) => e.tagName)) === 'SELECT') await input.selectOption(String(answer));
    else await input.fill(String(answer));
  }
  for (const { id } of dossier.declarations) await fieldset.locator(`[name="decl.${id}"]`).check();
}
