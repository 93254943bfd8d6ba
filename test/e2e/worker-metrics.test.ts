/**
 * Watching a worker: `kczg worker` with KCZG_METRICS_ADDRESS serves Prometheus metrics over HTTP
 * (the SDK's runtime metrics and kczg's own) and logs JSON lines carrying the cycle id, the
 * workflow id and the activity type. Spawned as an operator runs it against a Temporal CLI dev
 * server and an SMTP outbox the harness starts; the outbox answers the first messages with 451,
 * 451 and 550, so mail is retried and fails for good. The cycle starts 30 s (programme time)
 * before the first reminder (collection:T-14), so reminders fall due during the test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@temporalio/client';
import { connectClient } from '../../client/connection';
import { loadProgramme } from '../../programmes/loader';
import { startOutboxSmtpServer, type OutboxSmtpServer } from '../../servers/smtp-outbox';
import {
  DevServer,
  freePort,
  MAIL_FROM,
  startWorkerProcess,
  stopAll,
  waitFor,
  type LoggedProcess,
} from '../reliability/support/processes';
import { dossierFor } from '../support/candidates';
import { CliRunner, nominateArgs, startCycleArgs } from '../support/cli';

const PROGRAMME = 'metrics-e2e-2023';
const CYCLE = `kczg:${PROGRAMME}`;

const cli = new CliRunner();
const processes: LoggedProcess[] = [];
let root: string;
let server: DevServer | undefined;
let smtp: OutboxSmtpServer | undefined;
let connection: Connection | undefined;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition format, one sample per line (`# HELP`/`# TYPE` skipped). */
function parseMetrics(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) return [];
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => [k, v]),
    );
    return [{ name: match[1], labels, value: Number(match[3]) }];
  });
}

/** The sum of `name`'s samples whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

async function scrape(address: string): Promise<Sample[]> {
  const response = await fetch(`http://${address}/metrics`);
  expect(response.status).toBe(200);
  return parseMetrics(await response.text());
}

function file(name: string, content: unknown): string {
  const target = path.join(root, name);
  fs.writeFileSync(target, JSON.stringify(content, null, 2));
  return target;
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-worker-metrics-'));
  server = await DevServer.start(path.join(root, 'server'));
  smtp = await startOutboxSmtpServer({ outboxDir: path.join(root, 'outbox') });
  connection = (await connectClient({ address: server.address })).connection;
});

afterAll(async () => {
  await cli.stopAll();
  await stopAll(processes);
  await connection?.close();
  await smtp?.close();
  await server?.kill('SIGKILL');
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('kczg worker with KCZG_METRICS_ADDRESS', () => {
  it('serves kczg’s and the SDK’s metrics with the right counts, and logs lines carrying the ids', async () => {
    const address = (server as DevServer).address;
    const metricsAddress = `127.0.0.1:${await freePort()}`;
    const worker = await startWorkerProcess({
      name: 'kczg-worker-metrics',
      address,
      dataDir: path.join(root, 'worker-data'),
      env: {
        KCZG_SMTP_URL: (smtp as OutboxSmtpServer).url,
        KCZG_MAIL_FROM: MAIL_FROM,
        KCZG_METRICS_ADDRESS: metricsAddress,
        KCZG_LOG_LEVEL: 'debug',
        // The same payload keys as the commands below (process.env), if the run has any.
        ...(process.env.KCZG_CODEC_KEYS ? { KCZG_CODEC_KEYS: process.env.KCZG_CODEC_KEYS } : {}),
        ...(process.env.KCZG_CODEC_KEY_ID ? { KCZG_CODEC_KEY_ID: process.env.KCZG_CODEC_KEY_ID } : {}),
      },
      logFile: path.join(root, 'logs', 'worker.log'),
      connection: connection as Connection,
    });
    processes.push(worker);
    const kczg = (args: string[]) => cli.run(['--address', address, ...args]);

    // Two transient refusals (retried), then one permanent (the unit's notice fails for good).
    (smtp as OutboxSmtpServer).setFaults({
      rejectNext: [
        { code: 451, message: 'try later' },
        { code: 451, message: 'try later' },
        { code: 550, message: 'mailbox unavailable' },
      ],
    });
    const programme = structuredClone(loadProgramme('national-2023'));
    programme.id = PROGRAMME;
    const programmeFile = file(`${PROGRAMME}.json`, programme);
    expect(await kczg(startCycleArgs(PROGRAMME, programmeFile, '2023-11-16T08:59:30+08:00'))).toMatchObject({
      code: 0,
      json: { started: true },
    });

    // Accepted, its retry (same key, not counted again), a duplicate (refused), another accepted.
    const first = file('first.json', { name: '指标技术一', identity: 'TECH-M1', classified: false });
    const second = file('second.json', { name: '指标技术二', identity: 'TECH-M2', classified: false });
    const dossier = file('dossier.json', dossierFor(programme, 'pioneer-tech', 'electronics'));
    const nominate = (candidate: string, key: string) =>
      kczg([
        ...nominateArgs(PROGRAMME, 'cie', 'pioneer-tech/electronics', candidate, key),
        '--dossier',
        dossier,
      ]);
    expect(await nominate(first, 'm-1')).toMatchObject({ code: 0, json: { id: 'cie.1' } });
    expect(await nominate(first, 'm-1')).toMatchObject({ code: 0, json: { id: 'cie.1' } });
    expect(await nominate(first, 'm-3')).toMatchObject({ code: 2, json: { error: { code: 'DUPLICATE' } } });
    expect(await nominate(second, 'm-2')).toMatchObject({ code: 0, json: { id: 'cie.2' } });

    // 13 opening notices (12 sent, one refused for good), its failure report to the secretariat,
    // 13 reminders and the secretariat's digest at 09:00 programme time.
    const mail = { programme: PROGRAMME };
    const samples = await waitFor(
      'the notices, the failure report, the reminders and the digest to be counted',
      async () => {
        const now = await scrape(metricsAddress);
        const done =
          total(now, 'kczg_mail_sent', { ...mail, kind: 'notice' }) === 12 &&
          total(now, 'kczg_mail_sent', { ...mail, kind: 'reminder' }) === 13 &&
          total(now, 'kczg_mail_sent', { ...mail, kind: 'digest' }) === 1 &&
          total(now, 'kczg_mail_sent', { ...mail, kind: 'failure-report' }) === 1;
        return done ? now : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 1_000 },
    );

    const nominations = { programme: PROGRAMME, workflowType: 'unitWorkflow' };
    expect({
      accepted: total(samples, 'kczg_nominations_accepted', nominations),
      duplicate: total(samples, 'kczg_nominations_refused', { ...nominations, code: 'DUPLICATE' }),
      refused: total(samples, 'kczg_nominations_refused', nominations),
      collectionEntered: total(samples, 'kczg_cycle_stage_entered', {
        programme: PROGRAMME,
        stage: 'collection',
      }),
    }).toEqual({ accepted: 2, duplicate: 1, refused: 1, collectionEntered: 1 });

    const byKind = (kind: string) =>
      Object.fromEntries(
        ['due', 'sent', 'already_sent', 'retried', 'failed'].map((what) => [
          what,
          total(samples, `kczg_mail_${what}`, { ...mail, kind, activityType: 'sendNotice' }),
        ]),
      );
    expect(byKind('notice')).toEqual({ due: 13, sent: 12, already_sent: 0, retried: 2, failed: 1 });
    expect(byKind('reminder')).toEqual({ due: 13, sent: 13, already_sent: 0, retried: 0, failed: 0 });
    expect(total(samples, 'kczg_mail_retried', { ...mail, type: 'SMTP_TRANSIENT' })).toBe(2);
    expect(total(samples, 'kczg_mail_failed', { ...mail, type: 'SMTP_PERMANENT' })).toBe(1);

    // The SDK's runtime metrics come with them: the two retried sends failed their activity.
    expect(total(samples, 'temporal_activity_execution_failed', { activity_type: 'sendNotice' })).toBe(2);
    expect(
      total(samples, 'temporal_workflow_task_execution_latency_count', { workflow_type: 'unitWorkflow' }),
    ).toBeGreaterThan(0);

    // The worker's log lines name the cycle beside the workflow and the activity.
    const lines = fs
      .readFileSync(worker.logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const activityLine = lines.find((l) => l.activityType === 'sendNotice' && l.cycleId === CYCLE);
    expect(activityLine).toMatchObject({
      component: 'temporal',
      workflowId: expect.stringMatching(new RegExp(`^${CYCLE}:unit:`)),
      workflowType: 'unitWorkflow',
    });
    expect(activityLine).not.toHaveProperty('taskToken');
    expect(
      lines.find((l) => l.workflowType === 'cycleWorkflow' && l.msg === 'Workflow started'),
    ).toMatchObject({
      workflowId: CYCLE,
      cycleId: CYCLE,
    });
    expect(lines.find((l) => l.metricsAddress === metricsAddress)?.msg).toBe(
      `metrics at http://${metricsAddress}/metrics`,
    );
  });
});
