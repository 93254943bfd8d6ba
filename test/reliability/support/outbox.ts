/**
 * Counting what the loopback outbox received, by the business key each notice was sent under: the
 * worker derives every Message-ID from its business key (activities/mail.ts), so a key's count is
 * how many times that notice was delivered.
 */
import { messageIdFor } from '../../../activities/mail';
import { listOutbox } from '../../../mail/outbox';
import { MESSAGE_ID_DOMAIN } from './processes';

const bare = (messageId: string) => messageId.trim().replace(/^<|>$/g, '');

/** The Message-ID (without angle brackets) the worker gives the notice with `businessKey`. */
export const bareMessageIdOf = (businessKey: string) => bare(messageIdFor(businessKey, MESSAGE_ID_DOMAIN));

/** How many messages in the outbox carry each Message-ID (without angle brackets; '' for none). */
export async function deliveriesByMessageId(outboxDir: string): Promise<Map<string, number>> {
  const received = new Map<string, number>();
  for (const entry of await listOutbox(outboxDir)) {
    const id = entry.messageId ? bare(entry.messageId) : '';
    received.set(id, (received.get(id) ?? 0) + 1);
  }
  return received;
}

/** How many messages in the outbox carry each key's Message-ID (0 when none). */
export async function deliveriesByKey(
  outboxDir: string,
  businessKeys: string[],
): Promise<Record<string, number>> {
  const received = await deliveriesByMessageId(outboxDir);
  return Object.fromEntries(businessKeys.map((key) => [key, received.get(bareMessageIdOf(key)) ?? 0]));
}

/** Every message in the outbox (a total, to show nothing unexpected was sent). */
export async function outboxSize(outboxDir: string): Promise<number> {
  return (await listOutbox(outboxDir)).length;
}
