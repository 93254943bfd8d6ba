/**
 * Counting what the loopback outbox received, by the business key each notice was sent under: the
 * worker derives every Message-ID from its business key (activities/mail.ts), so a key's count is
 * how many times that notice was delivered.
 */
import { messageIdFor } from '../../../activities/mail';
import { listOutbox } from '../../../mail/outbox';
import { MESSAGE_ID_DOMAIN } from './processes';

const bare = (messageId: string) => messageId.trim().replace(/^<|>$/g, '');

/** How many messages in the outbox carry each key's Message-ID (0 when none). */
export async function deliveriesByKey(
  outboxDir: string,
  businessKeys: string[],
): Promise<Record<string, number>> {
  const received = new Map<string, number>();
  for (const entry of await listOutbox(outboxDir)) {
    if (!entry.messageId) continue;
    const id = bare(entry.messageId);
    received.set(id, (received.get(id) ?? 0) + 1);
  }
  return Object.fromEntries(
    businessKeys.map((key) => [key, received.get(bare(messageIdFor(key, MESSAGE_ID_DOMAIN))) ?? 0]),
  );
}

/** Every message in the outbox (a total, to show nothing unexpected was sent). */
export async function outboxSize(outboxDir: string): Promise<number> {
  return (await listOutbox(outboxDir)).length;
}
