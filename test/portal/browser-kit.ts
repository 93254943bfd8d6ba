/**
 * Chromium for the portal's browser tests (Debian's, driven by playwright-core) and their
 * screenshots at desktop and phone widths in test-artifacts/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Party } from '../../domain/credentials';
import type { Dossier } from '../../domain/dossier';
import { signInUrl } from '../../portal/links';
import { findChromium } from '../../servers/provision';
import { keys, type PortalUnderTest } from './portal-kit';

export const SCREENSHOTS = path.resolve('test-artifacts/screenshots');
export const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

export async function launchChromium(): Promise<Browser> {
  const found = findChromium();
  if (!found) throw new Error('no Chromium: the global setup installs Debian’s chromium');
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: found.path,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

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

/** Saves the page at both widths, full length, as `<name>-desktop.png` and `<name>-phone.png`. */
export async function screenshots(page: Page, name: string): Promise<void> {
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(WIDTHS.desktop);
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
