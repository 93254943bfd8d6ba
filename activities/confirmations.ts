/**
 * Confirming internal signals with their sender (workflows/confirm.ts): a unit or review body
 * asks its cycle what it told it; the cycle asks a review body what it reported, or the mail
 * activity's record whether a mail failed. Reads by query and from the worker's data folder:
 * no secret, no new operator step.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { issuedSignalsQuery } from '../workflows/messages';
import {
  emptyIssuedSignals,
  issuedTo,
  truthFor,
  type CycleClaim,
  type CycleClaimAnswer,
  type EntityClaim,
  type EntityConfirmation,
  type EntityReceiver,
  type IssuedSignals,
} from '../workflows/confirm';
import { confirmMailFailed, confirmPartReported } from './confirmations-cycle';
import type { createNoticeActivities } from './notify';

/**
 * Reads by key, sharing reads: a caller joins a read that has not started yet, never one already
 * under way (which may predate what the caller must see). So a burst of callers costs two reads,
 * and each still sees the state as of its call or later.
 */
export function readAfterCall<T>(read: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const queued = new Map<string, Promise<T>>();
  const inFlight = new Map<string, Promise<unknown>>();
  return (key) => {
    const waiting = queued.get(key);
    if (waiting) return waiting;
    const next = (async () => {
      await inFlight.get(key)?.catch(() => undefined);
      queued.delete(key);
      const reading = read(key);
      inFlight.set(key, reading);
      try {
        return await reading;
      } finally {
        if (inFlight.get(key) === reading) inFlight.delete(key);
      }
    })();
    queued.set(key, next);
    return next;
  };
}

export function createConfirmationActivities(deps: {
  client: Client;
  notices: ReturnType<typeof createNoticeActivities>;
}) {
  const { client } = deps;
  // A broadcast makes every unit confirm at once: they share the reads of the cycle's log.
  const issuedBy = readAfterCall(async (cycleId: string): Promise<IssuedSignals> => {
    const handle = client.workflow.getHandle(cycleId);
    try {
      // A closed cycle sends nothing more, and only a replay could answer a query: it finished.
      const { status } = await handle.describe();
      if (status.name !== 'RUNNING') return { ...emptyIssuedSignals(), finished: true };
      return await handle.query(issuedSignalsQuery);
    } catch (error) {
      // No such cycle: nothing was issued (a forged signal naming a cycle that does not exist).
      if (error instanceof WorkflowNotFoundError) return emptyIssuedSignals();
      throw error;
    }
  });

  /**
   * A unit or review body asks its cycle whether it sent these signals, and what it last told
   * this entity (workflows/confirm.ts). Reads the cycle by query: no secret, no new operator step.
   */
  async function confirmEntitySignals(args: {
    cycleId: string;
    receiver: EntityReceiver;
    claims: EntityClaim[];
  }): Promise<EntityConfirmation> {
    const log = await issuedBy(args.cycleId);
    return {
      confirmed: args.claims.map((claim) => issuedTo(log, args.receiver, claim)),
      truth: truthFor(log, args.receiver),
    };
  }

  /**
   * The cycle asks the sender of a partReported (the review body's own state) or of a mailFailed
   * (the record the mail activity wrote on the worker) whether it is genuine, one claim at a time.
   */
  async function confirmCycleSignals(args: {
    cycleId: string;
    authPublicKey?: string;
    claims: CycleClaim[];
  }): Promise<CycleClaimAnswer[]> {
    const answers: CycleClaimAnswer[] = [];
    for (const claim of args.claims)
      answers.push(
        claim.signal === 'mailFailed'
          ? await confirmMailFailed(deps.notices, args.cycleId, claim)
          : await confirmPartReported(client, args, claim),
      );
    return answers;
  }

  return { confirmEntitySignals, confirmCycleSignals };
}
