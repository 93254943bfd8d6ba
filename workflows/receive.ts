/**
 * How a unit or review body takes an internal signal from its cycle in a keyed cycle: it asks the
 * cycle (one activity, shared by signals arriving together) whether the cycle sent it, then applies
 * the cycle's latest word to it, never the signal's payload (confirm.ts). Unconfirmed signals
 * change nothing, are counted and logged, and never fail a workflow task.
 */
import { patched } from '@temporalio/workflow';
import {
  claimBatcher,
  type EntityClaim,
  type EntityConfirmation,
  type EntityReceiver,
  type EntityTruth,
} from './confirm';
import { PATCHES } from './patches';

export function entitySignalReceiver(args: {
  cycleId: string;
  receiver: EntityReceiver;
  authPublicKey?: string;
  confirm: (request: {
    cycleId: string;
    receiver: EntityReceiver;
    claims: EntityClaim[];
  }) => Promise<EntityConfirmation>;
  unverified: (signal: string, reason: string) => void;
  /** Applies the cycle's latest word for the confirmed signal's kind. */
  apply: (signal: EntityClaim['signal'], truth: EntityTruth) => void;
}) {
  const batch = claimBatcher<EntityClaim, { confirmed: boolean; truth: EntityTruth }>(async (claims) => {
    const { confirmed, truth } = await args.confirm({
      cycleId: args.cycleId,
      receiver: args.receiver,
      claims,
    });
    return claims.map((_, i) => ({ confirmed: confirmed[i] === true, truth }));
  });
  return {
    /** Keyed cycles confirm; open ones, and workflows replaying from before the change, do not. */
    confirming: (): boolean => Boolean(args.authPublicKey) && patched(PATCHES.confirmedSignals),
    malformed: (signal: string): void => args.unverified(signal, 'malformed'),
    async claim(claim: EntityClaim): Promise<void> {
      let answer;
      try {
        answer = await batch(claim);
      } catch (error) {
        args.unverified(claim.signal, `confirmation failed: ${(error as Error)?.message ?? 'unknown'}`);
        return;
      }
      if (!answer.confirmed) {
        args.unverified(claim.signal, 'not sent by the cycle');
        return;
      }
      args.apply(claim.signal, answer.truth);
    },
  };
}
