/**
 * The sent-mail ledger: claim before send, mark after the SMTP server accepted. The business key
 * is the primary key, so of two senders (two workers, a retried activity) exactly one claims a
 * message; the other finds it claimed or sent and does not contact the server.
 *
 * A claim is a lease: a sender that crashed before marking leaves a claim that another sender may
 * take over once it is older than the lease. What remains is the window between the server's
 * acceptance and the mark: a crash there makes the next claimer send again, with the same
 * Message-ID, which mail clients use to fold the duplicate.
 */
import { sql } from 'kysely';
import type { Records } from './schema';

export interface SentEntry {
  messageId: string;
  accepted: string[];
}

export type Claim =
  | { status: 'claimed' }
  | { status: 'sent'; entry: SentEntry }
  /** Another sender holds a live claim: it is sending (or crashed less than a lease ago). */
  | { status: 'in-flight'; claimedBy: string };

/** Longer than a whole SMTP exchange may take (connection, greeting and socket timeouts). */
export const DEFAULT_CLAIM_LEASE_MS = 5 * 60_000;

export class MailLedger {
  constructor(
    private readonly db: Records,
    private readonly leaseMs = DEFAULT_CLAIM_LEASE_MS,
  ) {}

  /** Claims `businessKey` for `sender`, taking over a claim older than the lease. */
  async claim(businessKey: string, messageId: string, sender: string): Promise<Claim> {
    const inserted = await this.db
      .insertInto('mail_ledger')
      .values({
        business_key: businessKey,
        message_id: messageId,
        state: 'claimed',
        claimed_by: sender,
        claimed_at: sql<Date>`now()`,
      })
      .onConflict((c) => c.column('business_key').doNothing())
      .returning('business_key')
      .executeTakeFirst();
    if (inserted) return { status: 'claimed' };

    // Database time on both sides: senders on several machines need not agree on the clock.
    const takenOver = await this.db
      .updateTable('mail_ledger')
      .set({ claimed_by: sender, claimed_at: sql<Date>`now()`, message_id: messageId })
      .where('business_key', '=', businessKey)
      .where('state', '=', 'claimed')
      .where('claimed_at', '<', sql<Date>`now() - make_interval(secs => ${this.leaseMs / 1000})`)
      .returning('business_key')
      .executeTakeFirst();
    if (takenOver) return { status: 'claimed' };

    const row = await this.db
      .selectFrom('mail_ledger')
      .select(['state', 'message_id', 'accepted', 'claimed_by'])
      .where('business_key', '=', businessKey)
      .executeTakeFirstOrThrow();
    if (row.state === 'sent') {
      return { status: 'sent', entry: { messageId: row.message_id, accepted: row.accepted ?? [] } };
    }
    return { status: 'in-flight', claimedBy: row.claimed_by };
  }

  /** Records the server's acceptance of a claimed message. */
  async markSent(
    businessKey: string,
    sender: string,
    sent: { accepted: string[]; rejected: string[]; response: string },
  ): Promise<void> {
    await this.db
      .updateTable('mail_ledger')
      .set({
        state: 'sent',
        accepted: JSON.stringify(sent.accepted),
        rejected: JSON.stringify(sent.rejected),
        response: sent.response,
        sent_at: sql<Date>`now()`,
      })
      .where('business_key', '=', businessKey)
      .where('claimed_by', '=', sender)
      .execute();
  }

  /** Gives a claim back after the server refused or was unreachable, so a retry may claim it. */
  async release(businessKey: string, sender: string): Promise<void> {
    await this.db
      .deleteFrom('mail_ledger')
      .where('business_key', '=', businessKey)
      .where('claimed_by', '=', sender)
      .where('state', '=', 'claimed')
      .execute();
  }

  /** The sent entry of a business key, if the server accepted it. */
  async sent(businessKey: string): Promise<SentEntry | undefined> {
    const row = await this.db
      .selectFrom('mail_ledger')
      .select(['message_id', 'accepted'])
      .where('business_key', '=', businessKey)
      .where('state', '=', 'sent')
      .executeTakeFirst();
    return row && { messageId: row.message_id, accepted: row.accepted ?? [] };
  }

  /** Records a permanent failure; a later one replaces it, as the signal that follows carries it. */
  async recordFailure(businessKey: string, error: string): Promise<void> {
    await this.db
      .insertInto('mail_failures')
      .values({ business_key: businessKey, error, recorded_at: sql<Date>`now()` })
      .onConflict((c) => c.column('business_key').doUpdateSet({ error, recorded_at: sql<Date>`now()` }))
      .execute();
  }

  /** The recorded permanent failure of a message, if any. */
  async failure(businessKey: string): Promise<{ error: string } | undefined> {
    const row = await this.db
      .selectFrom('mail_failures')
      .select('error')
      .where('business_key', '=', businessKey)
      .executeTakeFirst();
    return row && { error: row.error };
  }
}
