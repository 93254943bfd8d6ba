/**
 * Runs once before the tests: provisions the real Temporal servers (cached after the first run)
 * and bundles the workflows once, so each test file starts a worker in seconds.
 * KCZG_SKIP_SERVERS=1 skips both, for runs of the pure domain tests alone.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ensurePostgresBinaries } from '../servers/postgres';
import { ensureBrowser, ensureDevServer, ensureTestServer, PDF_RASTER_PACKAGES } from '../servers/provision';
import { ensureVersitygw } from '../servers/versitygw';
import { bundleWorkflows } from '../scripts/bundle-workflows';

export default async function globalSetup(): Promise<void> {
  if (process.env.KCZG_SKIP_SERVERS) return;
  // One payload key per test run, shared by the in-process stacks and the spawned CLI.
  if (!process.env.KCZG_CODEC_KEYS)
    process.env.KCZG_CODEC_KEYS = `test:${randomBytes(32).toString('base64')}`;
  const log = (line: string) => process.stderr.write(`[servers] ${line}\n`);
  const testServer = await ensureTestServer(log);
  const devServer = await ensureDevServer(log);
  // Publication prints PDFs with Chromium; tests read them back with poppler's tools.
  await ensureBrowser(log, PDF_RASTER_PACKAGES);
  // Storage tests run a throwaway PostgreSQL server and an S3-compatible server (versitygw).
  await ensurePostgresBinaries(log);
  ensureVersitygw(log);
  if (testServer.executable.type === 'existing-path')
    process.env.KCZG_TEST_SERVER = testServer.executable.path;
  if (devServer.executable.type === 'existing-path')
    process.env.KCZG_TEMPORAL_CLI = devServer.executable.path;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-bundle-'));
  const bundle = path.join(dir, 'workflow-bundle.js');
  await bundleWorkflows(bundle);
  process.env.KCZG_WORKFLOW_BUNDLE = bundle;
}
