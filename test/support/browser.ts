/**
 * A person's browser for the portal's tests: Debian's Chromium driven by playwright-core (the
 * project never downloads a browser build), and screenshots of a page at desktop and phone widths
 * into test-artifacts/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from '../../servers/provision';

export const SCREENSHOTS = path.resolve('test-artifacts/screenshots');
export const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

/** Debian's Chromium, headless; the global setup installs it. */
export async function launchChromium(): Promise<Browser> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const found = findChromium();
  if (!found) throw new Error('no Chromium: the global setup installs Debian’s chromium');
  return chromium.launch({
    executablePath: found.path,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}

/**
 * Saves the page at both widths, full length, as `<name>-desktop.png` and `<name>-phone.png`;
 * returns how far the page is wider than the phone's viewport (0 when it fits).
 */
export async function screenshots(page: Page, name: string): Promise<number> {
  let overflow = 0;
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
    if (label === 'phone')
      overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
  }
  await page.setViewportSize(WIDTHS.desktop);
  return Math.max(0, overflow);
}
