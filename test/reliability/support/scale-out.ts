/**
 * The scale-out drill of issue 14, for any stack (support/drill.ts) and number of workers: a
 * national-2023 cycle of 100 units, its year squeezed into minutes (support/programmes.ts): each
 * unit's T-1 reminder and the secretariat's digest two minutes before the close; review, final
 * review and publication due REVIEW_MINUTES after it.
 *
 * 2,000 nominations arrive through KczgClient, 32 at a time, each retried with its key until
 * acknowledged, once the opening notices are out. A worker is SIGKILLed after 500
 * acknowledgements and replaced; another (with one worker: the first one's successor) 2 s before
 * the close, its replacement starting 3 s after it; and the worker running the publication once it
 * has written a file. Then: every acknowledged nomination is held exactly once; every due notice
 * reached the outbox exactly once (by Message-ID), as the mail ledger has it, and nothing else
 * did; the published lists are read from storage through another worker's configuration; the
 * next year's cycle refuses a winner of this one from the winners registry; and (on the servers
 * stack) no worker left a file on its disk.
 *
 * No kill falls inside a burst of mail on purpose: a worker killed between its ledger claim and the
 * SMTP server's answer holds the claim for its 5-minute lease (the notice is late), one killed
 * between the answer and the ledger's mark sends it twice (README, "Mail, exactly once").
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { RejectionError } from '../../../client/api';
import { beijingToEpochMs } from '../../../domain/calendar';
import { noticeKey } from '../../../domain/mail-ids';
import type { Programme } from '../../../domain/programme';
import type { FinalWinnersEntry, Nomination } from '../../../workflows/messages';
import { useDrill, type Drill, type DrillStack } from './drill';
import {
  expectEachRowHeldOnce,
  expectEveryRowAcknowledged,
  heldNominations,
  importConcurrently,
  intakeRows,
  type IntakeResult,
} from './intake';
import { bareMessageIdOf, deliveriesByKey, deliveriesByMessageId } from './outbox';
import { sleep, waitFor, type LoggedProcess } from './processes';
import { bulkIntakeProgramme, minutesYear, minutesYearCloses } from './programmes';
import { reportEveryPart } from './review';
import { replaceDuringIntake, WorkerPool, type IntakeCrash } from './workers';

const ROWS = 2_000;
const KILL_AFTER_ACKS = 500;
/** A killed worker's replacement starts this long after the kill. */
const DOWN_MS = 3_000;
/** Programme time from the cycle's start to the close: the intake's budget. */
const LEAD_MS = 240_000;
/** The opening notices go out at the start; on a busy machine they take a minute. */
const OPENING_NOTICES_MS = 120_000;
const REVIEW_MINUTES = 2;
const RECOMMENDED_PER_PART = 2;
const CLOSES_AT = beijingToEpochMs(minutesYearCloses(2023));
const REVIEW_DUE_AT = CLOSES_AT + REVIEW_MINUTES * 60_000;
const KILL_BEFORE_CLOSE_MS = 2_000;
const RESTART_AFTER_CLOSE_MS = 3_000;
const PUBLISH_ACTIVITY = 'publish';

/**
 * The drill's stack on `stack` with `initialWorkers` workers started before the test (and every
 * worker stopped after it): register it inside the test file's describe.
 */
export function useScaleOutDrill(
  stack: DrillStack,
  initialWorkers: number,
): { drill: Drill; workers: WorkerPool } {
  const drill = useDrill(`scale-out-${stack}`, { stack });
  const workers = new WorkerPool(drill);
  beforeAll(async () => {
    for (let i = 0; i < initialWorkers; i++) await workers.start();
  }, 180_000);
  afterAll(() => workers.stop(), 60_000);
  return { drill, workers };
}

/** One run of the drill: its cycle, its clock, the nominations the units hold, its phases. */
export class ScaleOutRun {
  private readonly began = Date.now();
  private readonly phases: string[] = [];
  private held: Nomination[] = [];
  private publisher?: LoggedProcess;
  private atKill: IntakeCrash = { acknowledged: 0, inFlight: 0, killedAt: 0, restartedAt: 0 };
  private readonly next = minutesYear(bulkIntakeProgramme('scale-out-2024', 2), 2024, REVIEW_MINUTES);

  private constructor(
    private readonly drill: Drill,
    private readonly workers: WorkerPool,
    private readonly programme: Programme,
    private readonly cycleId: string,
    private readonly clockOffsetMs: number,
  ) {}

  static async start(drill: Drill, workers: WorkerPool): Promise<ScaleOutRun> {
    const programme = minutesYear(bulkIntakeProgramme('scale-out-2023'), 2023, REVIEW_MINUTES);
    const { cycleId } = await drill.api.startCycle(programme, { startAt: CLOSES_AT - LEAD_MS });
    const { clockOffsetMs } = await drill.api.status(cycleId);
    return new ScaleOutRun(drill, workers, programme, cycleId, clockOffsetMs);
  }

  private log(line: string): void {
    process.stderr.write(`[scale-out ${this.drill.stack}] ${line}\n`);
  }

  private phase(name: string): void {
    this.phases.push(`${name} +${((Date.now() - this.began) / 1000).toFixed(0)}s`);
    this.log(this.phases[this.phases.length - 1]);
  }

  private realTime(programmeTime: number): number {
    return programmeTime - this.clockOffsetMs;
  }

  private unitKeys(mailId: string, cycleId = this.cycleId, programme = this.programme): string[] {
    return programme.roster.units.map((u) => noticeKey(cycleId, { kind: 'unit', id: u.id }, mailId));
  }

  private secretariatKey(mailId: string): string {
    return noticeKey(this.cycleId, { kind: 'secretariat' }, mailId);
  }

  private delivered(what: string, keys: string[], timeoutMs: number): Promise<true> {
    return waitFor(
      what,
      async () => Object.values(await deliveriesByKey(this.drill.outboxDir, keys)).every((n) => n >= 1),
      { timeoutMs, intervalMs: 500 },
    );
  }

  /**
   * The intake, once the opening notices are out (no kill lands in their burst, and nominations
   * would hold them up); a worker is SIGKILLed after 500 acknowledgements and replaced.
   */
  async intakeWithKill(): Promise<IntakeResult> {
    await this.delivered('the opening notices', this.unitKeys('opened'), OPENING_NOTICES_MS);
    this.phase('opened');
    const crash = replaceDuringIntake(this.workers, KILL_AFTER_ACKS, DOWN_MS);
    const intake = await importConcurrently({
      api: this.drill.api,
      cycleId: this.cycleId,
      rows: intakeRows(this.programme, ROWS),
      budgetMs: this.realTime(CLOSES_AT) - Date.now() - 10_000,
      log: (line) => this.log(line),
      onAcknowledged: crash.onAcknowledged,
    });
    this.atKill = await crash.replaced();
    this.phase('intake');
    expectEveryRowAcknowledged(intake.outcomes);
    expect(this.workers.killed).toHaveLength(1);
    expect(this.atKill.acknowledged).toBeLessThan(ROWS / 2);
    const units = this.programme.roster.units.map((u) => u.id);
    this.held = await heldNominations(this.drill.api, this.cycleId, units);
    expectEachRowHeldOnce(intake.outcomes, this.held);
    return intake;
  }

  /** After the T-1 reminders and digest, a worker dies 2 s before the close; another starts 3 s after it. */
  async closeWithKill(): Promise<void> {
    const closesAt = this.realTime(CLOSES_AT);
    await this.delivered(
      'the T-1 reminders and digest',
      [...this.unitKeys('collection:T-1'), this.secretariatKey('collection:digest-T-1')],
      closesAt - Date.now(),
    );
    const killAt = closesAt - KILL_BEFORE_CLOSE_MS;
    if (Date.now() > killAt - 1_000)
      throw new Error(`too slow: ${killAt - Date.now()} ms left before the close`);
    await sleep(killAt - Date.now());
    await this.workers.kill(this.workers.alive[0]);
    await sleep(closesAt + RESTART_AFTER_CLOSE_MS - Date.now());
    await this.workers.start();
    this.phase('close');
  }

  /** Every body reports and the final results go in, before the review's deadline (else the escalation would go). */
  async review(): Promise<FinalWinnersEntry[]> {
    const { api } = this.drill;
    await waitFor(
      'the hand-over to review',
      async () => (await api.status(this.cycleId)).parts.some((p) => p.nominations > 0),
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const winners = await reportEveryPart(api, this.cycleId, RECOMMENDED_PER_PART);
    await waitFor('the final review', async () => (await api.status(this.cycleId)).stage === 'final-review', {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    await api.finalComplete(this.cycleId, { winners });
    this.phase('reviewed');
    const { escalated } = await api.status(this.cycleId);
    expect({ late: Date.now() > this.realTime(REVIEW_DUE_AT), escalated }).toEqual({
      late: false,
      escalated: [],
    });
    return winners;
  }

  /**
   * The worker running the publication is SIGKILLed once it has written a file; the lists are then
   * read from storage through the configuration of a worker that did not publish.
   */
  async publicationWithKill(winners: FinalWinnersEntry[]): Promise<void> {
    const prefix = `published/${this.programme.id}/`;
    let missed: string | undefined;
    const publisher = await waitFor(
      'the publication to write its first file',
      async () => {
        const running = await this.runningActivity(PUBLISH_ACTIVITY);
        if (!running) {
          if ((await this.drill.api.status(this.cycleId)).published) missed = 'it finished before the kill';
          return false;
        }
        const written = await this.drill.readFilesOf(this.workers.alive[0].name, (files) =>
          files.list(prefix),
        );
        return written.length > 0 && this.workers.byIdentity(running.lastWorkerIdentity ?? '');
      },
      { timeoutMs: REVIEW_MINUTES * 60_000 + 120_000, intervalMs: 100, abortIf: () => missed },
    );
    await this.workers.kill(publisher);
    this.publisher = publisher;
    const replacement = await this.workers.start();
    await waitFor(
      'the publication',
      async () => (await this.drill.api.status(this.cycleId)).stage === 'promotion',
      {
        timeoutMs: 180_000,
        intervalMs: 500,
      },
    );
    await this.delivered('the publication notices', this.unitKeys('published'), 120_000);
    this.phase('published');

    const reader = this.workers.alive.find((w) => w !== replacement) ?? replacement;
    const { keys, json } = await this.drill.readFilesOf(reader.name, async (files) => ({
      keys: await files.list(prefix),
      json: (await files.get(`${prefix}pioneer-tech.json`))?.toString('utf8'),
    }));
    expect(keys).toEqual(['csv', 'html', 'json', 'pdf', 'xlsx'].map((ext) => `${prefix}pioneer-tech.${ext}`));
    const rows =
      (JSON.parse(json ?? '{}') as { rows?: Array<{ 推荐编号: string; 名称: string }> }).rows ?? [];
    const byId = new Map(this.held.map((n) => [n.id, n]));
    const winnerIds = winners.flatMap((w) => w.nominationIds);
    expect(rows.map((r) => [r.推荐编号, r.名称]).sort()).toEqual(
      winnerIds.map((id) => [id, byId.get(id)?.candidate.name]).sort(),
    );
  }

  /** The cycle's pending activity of `type`, while a worker runs it. */
  private async runningActivity(type: string) {
    const { raw } = await this.drill.api.cycle(this.cycleId).describe();
    return raw.pendingActivities?.find(
      (a) =>
        a.activityType?.name === type &&
        a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
    );
  }

  /** The next year's cycle refuses a winner of this year; a candidate who did not win is accepted. */
  async nextYear(winners: FinalWinnersEntry[]): Promise<string> {
    const { api } = this.drill;
    const { next } = this;
    const { cycleId } = await api.startCycle(next, {
      startAt: beijingToEpochMs(minutesYearCloses(next.year)) - 30 * 60_000,
    });
    const winnerIds = new Set(winners.flatMap((w) => w.nominationIds));
    const winner = this.held.find((n) => winnerIds.has(n.id)) as Nomination;
    const other = this.held.find((n) => !winnerIds.has(n.id) && n.fieldId === winner.fieldId) as Nomination;
    const nominate = (n: Nomination, key: string) =>
      api.nominate(cycleId, next.roster.units[0].id, {
        idempotencyKey: `${next.id}/${key}`,
        listId: n.listId,
        fieldId: n.fieldId,
        candidate: n.candidate,
        dossier: n.dossier,
      });
    const refusal = await nominate(winner, 'prior-winner').then(
      () => undefined,
      (error: unknown) => (error instanceof RejectionError ? error.rejection : Promise.reject(error)),
    );
    expect(refusal).toMatchObject({ code: 'NOT_ELIGIBLE', rule: 'notPriorWinner' });
    expect((await nominate(other, 'not-a-winner')).candidate.identity).toBe(other.candidate.identity);
    await this.delivered('the next cycle’s opening notices', this.unitKeys('opened', cycleId, next), 60_000);
    this.phase('next year');
    return cycleId;
  }

  /** The business keys of every notice the drill's cycles owe by the end, and nothing else. */
  private dueNotices(nextCycle: string): string[] {
    return [
      ...['opened', 'collection:T-1', `closed@${CLOSES_AT}`, 'published'].flatMap((id) => this.unitKeys(id)),
      this.secretariatKey('collection:digest-T-1'),
      // Due at 23:59 the day before, so before review began: sent once when the stage starts.
      this.secretariatKey('preliminary-review:digest-T-1'),
      ...this.unitKeys('opened', nextCycle, this.next),
    ];
  }

  /**
   * Once the workers stopped: the mail ledger (read through a worker's configuration) holds each due
   * notice as sent, with its Message-ID, and nothing else; the outbox holds each of those
   * Message-IDs exactly once, and nothing else. On the servers stack no worker left a file.
   */
  async expectMailOnce(nextCycle: string): Promise<void> {
    await sleep(3_000);
    const stopped = this.workers.alive.map((w) => w.name);
    await this.workers.stop();
    const due = this.dueNotices(nextCycle);
    const storage = await this.drill.openStorageOf(stopped[0]);
    let ledger: Array<{ business_key: string; message_id: string; state: string }>;
    let failures: Array<{ business_key: string }>;
    try {
      ledger = await storage.records.db
        .selectFrom('mail_ledger')
        .select(['business_key', 'message_id', 'state'])
        .execute();
      failures = await storage.records.db.selectFrom('mail_failures').select('business_key').execute();
    } finally {
      await storage.close();
    }
    expect(failures).toEqual([]);
    expect(ledger.map((e) => e.business_key).sort()).toEqual([...due].sort());
    const notSent = ledger.filter(
      (e) => e.state !== 'sent' || e.message_id !== `<${bareMessageIdOf(e.business_key)}>`,
    );
    expect(notSent).toEqual([]);

    const received = await deliveriesByMessageId(this.drill.outboxDir);
    const keyOf = new Map(due.map((key) => [bareMessageIdOf(key), key]));
    const counts = [...received].map(([id, n]) => ({ key: keyOf.get(id) ?? `(unexpected) ${id}`, n }));
    expect({
      duplicated: counts.filter((c) => c.n > 1),
      unexpected: counts.filter((c) => c.key.startsWith('(unexpected)')),
      missing: due.filter((key) => !received.has(bareMessageIdOf(key))),
    }).toEqual({ duplicated: [], unexpected: [], missing: [] });

    if (this.drill.stack === 'servers') {
      const names = [...this.workers.killed.map((w) => w.name), ...stopped];
      expect(
        names.flatMap((name) => filesUnder(this.drill.dataDirOf(name)).map((f) => `${name}/${f}`)),
      ).toEqual([]);
    }
    this.phase('checked');
  }

  report(intake: IntakeResult): void {
    const retried = intake.outcomes.filter((o) => o.attempts > 1).length;
    this.log(
      `${ROWS} rows in ${(intake.importMs / 1000).toFixed(1)} s (SIGKILL after ${this.atKill.acknowledged} acks with ` +
        `${this.atKill.inFlight} in flight; ${retried} rows retried; errors ${JSON.stringify([...intake.errorKinds])}); ` +
        `publication worker ${this.publisher?.name} killed; phases: ${this.phases.join(', ')}`,
    );
  }
}

/** Files under `dir`, relative (none when it does not exist). */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}
