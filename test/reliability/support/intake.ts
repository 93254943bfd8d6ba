/**
 * A bulk intake as a real client runs it: rows go in through KczgClient.nominate, a fixed number at
 * a time, each row with its own deterministic idempotency key. An attempt that does not answer
 * within a few seconds (as an HTTP gateway or a CLI would give up) or fails on the way is retried
 * with the same key until the row is acknowledged or refused. Then every unit's state is read back
 * and each row checked to be held exactly once, by the nomination its acknowledgement named.
 */
import { RejectionError, type KczgClient } from '../../../client/api';
import type { Dossier } from '../../../domain/dossier';
import type { Candidate, Programme } from '../../../domain/programme';
import type { Rejection } from '../../../domain/rejections';
import type { Nomination } from '../../../workflows/messages';
import { dossierFor } from '../../support/candidates';
import { sleep } from './processes';

export interface IntakeRow {
  index: number;
  unitId: string;
  fieldId: string;
  key: string;
  candidate: Candidate;
  dossier: Dossier;
}

export interface RowOutcome {
  row: IntakeRow;
  attempts: number;
  firstAttemptAt?: number;
  acknowledgedAt?: number;
  acknowledged?: Nomination;
  rejection?: Rejection;
  lastError?: string;
}

export interface IntakeOptions {
  api: KczgClient;
  cycleId: string;
  rows: IntakeRow[];
  /** Requests in flight at once. */
  concurrency?: number;
  /** How long one attempt may take before the client gives up on it and retries the row. */
  attemptTimeoutMs?: number;
  /** No row may still be unanswered this long after the intake began. */
  budgetMs: number;
  /** Told after each acknowledgement, with the counts then (a drill kills a worker from here). */
  onAcknowledged?: (acknowledged: number, inFlight: number) => void;
  /** Progress lines every 15 s. */
  log: (line: string) => void;
}

export interface IntakeResult {
  outcomes: RowOutcome[];
  importMs: number;
  /** What failed attempts ran into, by kind, with counts. */
  errorKinds: Map<string, number>;
}

/** An error and its causes, with gRPC codes: what a failed attempt ran into. */
export function describeError(error: unknown): string {
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

/**
 * `count` rows spread over the units, 20 a unit for 100 units, over pioneer-tech's six fields
 * (at most 4 per field: within a quota of 5). Keys and candidates derive from the row's index and
 * `prefix`, so a retried row always carries the same key.
 */
export function intakeRows(programme: Programme, count: number, prefix = programme.id): IntakeRow[] {
  const fields = programme.lists.find((l) => l.id === 'pioneer-tech')?.fields?.map((f) => f.id) ?? [];
  if (fields.length !== 6) throw new Error(`pioneer-tech has ${fields.length} fields, the rows expect 6`);
  const units = programme.roster.units;
  return Array.from({ length: count }, (_, index) => {
    const fieldId = fields[Math.floor(index / units.length) % fields.length];
    return {
      index,
      unitId: units[index % units.length].id,
      fieldId,
      key: `${prefix}/row-${index}`,
      // The category satisfies industrial-foundation's categoryIn rule; the other fields ignore it.
      candidate: {
        name: `可靠性技术${index}`,
        identity: `CRASH-TECH-${index}`,
        classified: false,
        category: '基础材料',
      },
      dossier: dossierFor(programme, 'pioneer-tech', fieldId),
    };
  });
}

/** Runs the intake to the end (every row acknowledged, refused, or out of budget). */
export async function importConcurrently(options: IntakeOptions): Promise<IntakeResult> {
  const { api, cycleId } = options;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 5_000;
  const outcomes: RowOutcome[] = options.rows.map((row) => ({ row, attempts: 0 }));
  const errorKinds = new Map<string, number>();
  const started = Date.now();
  let acknowledged = 0;
  let inFlight = 0;

  const importRow = async (outcome: RowOutcome) => {
    const { row } = outcome;
    while (Date.now() - started < options.budgetMs) {
      outcome.attempts++;
      outcome.firstAttemptAt ??= Date.now();
      inFlight++;
      try {
        outcome.acknowledged = await api.client.withAbortSignal(AbortSignal.timeout(attemptTimeoutMs), () =>
          api.nominate(cycleId, row.unitId, {
            idempotencyKey: row.key,
            listId: 'pioneer-tech',
            fieldId: row.fieldId,
            candidate: row.candidate,
            dossier: row.dossier,
          }),
        );
        outcome.acknowledgedAt = Date.now();
        acknowledged++;
        options.onAcknowledged?.(acknowledged, inFlight);
        return;
      } catch (error) {
        // A refusal is the service's answer: the row is done (and the caller's checks fail).
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
    options.log(
      `+${((Date.now() - started) / 1000).toFixed(0)}s acks ${acknowledged} inFlight ${inFlight} errors ${JSON.stringify([...errorKinds])}`,
    );
  }, 15_000);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: options.concurrency ?? 32 }, async () => {
        while (next < outcomes.length) await importRow(outcomes[next++]);
      }),
    );
  } finally {
    clearInterval(progress);
  }
  return { outcomes, importMs: Date.now() - started, errorKinds };
}

/** Every row acknowledged, none refused (each row is valid and within its unit's quota). */
export function expectEveryRowAcknowledged(outcomes: RowOutcome[]): void {
  const refused = outcomes
    .filter((o) => o.rejection)
    .map((o) => ({
      key: o.row.key,
      attempts: o.attempts,
      code: o.rejection?.code,
      message: o.rejection?.message,
    }));
  expect({ refused: refused.length, first: refused.slice(0, 5) }).toEqual({ refused: 0, first: [] });
  // A row left with 0 attempts means the budget ran out (too slow), not that a row was lost.
  const unanswered = outcomes
    .filter((o) => !o.acknowledged && !o.rejection)
    .map((o) => ({ key: o.row.key, attempts: o.attempts, lastError: o.lastError }));
  expect({ unanswered: unanswered.length, first: unanswered.slice(0, 5) }).toEqual({
    unanswered: 0,
    first: [],
  });
}

/** Every nomination the units hold, read back from each unit's workflow. */
export async function heldNominations(
  api: KczgClient,
  cycleId: string,
  unitIds: string[],
): Promise<Nomination[]> {
  const held: Nomination[] = [];
  let cursor = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (cursor < unitIds.length)
        held.push(...(await api.unitState(cycleId, unitIds[cursor++])).nominations);
    }),
  );
  return held;
}

/**
 * Each row's key is held by exactly one nomination, the one its acknowledgement named, with the
 * row's unit, field and candidate; nothing else is held and no id is held twice.
 */
export function expectEachRowHeldOnce(outcomes: RowOutcome[], held: Nomination[]): void {
  const byKey = new Map<string, Nomination[]>();
  for (const n of held) byKey.set(n.idempotencyKey, [...(byKey.get(n.idempotencyKey) ?? []), n]);
  const notExactlyOnce = outcomes
    .map((o) => ({ key: o.row.key, held: byKey.get(o.row.key)?.length ?? 0 }))
    .filter((r) => r.held !== 1);
  expect({ notExactlyOnce: notExactlyOnce.length, first: notExactlyOnce.slice(0, 5) }).toEqual({
    notExactlyOnce: 0,
    first: [],
  });
  const rowKeys = new Set(outcomes.map((o) => o.row.key));
  const strays = held.filter((n) => !rowKeys.has(n.idempotencyKey)).map((n) => `${n.id} ${n.idempotencyKey}`);
  expect({ strays: strays.length, first: strays.slice(0, 5) }).toEqual({ strays: 0, first: [] });
  expect(held).toHaveLength(outcomes.length);
  expect(new Set(held.map((n) => n.id)).size).toBe(outcomes.length);

  const mismatched = outcomes
    .map((o) => ({ o, n: byKey.get(o.row.key)?.[0] }))
    .filter(
      ({ o, n }) =>
        !n ||
        n.id !== o.acknowledged?.id ||
        n.unitId !== o.row.unitId ||
        n.fieldId !== o.row.fieldId ||
        n.candidate.identity !== o.row.candidate.identity,
    )
    .map(({ o, n }) => ({ key: o.row.key, acknowledged: o.acknowledged?.id, held: n?.id }));
  expect({ mismatched: mismatched.length, first: mismatched.slice(0, 5) }).toEqual({
    mismatched: 0,
    first: [],
  });
}
