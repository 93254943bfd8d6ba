/**
 * The rehearsal leaves a static snapshot of the public page in `<out>/site`: index.html with the
 * winners, its assets and downloads beside it, every link relative (it opens with no server).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rehearse, type RehearsalReport } from '../../client/rehearsal';
import { escapeHtml } from '../../portal/pages/html';
import { loadProgramme } from '../../programmes/loader';

describe('the rehearsal’s static snapshot of the public pages', () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-snapshot-'));
  let report: RehearsalReport;
  beforeAll(async () => {
    report = await rehearse({
      programme: loadProgramme('national-2023'),
      nominations: 12,
      outDir,
      log: () => {},
    });
  });
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('writes index.html listing the winners, with relative assets and downloads that exist', () => {
    const site = path.join(outDir, 'site');
    const index = fs.readFileSync(path.join(site, 'index.html'), 'utf8');
    expect(report.winners).toBeGreaterThan(0);
    const published = fs
      .readdirSync(path.join(site, 'downloads'))
      .filter((name) => name.endsWith('.json'))
      .flatMap((name) => {
        const list = JSON.parse(fs.readFileSync(path.join(site, 'downloads', name), 'utf8'));
        return list.rows as Array<Record<string, string | number>>;
      });
    expect(published).toHaveLength(report.winners);
    for (const row of published) {
      for (const value of Object.values(row)) expect(index).toContain(escapeHtml(String(value)));
    }
    const links = [...index.matchAll(/(?:href|src)="([^"#]+)"/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(2);
    for (const link of links) {
      expect(link.startsWith('/')).toBe(false);
      expect(link.includes('://')).toBe(false);
      expect(fs.existsSync(path.join(site, decodeURIComponent(link)))).toBe(true);
    }
  });
});
