/**
 * A unit signs in from the link in a real reminder e-mail: the worker is configured with
 * KCZG_PORTAL_URL and the secretariat's private key, the cycle's T-7 reminder lands in the SMTP
 * outbox, and its link, followed in a real browser, opens the unit's page signed in.
 */
import net from 'node:net';
import type { Browser } from 'playwright-core';
import { beijingToEpochMs } from '../../domain/calendar';
import { launchChromium } from '../support/browser';
import { eventually, useTimeSkippingStack } from '../support/time-skipping';
import { finishKeyedCycle, keys, startKeyedCycle, startPortal, type PortalUnderTest } from './portal-kit';

/** A loopback port free right now, so the worker's links can name the portal before it listens. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the sign-in link in a reminder e-mail', () => {
  let port: number;
  let app: PortalUnderTest;
  let browser: Browser;
  let cycleId: string;
  // Registered before the stack's beforeAll: the worker reads its environment when it is created.
  beforeAll(async () => {
    port = await freePort();
    process.env.KCZG_PORTAL_URL = `http://127.0.0.1:${port}`;
    process.env.KCZG_AUTH_PRIVATE_KEY = keys.privateKey;
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (cycleId) await finishKeyedCycle(kit.stack, cycleId);
    delete process.env.KCZG_PORTAL_URL;
    delete process.env.KCZG_AUTH_PRIVATE_KEY;
  });
  // After the hooks above: the stack starts after and stops after them.
  const kit = useTimeSkippingStack();

  it('opens the unit’s page, signed in, from the reminder read in the outbox', async () => {
    ({ cycleId } = await startKeyedCycle(kit.stack, 'portal-mail-2023'));
    app = await startPortal(kit.stack, {}, port);
    const { clockOffsetMs } = await kit.stack.api.status(cycleId);
    // Collection closes 2023-11-30 24:00: the T-7 reminder goes out on 2023-11-23 (Beijing).
    await kit.stack.sleepUntil(beijingToEpochMs('2023-11-24 12:00'), clockOffsetMs);
    const link = await eventually('a reminder to cie with a sign-in link', async () => {
      for (const { mail } of await kit.outbox.all()) {
        const to = [mail.to ?? []].flat().flatMap((a) => a.value.map((v) => v.address));
        const url = /https?:\/\/\S+\/signin\?token=[^\s"<>]+/.exec(mail.text ?? '')?.[0];
        if (to.includes('cie@units.example.org') && url) return url;
      }
      return undefined;
    });
    expect(link.startsWith(`http://127.0.0.1:${port}/signin?token=`)).toBe(true);

    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(link);
    expect(new URL(page.url()).pathname).toBe('/u/portal-mail-2023/cie');
    await expect(page.locator('h1').innerText()).resolves.toContain('中国电子学会');
    await expect(page.locator('input[name="_csrf"]').count()).resolves.toBeGreaterThan(0);
    await page.close();
  });
});
