/**
 * Prints a published list's HTML page to PDF with Debian's Chromium in headless mode (the page's
 * own @page rule sets landscape A4). Nothing is downloaded: without a Chromium and a font for
 * Chinese, printing is skipped and the reason says what to install.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findChromium, hasChineseFont } from '../../servers/provision';

const PRINT_TIMEOUT_MS = 60_000;
const INSTALL_HINT = '`npm run servers`, or: apt-get install -y chromium fonts-noto-cjk';

/** The Chromium to print with, or why there is none. */
export function pdfPrinter(env: NodeJS.ProcessEnv = process.env): { chromium: string } | { skipped: string } {
  const browser = findChromium(env);
  if (!browser) {
    return {
      skipped: `未找到 Chromium，未生成 PDF / no Chromium (KCZG_CHROMIUM or chromium on PATH), so no PDF: install it with ${INSTALL_HINT}`,
    };
  }
  if (!hasChineseFont()) {
    return {
      skipped: `未找到中文字体，未生成 PDF / no font for Chinese (fc-list :lang=zh is empty), so no PDF: install one with ${INSTALL_HINT}`,
    };
  }
  return { chromium: browser.path };
}

/** Chromium refuses to run as root with its sandbox; the page printed is our own escaped HTML. */
const sandboxArgs = (): string[] => (process.getuid?.() === 0 ? ['--no-sandbox'] : []);

export async function printPdf(chromium: string, htmlFile: string, pdfFile: string): Promise<void> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'kczg-chromium-'));
  const partial = `${pdfFile}.tmp`;
  try {
    const args = [
      '--headless',
      ...sandboxArgs(),
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      '--no-pdf-header-footer',
      `--print-to-pdf=${partial}`,
      pathToFileURL(htmlFile).href,
    ];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-2000);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), PRINT_TIMEOUT_MS);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`could not start ${chromium}: ${error.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`${chromium} exited ${code ?? signal} printing ${htmlFile}: ${stderr.trim()}`));
      });
    });
    const handle = await open(partial, 'r');
    try {
      const magic = Buffer.alloc(5);
      await handle.read(magic, 0, 5, 0);
      if (magic.toString('latin1') !== '%PDF-') throw new Error(`${chromium} wrote no PDF for ${htmlFile}`);
    } finally {
      await handle.close();
    }
    await rename(partial, pdfFile);
  } finally {
    await rm(profile, { recursive: true, force: true });
    await rm(partial, { force: true });
  }
}
