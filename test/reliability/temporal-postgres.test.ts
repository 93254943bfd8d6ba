/**
 * Issue 14: a real Temporal server (not the dev server) on PostgreSQL. The test starts a throwaway
 * PostgreSQL server, sets up the `temporal` and `temporal_visibility` databases with the schema
 * tool, starts the server (frontend, history, matching and worker in one process), and runs a small
 * national-2023 cycle through it with a real `kczg worker` process: a few nominations, then the
 * collection closes and the stage moves on. State is read through the typed client and the cycle
 * is found by its search attributes in the SQL visibility store. A second server on the same
 * databases (set up again: idempotent) still has the cycle. Everything it started is stopped, and
 * no process of it is left.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { KczgClient } from '../../client/api';
import { connectClient } from '../../client/connection';
import { codecFromEnv } from '../../codec/data-converter';
import { beijingToEpochMs } from '../../domain/calendar';
import type { Candidate } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';
import { startPostgres, type PostgresServer } from '../../servers/postgres';
import { ensureTemporalServer } from '../../servers/provision-temporal-server';
import { startOutboxSmtpServer, type OutboxSmtpServer } from '../../servers/smtp-outbox';
import { startTemporalOnPostgres, type TemporalOnPostgres } from '../../servers/temporal-postgres';
import { stageKey } from '../../workflows/search-attributes';
import { dossierFor } from '../support/candidates';
import { deliveriesByKey } from './support/outbox';
import { codecKeyEnv, MAIL_FROM, startWorkerProcess, waitFor, type LoggedProcess } from './support/processes';

/** national-2023's collection close. */
const CLOSES_AT = beijingToEpochMs('2023-11-30 24:00');
/** Programme time from the cycle's start to the close: room for the nominations. */
const LEAD_MS = 40_000;

const tech = (name: string): Candidate => ({ name, identity: `PG-${name}`, classified: false });

/** True while any process of the group led by `pid` is alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('kczg on a Temporal server backed by PostgreSQL (issue 14)', () => {
  let dir: string;
  let postgres: PostgresServer | undefined;
  let temporal: TemporalOnPostgres | undefined;
  let smtp: OutboxSmtpServer | undefined;
  let connection: Connection | undefined;
  let worker: LoggedProcess | undefined;
  let client: Client;
  let api: KczgClient;
  let outboxDir: string;
  let passed = false;
  const log = (line: string) => process.stderr.write(`[temporal-postgres] ${line}\n`);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-temporal-postgres-'));
    outboxDir = path.join(dir, 'outbox');
    // Built once into the cache (minutes on a cold Go cache), then reused.
    const binaries = await ensureTemporalServer(log);
    postgres = await startPostgres(log);
    temporal = await startTemporalOnPostgres({
      binaries,
      databaseUrl: postgres.url,
      dir: path.join(dir, 'temporal'),
      log,
    });
    smtp = await startOutboxSmtpServer({ outboxDir });
    const keys = codecKeyEnv();
    const connected = await connectClient({ address: temporal.address, codec: codecFromEnv(keys) });
    connection = connected.connection;
    client = connected.client;
    api = new KczgClient(connected.client);
    worker = await startWorkerProcess({
      name: 'kczg-worker',
      address: temporal.address,
      dataDir: path.join(dir, 'data'),
      env: { KCZG_SMTP_URL: smtp.url, KCZG_MAIL_FROM: MAIL_FROM, ...keys },
      logFile: path.join(dir, 'logs', 'worker.log'),
      connection,
    });
  }, 1_800_000);

  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await connection?.close();
    await temporal?.stop();
    await smtp?.close();
    await postgres?.stop();
    if (dir && passed) fs.rmSync(dir, { recursive: true, force: true });
    else if (dir) process.stderr.write(`[temporal-postgres] logs kept in ${dir}\n`);
  });

  it('runs nominations and the collection close through the server, finds the cycle by its search attributes, keeps it across a server restart on the same databases, and leaves no process behind', async () => {
    const programme = loadProgramme('national-2023');
    expect(beijingToEpochMs(programme.stages.collection.closes)).toBe(CLOSES_AT);
    const cycleId = 'kczg:national-2023';
    const started = await api.startCycle(programme, { startAt: CLOSES_AT - LEAD_MS });
    expect(started).toEqual({ cycleId, started: true });
    const { clockOffsetMs, stage } = await api.status(cycleId);
    expect(stage).toBe('collection');

    const nominated = [
      await api.nominate(cycleId, 'cie', {
        idempotencyKey: 'pg-cie-1',
        listId: 'pioneer-tech',
        fieldId: 'electronics',
        candidate: tech('存储芯片'),
        dossier: dossierFor('national-2023', 'pioneer-tech', 'electronics'),
      }),
      await api.nominate(cycleId, 'csae', {
        idempotencyKey: 'pg-csae-1',
        listId: 'pioneer-tech',
        fieldId: 'equipment',
        candidate: tech('线控底盘'),
        dossier: dossierFor('national-2023', 'pioneer-tech', 'equipment'),
      }),
    ];
    expect(nominated.map((n) => n.id)).toEqual(['cie.1', 'csae.1']);
    // The same request again is acknowledged with the same nomination, not a second one.
    const again = await api.nominate(cycleId, 'cie', {
      idempotencyKey: 'pg-cie-1',
      listId: 'pioneer-tech',
      fieldId: 'electronics',
      candidate: tech('存储芯片'),
      dossier: dossierFor('national-2023', 'pioneer-tech', 'electronics'),
    });
    expect(again.id).toBe('cie.1');
    expect(Date.now()).toBeLessThan(CLOSES_AT - clockOffsetMs);

    await waitFor(
      'the stage to become preliminary-review',
      async () => (await api.status(cycleId)).stage === 'preliminary-review',
      { timeoutMs: LEAD_MS + 60_000, intervalMs: 500 },
    );
    const cie = await api.unitState(cycleId, 'cie');
    expect(cie.nominations.map((n) => n.id)).toEqual(['cie.1']);
    expect(cie.open).toBe(false);
    expect((await api.unitState(cycleId, 'csae')).nominations.map((n) => n.id)).toEqual(['csae.1']);

    // The closing notice reached each unit once, through the worker's mail activity.
    const closedKeys = programme.roster.units.map((u) => `${cycleId}/unit/${u.id}/closed@${CLOSES_AT}`);
    await waitFor(
      'the closing notices',
      async () => Object.values(await deliveriesByKey(outboxDir, closedKeys)).every((n) => n >= 1),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(new Set(Object.values(await deliveriesByKey(outboxDir, closedKeys)))).toEqual(new Set([1]));

    // kczg's search attributes work on the SQL visibility store: the cycle is found by them.
    const found = await waitFor(
      'the cycle in visibility by programme and stage',
      async () => {
        const ids: string[] = [];
        for await (const execution of client.workflow.list({
          query: `KczgProgramme = 'national-2023' AND KczgYear = ${programme.year} AND KczgStage = 'preliminary-review'`,
        })) {
          ids.push(execution.workflowId);
        }
        return ids.length > 0 && ids;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(found).toEqual([cycleId]);

    // Stopped, nothing of the server or the worker is left.
    const first = temporal as TemporalOnPostgres;
    const workerPid = (worker as LoggedProcess).pid;
    await (worker as LoggedProcess).kill('SIGTERM');
    await first.stop();
    expect({ server: groupAlive(first.pid), worker: groupAlive(workerPid) }).toEqual({
      server: false,
      worker: false,
    });

    // The history lives in PostgreSQL: a new server on the same databases (set up again, which
    // changes nothing) still has the cycle, running, with its stage.
    temporal = await startTemporalOnPostgres({
      binaries: await ensureTemporalServer(log),
      databaseUrl: (postgres as PostgresServer).url,
      dir: path.join(dir, 'temporal'),
      port: Number(first.address.split(':')[1]),
      log,
    });
    const description = await client.workflow.getHandle(cycleId).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.typedSearchAttributes.get(stageKey)).toBe('preliminary-review');
    const second = temporal;
    await second.stop();
    expect(groupAlive(second.pid)).toBe(false);
    passed = true;
  }, 300_000);
});
