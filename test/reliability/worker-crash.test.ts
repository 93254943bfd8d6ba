/**
 * Issue 7, item 1: a worker killed with SIGKILL in the middle of a bulk import loses nothing and
 * duplicates nothing. Real processes throughout: the Temporal CLI dev server and `kczg worker` run
 * as child processes, the loopback SMTP outbox in this process. 2,000 nominations go in through
 * KczgClient.nominate, 32 at a time, each row with its own deterministic idempotency key. After
 * 500 acknowledgements the worker is killed (SIGKILL to its process group); every request then
 * hangs or times out (5 s per attempt, as an HTTP gateway or a CLI would give up) and the client
 * retries the row with the same key until it is acknowledged; a new worker starts. At the end every
 * unit's state is queried: each row's key is held by exactly one nomination, the one acknowledged,
 * and no other nomination exists.
 */
import { RejectionError } from '../../client/api';
import { beijingToEpochMs } from '../../domain/calendar';
import type { Candidate, Programme, Unit } from '../../domain/programme';
import type { Rejection } from '../../domain/rejections';
import { loadProgramme, validateProgramme } from '../../programmes/loader';
import type { Nomination } from '../../workflows/messages';
import { dossierFor } from '../support/candidates';
import { useDrill } from './support/drill';
import { sleep, type LoggedProcess } from './support/processes';

const UNITS = 100;
const ROWS = 2_000;
const CONCURRENCY = 32;
const KILL_AFTER_ACKS = 500;
/** How long one attempt may take before the client gives up on it and retries the row. */
const ATTEMPT_TIMEOUT_MS = 5_000;
/** The worker stays dead this long before the new one is started. */
const DOWN_MS = 3_000;
/**
 * No row may still be unacknowledged this long after the import began. A quiet 2-core machine
 * takes 90–140 s; a row left with 0 attempts in the failure means the budget ran out (too slow),
 * not that a row was lost.
 */
const IMPORT_BUDGET_MS = 180_000;

interface Row {
  index: number;
  unitId: string;
  fieldId: string;
  key: string;
  candidate: Candidate;
}

interface RowOutcome {
  row: Row;
  attempts: number;
  firstAttemptAt?: number;
  acknowledgedAt?: number;
  acknowledged?: Nomination;
  rejection?: Rejection;
  lastError?: string;
}

/** An error and its causes, with gRPC codes: what a failed attempt ran into. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  for (
    let e = error as (Error & { code?: unknown; cause?: unknown }) | undefined;
    e;
    e = e.cause as typeof e
  ) {
    parts.push(`${e.name}${typeof e.code === 'number' ? ` (gRPC ${e.code})` : ''}: ${e.message}`);
    if (parts.length > 3) break;
  }
  return parts.join(' <- ');
}

/** national-2023 under a new id, with 100 units and room for 5 per field of pioneer-tech. */
function crashTestProgramme(): Programme {
  const base = loadProgramme('national-2023');
  const units: Unit[] = Array.from({ length: UNITS }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return {
      id: `unit-${n}`,
      name: `可靠性测试单位${n}`,
      channels: ['national-society'],
      email: `unit-${n}@units.example.org`,
      contact: `联系人${n}`,
    };
  });
  return validateProgramme(
    {
      ...base,
      id: 'crash-test-2023',
      lists: base.lists.map((list) =>
        list.id === 'pioneer-tech' && list.quota ? { ...list, quota: { ...list.quota, default: 5 } } : list,
      ),
      roster: { sample: true, units },
    },
    'crash-test-2023',
  );
}

/** 20 rows per unit over pioneer-tech's six fields (at most 4 per field: within the quota of 5). */
function importRows(programme: Programme): Row[] {
  const fields = programme.lists.find((l) => l.id === 'pioneer-tech')?.fields?.map((f) => f.id) ?? [];
  expect(fields).toHaveLength(6);
  return Array.from({ length: ROWS }, (_, index) => {
    const unitId = programme.roster.units[index % UNITS].id;
    const round = Math.floor(index / UNITS);
    return {
      index,
      unitId,
      fieldId: fields[round % fields.length],
      // Deterministic: the same row always carries the same key, on every attempt.
      key: `crash-test-2023/row-${index}`,
      // The category satisfies industrial-foundation's categoryIn rule; the other fields ignore it.
      candidate: {
        name: `可靠性技术${index}`,
        identity: `CRASH-TECH-${index}`,
        classified: false,
        category: '基础材料',
      },
    };
  });
}

describe('a worker killed with SIGKILL during a bulk import (issue 7, item 1)', () => {
  const drill = useDrill('worker-crash');
  const workers: LoggedProcess[] = [];
  const startWorker = async () => {
    workers.push(await drill.startWorker(`kczg-worker-${workers.length + 1}`));
  };

  beforeAll(startWorker, 120_000);

  it('keeps every acknowledged nomination exactly once, and nothing else, when the worker is SIGKILLed after 500 of 2,000 acknowledgements and the client retries each row with its key', async () => {
    const { api } = drill;
    const programme = crashTestProgramme();
    const { cycleId } = await api.startCycle(programme, { startAt: beijingToEpochMs('2023-11-01 09:00') });
    expect((await api.status(cycleId)).stage).toBe('collection');

    const rows = importRows(programme);
    const outcomes: RowOutcome[] = rows.map((row) => ({ row, attempts: 0 }));
    let acknowledged = 0;
    let inFlight = 0;
    let crash: Promise<void> | undefined;
    let crashError: unknown;
    const atKill = { acknowledged: 0, inFlight: 0, killedAt: 0, restartedAt: 0 };
    const importStarted = Date.now();
    const errorKinds = new Map<string, number>();

    const killAndRestart = async () => {
      const [first] = workers;
      atKill.acknowledged = acknowledged;
      atKill.inFlight = inFlight;
      atKill.killedAt = Date.now();
      const status = await first.kill('SIGKILL');
      expect(status.signal).toBe('SIGKILL');
      await sleep(DOWN_MS);
      await startWorker();
      atKill.restartedAt = Date.now();
    };

    const importRow = async (outcome: RowOutcome) => {
      const { row } = outcome;
      while (Date.now() - importStarted < IMPORT_BUDGET_MS) {
        outcome.attempts++;
        outcome.firstAttemptAt ??= Date.now();
        inFlight++;
        try {
          const nomination = await api.client.withAbortSignal(AbortSignal.timeout(ATTEMPT_TIMEOUT_MS), () =>
            api.nominate(cycleId, row.unitId, {
              idempotencyKey: row.key,
              listId: 'pioneer-tech',
              fieldId: row.fieldId,
              candidate: row.candidate,
              dossier: dossierFor(programme, 'pioneer-tech', row.fieldId),
            }),
          );
          outcome.acknowledged = nomination;
          outcome.acknowledgedAt = Date.now();
          acknowledged++;
          if (acknowledged >= KILL_AFTER_ACKS && !crash) {
            crash = killAndRestart().catch((error: unknown) => {
              crashError = error;
            });
          }
          return;
        } catch (error) {
          // A refusal is the service's answer: the row is done, and the test fails below.
          if (error instanceof RejectionError) {
            outcome.rejection = error.rejection;
            return;
          }
          outcome.lastError = describeError(error);
          const kind = outcome.lastError.slice(0, 160);
          errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
          await sleep(200);
        } finally {
          inFlight--;
        }
      }
    };

    const progress = setInterval(() => {
      process.stderr.write(
        `[worker-crash] +${((Date.now() - importStarted) / 1000).toFixed(0)}s acks ${acknowledged} inFlight ${inFlight} errors ${JSON.stringify([...errorKinds])}\n`,
      );
    }, 15_000);
    let next = 0;
    try {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < outcomes.length) await importRow(outcomes[next++]);
        }),
      );
    } finally {
      clearInterval(progress);
    }
    await crash;
    if (crashError) throw crashError;
    const importMs = Date.now() - importStarted;

    // Every row acknowledged; none refused (each row is valid and within its unit's quota).
    const refused = outcomes
      .filter((o) => o.rejection)
      .map((o) => ({
        key: o.row.key,
        attempts: o.attempts,
        code: o.rejection?.code,
        message: o.rejection?.message,
      }));
    expect({ refused: refused.length, first: refused.slice(0, 5) }).toEqual({ refused: 0, first: [] });
    const unanswered = outcomes
      .filter((o) => !o.acknowledged && !o.rejection)
      .map((o) => ({ key: o.row.key, attempts: o.attempts, lastError: o.lastError }));
    expect({ unanswered: unanswered.length, first: unanswered.slice(0, 5) }).toEqual({
      unanswered: 0,
      first: [],
    });

    // The crash happened mid-import, and it cost the client retries.
    expect(workers).toHaveLength(2);
    expect(workers[0].exitStatus?.signal).toBe('SIGKILL');
    expect(workers[1].running()).toBe(true);
    expect(atKill.acknowledged).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(atKill.acknowledged).toBeLessThan(ROWS / 2);
    const retried = outcomes.filter((o) => o.attempts > 1);
    // Rows sent before the kill and acknowledged only by the new worker: their fate was open when
    // the worker died, and the client's retries with the same key carried them across.
    const spanned = outcomes.filter(
      (o) =>
        (o.firstAttemptAt ?? Infinity) <= atKill.killedAt && (o.acknowledgedAt ?? 0) >= atKill.restartedAt,
    );
    expect(spanned.length).toBeGreaterThan(0);

    // What the units hold: every unit's state, read back from its workflow.
    const stored: Nomination[] = [];
    let cursor = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (cursor < programme.roster.units.length) {
          const unit = programme.roster.units[cursor++];
          stored.push(...(await api.unitState(cycleId, unit.id)).nominations);
        }
      }),
    );
    const byKey = new Map<string, Nomination[]>();
    for (const n of stored) byKey.set(n.idempotencyKey, [...(byKey.get(n.idempotencyKey) ?? []), n]);

    const notExactlyOnce = outcomes
      .map((o) => ({ key: o.row.key, held: byKey.get(o.row.key)?.length ?? 0 }))
      .filter((r) => r.held !== 1);
    expect({ notExactlyOnce: notExactlyOnce.length, first: notExactlyOnce.slice(0, 5) }).toEqual({
      notExactlyOnce: 0,
      first: [],
    });
    const rowKeys = new Set(rows.map((r) => r.key));
    const strays = stored
      .filter((n) => !rowKeys.has(n.idempotencyKey))
      .map((n) => `${n.id} ${n.idempotencyKey}`);
    expect({ strays: strays.length, first: strays.slice(0, 5) }).toEqual({ strays: 0, first: [] });
    expect(stored).toHaveLength(ROWS);
    expect(new Set(stored.map((n) => n.id)).size).toBe(ROWS);

    // The nomination each row holds is the one its acknowledgement named, with the row's content.
    const mismatched = outcomes
      .map((o) => ({ o, held: byKey.get(o.row.key)?.[0] }))
      .filter(
        ({ o, held }) =>
          !held ||
          held.id !== o.acknowledged?.id ||
          held.unitId !== o.row.unitId ||
          held.fieldId !== o.row.fieldId ||
          held.candidate.identity !== o.row.candidate.identity,
      )
      .map(({ o, held }) => ({ key: o.row.key, acknowledged: o.acknowledged?.id, held: held?.id }));
    expect({ mismatched: mismatched.length, first: mismatched.slice(0, 5) }).toEqual({
      mismatched: 0,
      first: [],
    });

    process.stderr.write(
      `[worker-crash] ${ROWS} rows in ${(importMs / 1000).toFixed(1)} s; SIGKILL after ${atKill.acknowledged} acks ` +
        `with ${atKill.inFlight} in flight; new worker polling ${((atKill.restartedAt - atKill.killedAt) / 1000).toFixed(1)} s ` +
        `after the kill; ${spanned.length} rows in flight across the kill; ${retried.length} rows retried (max ${Math.max(...outcomes.map((o) => o.attempts))} attempts); ` +
        `${stored.length} nominations held, each key once\n`,
    );
    drill.passed();
  }, 230_000);
});
