/** What the loopback SMTP outbox received, read as a user's mail client would show it. */
import fs from 'node:fs';
import { listOutbox, type OutboxEntry } from '../../mail/outbox';

/** Every message in the outbox whose subject contains `subject` (all of them without one). */
export async function outboxMessages(outboxDir: string, subject?: string): Promise<OutboxEntry[]> {
  const entries = fs.existsSync(outboxDir) ? await listOutbox(outboxDir) : [];
  return subject === undefined ? entries : entries.filter((e) => e.subject.includes(subject));
}
