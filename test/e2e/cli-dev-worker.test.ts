/**
 * The two long-running commands, spawned as a user runs them:
 * - `kczg dev`: the Temporal CLI dev server with its Web UI, a worker and the SMTP outbox in one
 *   process tree; other terminals use it (cycle start, nominate) with the key it keeps in its data
 *   folder; Ctrl-C (SIGINT to the terminal's process group) or `kill -INT` stops every process and
 *   frees every port; a second start on the same folder finds the cycle again.
 * - `kczg worker`: alone against a Temporal CLI dev server and an SMTP outbox the harness starts
 *   (no other worker), it takes the cycle's work and sends its mail; stopped with SIGTERM or SIGINT
 *   it exits 0, and an update sent while no worker runs waits for the next one.
 * Every process is spawned in its own process group and killed in afterAll, whatever happened.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { KczgClient } from '../../client/api';
import { connectClient } from '../../client/connection';
import { loadProgramme } from '../../programmes/loader';
import { startOutboxSmtpServer, type OutboxSmtpServer } from '../../servers/smtp-outbox';
import {
  childEnv,
  DevServer,
  freePort,
  MAIL_FROM,
  sleep,
  spawnLogged,
  startWorkerProcess,
  stopAll,
  waitFor,
  type LoggedProcess,
} from '../reliability/support/processes';
import {
  CLI,
  CliRunner,
  nominateArgs as nominateWith,
  type CliResult,
  type Json,
  startCycleArgs,
} from '../support/cli';
import { dossierFile } from '../support/candidates';
import { outboxMessages } from '../support/outbox';

/** Every `kczg` command still running: stopped in afterAll, with every long-running process. */
const cli = new CliRunner();
const processes: LoggedProcess[] = [];
let root: string;

/** Runs `kczg --json --address <address> …` with `env`; never rejects. */
function kczg(address: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return cli.run(['--address', address, ...args], { env });
}

/** A programme file: national-2023 under another id (one cycle per id and server). */
function programmeFile(id: string): string {
  const programme = structuredClone(loadProgramme('national-2023'));
  programme.id = id;
  const file = path.join(root, `${id}.json`);
  fs.writeFileSync(file, JSON.stringify(programme, null, 2));
  return file;
}

function candidateFile(name: string): string {
  const file = path.join(root, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ name, identity: `TECH-${name}`, classified: false }));
  return file;
}

/** `cycle start` of `programme` (national-2023 under that id) at programme time 2023-11-01 09:00. */
const startArgs = (programme: string) =>
  startCycleArgs(programme, programmeFile(programme), '2023-11-01 09:00');

/** Nominates technology `name` for pioneer-tech/electronics with the form's sample dossier. */
const nominateArgs = (programme: string, name: string, key: string) => [
  ...nominateWith(programme, 'cie', 'pioneer-tech/electronics', candidateFile(name), key),
  '--dossier',
  dossierFile(root, `dossier-${name}`, 'national-2023', 'pioneer-tech', 'electronics'),
];

/** A long-running process stopped by a signal: exit 0, else its log's tail in the failure. */
async function expectCleanExit(proc: LoggedProcess): Promise<void> {
  const exit = await within(proc.exited, 30_000);
  expect({ exit, log: exit === 'timeout' || exit.code !== 0 ? proc.tail() : '' }).toEqual({
    exit: { code: 0, signal: null },
    log: '',
  });
}

/** The process and every descendant, from /proc (Linux). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces, so read after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Alive: present and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The promise's value, or 'timeout' after `ms` (the timer is cleared: nothing keeps Jest waiting). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when nothing listens on the loopback port any more (we can bind it). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

beforeAll(() => {
  expect(fs.existsSync(CLI)).toBe(true);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-dev-worker-'));
});

afterAll(async () => {
  await cli.stopAll();
  await stopAll(processes);
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('kczg dev: dev server, Web UI, worker and SMTP outbox in one process tree', () => {
  const PROGRAMME = 'dev-e2e-2023';
  let dataDir: string;
  let ports: { temporal: number; ui: number };

  interface Running {
    proc: LoggedProcess;
    address: string;
    uiUrl: string;
    smtpPort: number;
    outbox: string;
    keyFile: string;
    /** Every port the tree listens on that its output names. */
    ports: number[];
  }

  /** Starts `kczg dev` as a terminal user would (no codec key, no Temporal settings) and waits for it. */
  async function startDev(name: string): Promise<Running> {
    const proc = spawnLogged(
      name,
      process.execPath,
      [CLI, 'dev', '--data-dir', dataDir, '--port', String(ports.temporal), '--ui-port', String(ports.ui)],
      { env: childEnv({}), logFile: path.join(root, 'logs', `${name}.log`) },
    );
    processes.push(proc);
    const ready = await waitFor(
      `${name} to say it is running`,
      () => {
        const log = fs.readFileSync(proc.logFile, 'utf8');
        const line =
          /kczg dev 已启动 \/ running: Temporal (\S+), Web UI (\S+), SMTP smtp:\/\/[\d.]+:(\d+), outbox (.+)$/m.exec(
            log,
          );
        return line ? { log, line } : undefined;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 200,
        abortIf: () =>
          proc.running() ? undefined : `it exited (${JSON.stringify(proc.exitStatus)}):\n${proc.tail()}`,
      },
    );
    const [, address, uiUrl, smtpPort, outbox] = ready.line;
    const keyFile = /export KCZG_CODEC_KEYS=\$\(cat (.+)\)$/m.exec(ready.log)?.[1];
    expect(keyFile).toBe(path.join(dataDir, 'codec-keys'));
    // The dev server prints its metrics port too; it is part of what must be freed.
    const metrics = /Metrics:\s+http:\/\/[^:/]+:(\d+)/.exec(fs.readFileSync(proc.logFile, 'utf8'));
    return {
      proc,
      address,
      uiUrl,
      smtpPort: Number(smtpPort),
      outbox: outbox.trim(),
      keyFile: keyFile as string,
      ports: [ports.temporal, ports.ui, Number(smtpPort), ...(metrics ? [Number(metrics[1])] : [])],
    };
  }

  /** Every process of the tree gone, none left in its process group, every port free. */
  async function expectAllGone(dev: Running, tree: number[]): Promise<void> {
    await waitFor(
      `every process of ${dev.proc.name} to end: ${tree.map((p) => `${p} ${commandLine(p)}`).join('; ')}`,
      () => tree.every((pid) => !alive(pid)),
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(() => process.kill(-dev.proc.pid, 0)).toThrow(/ESRCH/);
    for (const port of dev.ports) expect({ port, free: await portFree(port) }).toEqual({ port, free: true });
  }

  beforeAll(async () => {
    dataDir = path.join(root, 'dev-data');
    ports = { temporal: await freePort(), ui: await freePort() };
  });

  it('runs as a user starts it: cycle start and nominate from another terminal, the Web UI answers, Ctrl-C stops it all', async () => {
    const dev = await startDev('kczg-dev-1');
    expect(dev.address).toBe(`localhost:${ports.temporal}`);
    expect(dev.uiUrl).toBe(`http://localhost:${ports.ui}`);
    expect(dev.outbox).toBe(path.join(dataDir, 'outbox'));

    // Another terminal: `export KCZG_CODEC_KEYS=$(cat …)`, then kczg against the printed address.
    const env = childEnv({ KCZG_CODEC_KEYS: fs.readFileSync(dev.keyFile, 'utf8').trim() });
    const start = await kczg(dev.address, startArgs(PROGRAMME), env);
    expect(start).toMatchObject({ code: 0, json: { cycleId: `kczg:${PROGRAMME}`, started: true } });
    const nominated = await kczg(dev.address, nominateArgs(PROGRAMME, '开发服务器技术', 'dev-1'), env);
    expect(nominated).toMatchObject({ code: 0, json: { id: 'cie.1', unitId: 'cie' } });
    // Without the key the payloads cannot be read (the dev server keeps them encrypted), and the
    // failure says which setting is missing.
    const keyless = await kczg(dev.address, ['cycle', 'status', PROGRAMME], childEnv({}));
    expect(keyless).toMatchObject({ code: 1, json: { error: { code: 'FAILURE' } } });
    expect(keyless.json.error.message).toContain('export KCZG_CODEC_KEYS=$(cat <data-dir>/codec-keys)');

    const ui = await fetch(dev.uiUrl);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<html/i);

    // The worker's mail went through the embedded SMTP server into the outbox.
    const opened = await waitFor(
      'the opening notices in the outbox',
      async () => {
        const list = await kczg(dev.address, ['mail', 'outbox', dev.outbox], env);
        const entries = (list.json as Json[]).filter((e) => e.subject.includes('推荐征集已开始'));
        return entries.length >= 13 ? entries : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(opened.flatMap((e: Json) => e.to)).toContain('cie@units.example.org');

    const tree = processTree(dev.proc.pid);
    const commandLines = tree.map(commandLine);
    expect(commandLines.some((c) => c.includes('server start-dev'))).toBe(true);
    expect(commandLines[0]).toContain('cli.js dev');

    // Ctrl-C in a terminal: SIGINT to the whole foreground process group.
    const stopping = Date.now();
    process.kill(-dev.proc.pid, 'SIGINT');
    await expectCleanExit(dev.proc);
    process.stderr.write(`[cli-dev-worker] kczg dev stopped ${Date.now() - stopping} ms after Ctrl-C\n`);
    await expectAllGone(dev, tree);
  });

  it('starts again on the same data folder: same key, the cycle and its nomination are still there; kill -INT stops it all', async () => {
    const dev = await startDev('kczg-dev-2');
    const env = childEnv({ KCZG_CODEC_KEYS: fs.readFileSync(dev.keyFile, 'utf8').trim() });
    const [status, retried] = await Promise.all([
      kczg(dev.address, ['cycle', 'status', PROGRAMME], env),
      // The same key returns the nomination made before the restart.
      kczg(dev.address, nominateArgs(PROGRAMME, '开发服务器技术', 'dev-1'), env),
    ]);
    expect(status).toMatchObject({ code: 0, json: { cycleId: `kczg:${PROGRAMME}`, stage: 'collection' } });
    expect(retried).toMatchObject({ code: 0, json: { id: 'cie.1' } });

    // A service manager or `kill -INT <pid>`: only the kczg process gets the signal.
    const tree = processTree(dev.proc.pid);
    expect(tree.length).toBeGreaterThanOrEqual(2);
    process.kill(dev.proc.pid, 'SIGINT');
    await expectCleanExit(dev.proc);
    await expectAllGone(dev, tree);
  });
});

describe('kczg worker: alone against a dev server the harness starts', () => {
  const PROGRAMME = 'worker-e2e-2023';
  let server: DevServer | undefined;
  let smtp: OutboxSmtpServer | undefined;
  let connection: Connection | undefined;
  let api: KczgClient;
  let dataDir: string;
  let outboxDir: string;
  let workerEnv: Record<string, string>;

  beforeAll(async () => {
    // The Temporal CLI dev server and the SMTP outbox, and no worker but the spawned `kczg worker`.
    server = await DevServer.start(path.join(root, 'worker-server'));
    dataDir = path.join(root, 'worker-data');
    outboxDir = path.join(root, 'worker-outbox');
    smtp = await startOutboxSmtpServer({ outboxDir });
    const connected = await connectClient({ address: server.address });
    connection = connected.connection;
    api = new KczgClient(connected.client);
    workerEnv = {
      KCZG_SMTP_URL: smtp.url,
      KCZG_MAIL_FROM: MAIL_FROM,
      ...(process.env.KCZG_CODEC_KEYS ? { KCZG_CODEC_KEYS: process.env.KCZG_CODEC_KEYS } : {}),
      ...(process.env.KCZG_CODEC_KEY_ID ? { KCZG_CODEC_KEY_ID: process.env.KCZG_CODEC_KEY_ID } : {}),
    };
  });

  afterAll(async () => {
    await cli.stopAll();
    await stopAll(processes);
    await connection?.close();
    await smtp?.close();
    await server?.kill('SIGKILL');
  });

  const startWorker = async (name: string) => {
    const proc = await startWorkerProcess({
      name,
      address: (server as DevServer).address,
      dataDir,
      env: workerEnv,
      logFile: path.join(root, 'logs', `${name}.log`),
      connection: connection as Connection,
    });
    processes.push(proc);
    return proc;
  };

  it('without KCZG_SMTP_URL and KCZG_MAIL_FROM it refuses to start: exit 1, naming both', async () => {
    const result = await kczg((server as DevServer).address, ['worker', '--data-dir', dataDir], childEnv({}));
    expect(result).toMatchObject({ code: 1, json: { error: { code: 'FAILURE' } } });
    expect(result.json.error.message).toContain('KCZG_SMTP_URL');
    expect(result.json.error.message).toContain('KCZG_MAIL_FROM');
  });

  it('takes the work while it runs; SIGTERM and SIGINT stop it with exit 0; an update waits for the next worker', async () => {
    const first = await startWorker('kczg-worker-1');
    const start = await kczg((server as DevServer).address, startArgs(PROGRAMME));
    expect(start).toMatchObject({ code: 0, json: { started: true } });
    const accepted = await kczg(
      (server as DevServer).address,
      nominateArgs(PROGRAMME, '工作进程技术1', 'wk-1'),
    );
    expect(accepted).toMatchObject({ code: 0, json: { id: 'cie.1' } });

    // The cycle's workflow tasks and activities ran in the spawned process (its pid names it).
    const history = await api.client.workflow.getHandle(`kczg:${PROGRAMME}`).fetchHistory();
    const identities = new Set(
      (history.events ?? []).flatMap((e) => [
        e.workflowTaskCompletedEventAttributes?.identity,
        e.activityTaskStartedEventAttributes?.identity,
      ]),
    );
    identities.delete(undefined);
    identities.delete(null);
    expect([...identities].length).toBeGreaterThan(0);
    for (const identity of identities) expect(identity).toMatch(new RegExp(`^${first.pid}@`));
    // Its activities mailed the units through the harness's SMTP server.
    const opened = await waitFor(
      'the opening notices to the 13 units',
      async () => {
        const notices = await outboxMessages(outboxDir, '推荐征集已开始');
        return notices.length >= 13 ? notices : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(opened.flatMap((notice) => notice.to)).toContain('cie@units.example.org');

    const stopping = Date.now();
    expect(await first.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    process.stderr.write(`[cli-dev-worker] kczg worker stopped ${Date.now() - stopping} ms after SIGTERM\n`);

    // No worker: the nomination is sent but not answered…
    let answered: CliResult | undefined;
    const pending = kczg(
      (server as DevServer).address,
      nominateArgs(PROGRAMME, '工作进程技术2', 'wk-2'),
    ).then((r) => {
      answered = r;
      return r;
    });
    // A steering command waits too, and after a few seconds says what for (on stderr).
    const hold = kczg((server as DevServer).address, ['mail', 'hold', PROGRAMME, 'collection:T-1']);
    await sleep(8_000);
    expect(answered).toBeUndefined();
    // …until a worker runs again.
    const second = await startWorker('kczg-worker-2');
    expect(await pending).toMatchObject({ code: 0, json: { id: 'cie.2', unitId: 'cie' } });
    const units = await api.unitState(`kczg:${PROGRAMME}`, 'cie');
    expect(units.nominations.map((n) => n.id)).toEqual(['cie.1', 'cie.2']);
    const held = await hold;
    expect(held).toMatchObject({ code: 0, json: { heldMailings: ['collection:T-1'] } });
    expect(held.stderr).toContain('waiting for a worker to process the mail hold update');

    expect(await second.kill('SIGINT')).toEqual({ code: 0, signal: null });
  });
});

describe('a namespace without kczg’s search attributes (a plain temporal server start-dev)', () => {
  let server: LoggedProcess | undefined;
  let address: string;
  const env = () => childEnv({ KCZG_SMTP_URL: 'smtp://127.0.0.1:9', KCZG_MAIL_FROM: MAIL_FROM });

  beforeAll(async () => {
    const temporal = process.env.KCZG_TEMPORAL_CLI;
    if (!temporal) throw new Error('KCZG_TEMPORAL_CLI is not set: the jest global setup provisions it');
    const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    address = `127.0.0.1:${port}`;
    server = spawnLogged(
      'bare-dev-server',
      temporal,
      ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port)].concat([
        '--http-port',
        String(httpPort),
        '--metrics-port',
        String(metricsPort),
        '--log-level',
        'warn',
      ]),
      { env: childEnv({}), logFile: path.join(root, 'logs', 'bare-dev-server.log') },
    );
    processes.push(server);
    await waitFor(
      `the bare dev server on ${address}`,
      async () => {
        const { connection } = await connectClient({ address });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return true;
        } finally {
          await connection.close();
        }
      },
      { timeoutMs: 60_000, intervalMs: 250, abortIf: () => (server?.running() ? undefined : server?.tail()) },
    );
  });

  afterAll(async () => {
    await cli.stopAll();
    await server?.kill('SIGKILL');
  });

  it('kczg worker and cycle start exit 1 SETUP_REQUIRED naming kczg setup; kczg setup registers them, once', async () => {
    const worker = await kczg(address, ['worker', '--data-dir', path.join(root, 'bare-data')], env());
    expect(worker).toMatchObject({ code: 1, json: { error: { code: 'SETUP_REQUIRED' } } });
    expect(worker.json.error.message).toContain('KczgProgramme, KczgYear, KczgStage');
    expect(worker.json.error.fix).toContain('kczg setup');
    const text = await cli.run(['--address', address, 'worker'], { env: env(), text: true });
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('[SETUP_REQUIRED]');
    expect(text.stderr).toContain('kczg setup');

    const start = await kczg(
      address,
      ['cycle', 'start', 'bare-2023', '--programme-file', programmeFile('bare-2023')],
      env(),
    );
    expect(start).toMatchObject({ code: 1, json: { error: { code: 'SETUP_REQUIRED' } } });
    expect(start.json.error.fix).toContain('kczg setup');

    const setup = await kczg(address, ['setup'], env());
    expect(setup).toMatchObject({
      code: 0,
      json: { registered: ['KczgProgramme', 'KczgYear', 'KczgStage'], existing: [] },
    });
    const again = await kczg(address, ['setup'], env());
    expect(again).toMatchObject({
      code: 0,
      json: { registered: [], existing: ['KczgProgramme', 'KczgYear', 'KczgStage'] },
    });
  });
});
