/**
 * kczg beside Temporal's own tools, as a newcomer runs them: a bare `temporal server start-dev`
 * (no search attributes), the namespace set-up, `kczg worker`, `kczg cycle start`, and the real
 * `temporal` CLI reading the encrypted cycle through `kczg codec-server`:
 * - `workflow query --codec-endpoint` answers the cycle's status (the CLI first encodes the query's
 *   empty argument list, sent as `{}`);
 * - `workflow show --codec-endpoint` shows the decrypted start input;
 * - `workflow update execute --codec-endpoint` exits 0 with the result; without a codec the same
 *   update is applied but the CLI cannot print its encrypted result and exits 1;
 * - the codec server's bearer token (`--codec-auth`) and namespace list (X-Namespace) are honoured;
 * - the dev server's Web UI (`--ui-codec-endpoint`), in Debian's Chromium, shows the decrypted
 *   start input: its cross-origin calls pass the codec server's CORS checks.
 * Every process is spawned in its own process group and killed in afterAll.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { chromium } from 'playwright-core';
import { ensureBrowser } from '../../servers/provision';
import { startOutboxSmtpServer, type OutboxSmtpServer } from '../../servers/smtp-outbox';
import {
  childEnv,
  CLI,
  codecKeyEnv,
  freePort,
  MAIL_FROM,
  spawnLogged,
  startWorkerProcess,
  stopAll,
  waitFor,
  type LoggedProcess,
} from '../reliability/support/processes';

const CYCLE_ID = 'kczg:national-2023';

/** A history event as `temporal workflow show -o json` prints it (proto JSON). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type HistoryEvent = Record<string, any>;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const keys = codecKeyEnv();
const codecToken = randomBytes(24).toString('hex');
const processes: LoggedProcess[] = [];
let root: string;
let address: string;
let outbox: OutboxSmtpServer | undefined;
let connection: Connection | undefined;
let codecEndpoint: string;
let uiUrl: string;
let uiCodecEndpoint: string;

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const temporalCli = (): string => {
  const cli = process.env.KCZG_TEMPORAL_CLI;
  if (!cli) throw new Error('KCZG_TEMPORAL_CLI is not set: the jest global setup provisions it');
  return cli;
};

/** `temporal <args> --address <dev server>`, with no codec keys in its environment. */
const temporal = (args: string[]) => run(temporalCli(), [...args, '--address', address], childEnv({}));

/** `kczg --json --address <dev server> <args>` with the workers' codec keys. */
const kczg = (args: string[]) =>
  run(process.execPath, [CLI, '--json', '--address', address, ...args], childEnv(keys));

/** `kczg setup`: registers the search attributes on the bare dev server, idempotently. */
async function setUpNamespace(): Promise<{ registered: string[]; existing: string[] }> {
  const setup = await kczg(['setup']);
  if (setup.code !== 0) throw new Error(`kczg setup failed: ${setup.stderr}`);
  return JSON.parse(setup.stdout) as { registered: string[]; existing: string[] };
}

/**
 * A plain dev server as a newcomer starts it: nothing registered beyond the default namespace;
 * its Web UI decodes through `uiCodec`.
 */
async function startBareDevServer(uiCodec: string): Promise<void> {
  const [port, httpPort, metricsPort, uiPort] = await Promise.all([1, 2, 3, 4].map(() => freePort()));
  address = `127.0.0.1:${port}`;
  uiUrl = `http://127.0.0.1:${uiPort}`;
  const server = spawnLogged(
    'temporal-dev-server',
    temporalCli(),
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort)]
      .concat(['--ui-codec-endpoint', uiCodec])
      .concat(['--http-port', String(httpPort), '--metrics-port', String(metricsPort)])
      .concat(['--db-filename', path.join(root, 'temporal.db'), '--log-level', 'warn']),
    { env: childEnv({}), logFile: path.join(root, 'logs', 'temporal.log') },
  );
  processes.push(server);
  connection = await waitFor(
    `the dev server on ${address}`,
    async () => {
      const candidate = await Connection.connect({ address, connectTimeout: 1_000 });
      await candidate.workflowService.describeNamespace({ namespace: 'default' });
      return candidate;
    },
    { timeoutMs: 60_000, abortIf: () => (server.running() ? undefined : server.tail()) },
  );
}

/** `kczg codec-server` as staff run it, on `port`; resolves with its endpoint once it listens. */
async function startCodecServer(
  name: string,
  port: number,
  env: Record<string, string>,
  args: string[] = [],
): Promise<string> {
  const endpoint = `http://127.0.0.1:${port}`;
  const server = spawnLogged(name, process.execPath, [CLI, 'codec-server', '--port', String(port), ...args], {
    env: childEnv({ ...keys, ...env }),
    logFile: path.join(root, 'logs', `${name}.log`),
  });
  processes.push(server);
  await waitFor(`${name} to listen`, () => server.tail().includes(endpoint), {
    timeoutMs: 30_000,
    abortIf: () => (server.running() ? undefined : server.tail()),
  });
  return endpoint;
}

const withCodec = () => ['--codec-endpoint', codecEndpoint, '--codec-auth', `Bearer ${codecToken}`];

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-temporal-cli-'));
  const uiCodecPort = await freePort();
  await startBareDevServer(`http://127.0.0.1:${uiCodecPort}`);
  outbox = await startOutboxSmtpServer({ outboxDir: path.join(root, 'outbox') });
  // For the CLI: a token and only the default namespace. For the Web UI: its origin allowed.
  codecEndpoint = await startCodecServer('codec-server', await freePort(), {
    KCZG_CODEC_TOKEN: codecToken,
    KCZG_CODEC_NAMESPACES: 'default',
  });
  uiCodecEndpoint = await startCodecServer('codec-server-ui', uiCodecPort, {}, ['--origin', uiUrl]);
}, 120_000);

afterAll(async () => {
  await stopAll(processes);
  await connection?.close();
  await outbox?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('kczg with the temporal CLI against a bare dev server', () => {
  it('sets up the namespace once, runs a worker and a cycle, and answers queries through the codec', async () => {
    expect(await setUpNamespace()).toEqual({
      registered: ['KczgProgramme', 'KczgYear', 'KczgStage'],
      existing: [],
      // No KCZG_DATABASE_URL and no --data-dir: the records are left to the worker.
      migrations: null,
    });
    expect(await setUpNamespace()).toEqual({
      registered: [],
      existing: ['KczgProgramme', 'KczgYear', 'KczgStage'],
      migrations: null,
    });

    processes.push(
      await startWorkerProcess({
        name: 'kczg-worker',
        address,
        dataDir: path.join(root, 'worker-data'),
        env: { ...keys, KCZG_SMTP_URL: outbox!.url, KCZG_MAIL_FROM: MAIL_FROM },
        logFile: path.join(root, 'logs', 'worker.log'),
        connection: connection!,
      }),
    );
    const started = await kczg(['cycle', 'start', 'national-2023']);
    expect({ code: started.code, stderr: started.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(started.stdout)).toMatchObject({ cycleId: CYCLE_ID });

    const query = ['workflow', 'query', '-w', CYCLE_ID, '--name', 'cycleStatus', '-o', 'json'];
    const decoded = await temporal([...query, ...withCodec()]);
    expect({ code: decoded.code, stderr: decoded.stderr }).toEqual({ code: 0, stderr: '' });
    const [status] = JSON.parse(decoded.stdout).queryResult;
    expect(status).toMatchObject({ cycleId: CYCLE_ID, programmeId: 'national-2023', year: 2023 });
    expect(typeof status.stage).toBe('string');

    // Without the codec the CLI sees only ciphertext: the payload is encrypted at rest.
    const raw = await temporal(query);
    expect(raw.code).toBe(0);
    expect(raw.stdout).not.toContain('national-2023');
    expect(raw.stdout).toContain(Buffer.from('binary/encrypted').toString('base64'));
  }, 240_000);

  it('shows the history decrypted with the codec and encrypted without it', async () => {
    const show = (extra: string[]) => temporal(['workflow', 'show', '-w', CYCLE_ID, '-o', 'json', ...extra]);
    const startInput = (stdout: string) =>
      (JSON.parse(stdout).events as HistoryEvent[])[0].workflowExecutionStartedEventAttributes.input
        .payloads[0];
    const decoded = await show(withCodec());
    expect(decoded.code).toBe(0);
    const input = startInput(decoded.stdout);
    expect(Buffer.from(input.metadata.encoding, 'base64').toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(input.data, 'base64').toString())).toMatchObject({
      programme: { id: 'national-2023' },
    });
    const encrypted = await show([]);
    expect(Buffer.from(startInput(encrypted.stdout).metadata.encoding, 'base64').toString()).toBe(
      'binary/encrypted',
    );
  }, 120_000);

  it('runs an update with the codec; without it the update is applied but the CLI exits 1', async () => {
    const update = ['workflow', 'update', 'execute', '-w', CYCLE_ID, '--name', 'ready', '-o', 'json'];
    const completedUpdates = async () => {
      const history = await temporal(['workflow', 'show', '-w', CYCLE_ID, '-o', 'json']);
      return history.stdout.split('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED').length - 1;
    };
    const before = await completedUpdates();
    const decoded = await temporal([...update, ...withCodec()]);
    expect({ code: decoded.code, stderr: decoded.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(decoded.stdout)).toMatchObject({ name: 'ready', result: { cycleId: CYCLE_ID } });

    // The CLI prints an update's result as JSON; an encrypted result it cannot convert, so a
    // successful update reads like a failure. The history shows it was applied.
    const plain = await temporal(update);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/encoding binary\/encrypted: payload encoding is not supported/);
    expect(await completedUpdates()).toBe(before + 2);
  }, 120_000);

  it('refuses the CLI without the bearer token or for another namespace', async () => {
    const query = ['workflow', 'query', '-w', CYCLE_ID, '--name', 'cycleStatus'];
    const noToken = await temporal([...query, '--codec-endpoint', codecEndpoint]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/Unauthorized/);
    const otherNamespace = await temporal([...query, ...withCodec(), '--namespace', 'elsewhere']);
    expect(otherNamespace.code).toBe(1);
    expect(otherNamespace.stderr).toMatch(/Forbidden|not served here/);
  }, 120_000);

  it('shows the decrypted input in the Web UI, whose cross-origin calls the codec server allows', async () => {
    const log = (line: string) => process.stderr.write(`[browser] ${line}\n`);
    const executablePath = (await ensureBrowser(log)).path;
    const described = await temporal(['workflow', 'describe', '-w', CYCLE_ID, '-o', 'json']);
    const runId: string = JSON.parse(described.stdout).workflowExecutionInfo.execution.runId;
    const browser = await chromium.launch({
      executablePath,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
    try {
      const page = await browser.newPage();
      const codecAnswers: number[] = [];
      page.on('response', (response) => {
        if (response.url().startsWith(uiCodecEndpoint)) codecAnswers.push(response.status());
      });
      await page.goto(`${uiUrl}/namespaces/default/workflows/${CYCLE_ID}/${runId}/history`);
      // The start input, decoded by the codec server, in the UI's JSON view.
      await waitFor(
        'the Web UI to show the decrypted start input',
        async () => (await page.innerText('body')).includes('"id": "national-2023"'),
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(codecAnswers.length).toBeGreaterThan(0);
      expect(codecAnswers.filter((status) => status !== 200)).toEqual([]);
      expect(await page.innerText('body')).not.toContain('binary/encrypted');
    } finally {
      await browser.close();
    }
  }, 180_000);
});
