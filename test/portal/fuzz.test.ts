/**
 * A schema-driven fuzz of the API from its own OpenAPI document: schemathesis (PyPI, in the kczg
 * cache: servers/schemathesis.ts) against a portal on the time-skipping stack, signed in as unit
 * cie with a bearer credential, path parameters pinned to the running cycle and unit so requests
 * reach the workflows. Refused input (negative mode: every request breaks the schema) gets no 5xx
 * and changes nothing — the cycle, every unit, the drafts and tokens are the same before and
 * after; valid input (positive mode) gets no 5xx either. Bounded: a few examples per operation.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildPortal } from '../../portal/server';
import { ensureSchemathesis } from '../../servers/schemathesis';
import { useTimeSkippingStack } from '../support/time-skipping';
import {
  attachmentStoreOf,
  credential,
  finishKeyedCycle,
  keys,
  portalConfig,
  PortalUnderTest,
  startKeyedCycle,
} from './portal-kit';

const PROGRAMME = 'portal-fuzz-2023';
/** Test cases per operation and mode: enough to reach every validator, bounded for CI. */
const MAX_EXAMPLES = 6;
const ARTIFACTS = path.resolve('test-artifacts');

interface FuzzRun {
  code: number | null;
  output: string;
}

/** Runs `st run` with the given mode; resolves with its exit code and output. */
function fuzz(
  st: string,
  base: string,
  token: string,
  mode: 'negative' | 'positive',
  dir: string,
): Promise<FuzzRun> {
  const config = path.join(dir, `schemathesis-${mode}.toml`);
  fs.writeFileSync(
    config,
    [
      '[parameters]',
      `"path.programme" = "${PROGRAMME}"`,
      '"path.unit" = "cie"',
      '"path.draft" = "fuzz-draft"',
      '',
      '[generation]',
      'allow-x00 = false',
      '',
    ].join('\n'),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(
      st,
      [
        '--config-file',
        config,
        'run',
        `${base}/api/v1/openapi.json`,
        '--url',
        base,
        '--header',
        `Authorization: Bearer ${token}`,
        '--mode',
        mode,
        '--phases',
        'examples,fuzzing',
        '--max-examples',
        String(MAX_EXAMPLES),
        '--checks',
        'not_a_server_error',
        '--workers',
        '1',
        '--seed',
        '2023',
        '--request-timeout',
        '30',
        '--no-shrink',
      ],
      {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      // Kept beside the screenshots: what was sent and what came back, per operation.
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      fs.writeFileSync(path.join(ARTIFACTS, `schemathesis-${mode}.log`), output);
      resolve({ code, output });
    });
  });
}

describe('the API under a schema-driven fuzz', () => {
  let app: PortalUnderTest;
  let cycleId: string;
  let st: string;
  let dir: string;
  afterAll(async () => {
    await app?.close();
    if (cycleId) await finishKeyedCycle(kit.stack, cycleId);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const kit = useTimeSkippingStack();

  /** Everything a request could change: the cycle, each unit, drafts, tokens, attachments. */
  const snapshot = async () => {
    const { api, storage } = kit.stack;
    // The clock reading is no state: everything else of the status is.
    const status: Partial<Awaited<ReturnType<typeof api.status>>> = await api.status(cycleId);
    delete status.now;
    const db = storage.records.db;
    return {
      status,
      audit: await api.audit(cycleId),
      units: await api.reader.unitStates(cycleId),
      drafts: await db.selectFrom('unit_drafts').selectAll().orderBy('draft_id').execute(),
      tokens: await db.selectFrom('api_tokens').selectAll().execute(),
      attachments: await db.selectFrom('attachments').select('sha256').orderBy('sha256').execute(),
    };
  };

  beforeAll(async () => {
    st = await ensureSchemathesis((line) => process.stderr.write(`${line}\n`));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-fuzz-'));
    ({ cycleId } = await startKeyedCycle(kit.stack, PROGRAMME));
    app = await PortalUnderTest.start(
      await buildPortal({
        api: kit.stack.api,
        config: portalConfig(kit.stack, {
          attachments: attachmentStoreOf(kit.stack),
          authPrivateKey: keys.privateKey,
        }),
        records: kit.stack.storage.records.db,
      }),
    );
  }, 900_000);

  it('answers refused input without a 5xx and changes nothing', async () => {
    const before = await snapshot();
    const run = await fuzz(st, app.base, credential(cycleId, 'unit:cie'), 'negative', dir);
    expect(run.output).not.toMatch(/Server error|5\d\d Internal/);
    expect({ code: run.code, tail: run.code === 0 ? '' : run.output.slice(-4000) }).toEqual({
      code: 0,
      tail: '',
    });
    // Every generated case reached the API and passed (not a 5xx), and there were plenty.
    const [, generated, passed] = /(\d+) generated, (\d+) passed/.exec(run.output) ?? [];
    expect(Number(generated)).toBeGreaterThanOrEqual(50);
    expect(passed).toBe(generated);
    const after = await snapshot();
    expect(after).toEqual(before);
  }, 600_000);

  it('answers valid input without a 5xx', async () => {
    const run = await fuzz(st, app.base, credential(cycleId, 'unit:cie'), 'positive', dir);
    expect({ code: run.code, tail: run.code === 0 ? '' : run.output.slice(-4000) }).toEqual({
      code: 0,
      tail: '',
    });
  }, 600_000);
});
