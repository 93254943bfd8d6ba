/**
 * Internal signals confirmed with their sender. Temporal does not say who sent a signal: anyone
 * who can call the server (`temporal workflow signal`) can send one. So, in a cycle with a
 * credential key, a workflow never acts on what an internal signal says. It asks the sender, by
 * an activity that queries the sending workflow (fixed ids, nothing secret), whether it sent that
 * signal, and then applies the sender's own current view, never the signal's payload:
 *
 * - the cycle keeps a log of what it told its entities (collectionDeadline, reviewDeadline,
 *   mailHolds, cycleFinished); a unit or review body confirms against it (`issuedTo`) and applies
 *   the latest entry addressed to it (`truthFor`), so even a replayed genuine signal changes
 *   nothing;
 * - the cycle confirms a partReported with the review body's own state, and a mailFailed with
 *   the record the mail activity wrote on the worker.
 *
 * A signal not confirmed changes nothing, is counted (status) and logged. Pure and deterministic:
 * used by the workflows and by the confirming activities.
 */

/** What the cycle told its entities, in order; an entry's revision is its position from 1. */
export interface IssuedSignals {
  /** collectionDeadline: to one unit (`unitId`), or to every unit (`extensions` per unit). */
  collection: Array<{
    closesAt: number;
    paused: boolean;
    unitId?: string;
    extensions?: Record<string, number>;
  }>;
  /** reviewDeadline: to some bodies, or all; `handover` marks where review bodies began. */
  review: Array<{ dueAt: number; bodies?: string[] } | { handover: true }>;
  /** mailHolds: to every unit and review body. */
  holds: string[][];
  /** cycleFinished was sent. */
  finished: boolean;
}

export function emptyIssuedSignals(): IssuedSignals {
  return { collection: [], review: [], holds: [], finished: false };
}

export type EntityReceiver = { kind: 'unit'; id: string } | { kind: 'body'; id: string };

export type EntityClaim =
  | { signal: 'collectionDeadline'; closesAt: number; paused: boolean }
  | { signal: 'reviewDeadline'; dueAt: number }
  | { signal: 'mailHolds'; held: string[] }
  | { signal: 'cycleFinished' };

/** The latest of what the cycle told this entity, per signal; revisions only grow. */
export interface EntityTruth {
  collection?: { revision: number; closesAt: number; paused: boolean };
  review?: { revision: number; dueAt: number };
  holds?: { revision: number; held: string[] };
  finished: boolean;
}

export interface EntityConfirmation {
  confirmed: boolean[];
  truth: EntityTruth;
}

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((x) => set.has(x));
};

/** The collectionDeadline payload an entry sent to `unitId`, if it went to that unit. */
function collectionFor(entry: IssuedSignals['collection'][number], unitId: string) {
  if (entry.unitId !== undefined && entry.unitId !== unitId) return undefined;
  const closesAt =
    entry.unitId === undefined ? Math.max(entry.closesAt, entry.extensions?.[unitId] ?? 0) : entry.closesAt;
  return { closesAt, paused: entry.paused };
}

/** Review-deadline entries a body can have received: those after the hand-over started it. */
function reviewEntriesFor(log: IssuedSignals, bodyId: string): Array<{ revision: number; dueAt: number }> {
  const out: Array<{ revision: number; dueAt: number }> = [];
  log.review.forEach((entry, i) => {
    if ('handover' in entry) out.length = 0;
    else if (!entry.bodies || entry.bodies.includes(bodyId))
      out.push({ revision: i + 1, dueAt: entry.dueAt });
  });
  return out;
}

/** Did the cycle send this signal to this entity? */
export function issuedTo(log: IssuedSignals, to: EntityReceiver, claim: EntityClaim): boolean {
  switch (claim.signal) {
    case 'collectionDeadline':
      return (
        to.kind === 'unit' &&
        log.collection.some((entry) => {
          const sent = collectionFor(entry, to.id);
          return sent?.closesAt === claim.closesAt && sent.paused === claim.paused;
        })
      );
    case 'reviewDeadline':
      return to.kind === 'body' && reviewEntriesFor(log, to.id).some((e) => e.dueAt === claim.dueAt);
    case 'mailHolds':
      return Array.isArray(claim.held) && log.holds.some((held) => sameSet(held, claim.held));
    case 'cycleFinished':
      return log.finished;
    default:
      return false;
  }
}

/** The latest of what the cycle told this entity. */
export function truthFor(log: IssuedSignals, to: EntityReceiver): EntityTruth {
  const truth: EntityTruth = { finished: log.finished };
  if (to.kind === 'unit') {
    for (let i = log.collection.length - 1; i >= 0; i--) {
      const sent = collectionFor(log.collection[i], to.id);
      if (sent) {
        truth.collection = { revision: i + 1, ...sent };
        break;
      }
    }
  } else {
    const review = reviewEntriesFor(log, to.id);
    if (review.length > 0) truth.review = review[review.length - 1];
  }
  if (log.holds.length > 0)
    truth.holds = { revision: log.holds.length, held: log.holds[log.holds.length - 1] };
  return truth;
}

export type CycleClaim =
  | {
      signal: 'partReported';
      bodyId: string;
      listId: string;
      fieldId?: string;
      reportedAt: number;
      shortlist: string[];
    }
  | { signal: 'mailFailed'; businessKey: string; error: string };

/** The sender's answer: for a confirmed claim, its own values (which the cycle applies). */
export interface CycleClaimAnswer {
  confirmed: boolean;
  /** Why not, for the audit. */
  reason?: string;
  reportedAt?: number;
  shortlist?: string[];
  error?: string;
}

/** The review body's recommended ids, as the partReported it sends lists them. */
export function shortlistMatches(claimed: readonly string[], recommended: readonly string[]): boolean {
  return claimed.length === recommended.length && sameSet(claimed, recommended);
}

/** Claims per confirming activity call (bounds its arguments in the history). */
const MAX_CLAIMS_PER_CALL = 100;

/**
 * Coalesces confirmations: while one activity call runs, later claims wait and go together in the
 * next one. A burst (a broadcast, or someone flooding a workflow with forged signals) costs one
 * activity at a time per workflow, not one per signal. Deterministic: plain promises.
 */
export function claimBatcher<Claim, Answer>(
  confirm: (claims: Claim[]) => Promise<Answer[]>,
): (claim: Claim) => Promise<Answer> {
  const waiting: Array<{
    claim: Claim;
    resolve: (answer: Answer) => void;
    reject: (error: unknown) => void;
  }> = [];
  let running = false;
  const pump = async () => {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, MAX_CLAIMS_PER_CALL);
      try {
        const answers = await confirm(batch.map((w) => w.claim));
        batch.forEach((w, i) => w.resolve(answers[i]));
      } catch (error) {
        batch.forEach((w) => w.reject(error));
      }
    }
    running = false;
  };
  return (claim) =>
    new Promise<Answer>((resolve, reject) => {
      waiting.push({ claim, resolve, reject });
      if (!running) void pump();
    });
}

/** How many unconfirmed signals a workflow writes into its audit; all are counted. */
export const AUDITED_UNVERIFIED_SIGNALS = 100;

/** A bounded, printable rendering of whatever a direct caller sent. */
export function describeClaim(value: unknown, max = 160): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
