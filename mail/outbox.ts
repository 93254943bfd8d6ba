/**
 * Reading the loopback outbox (servers/smtp-outbox.ts): one .eml file per accepted message.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';

export interface OutboxEntry {
  /** File name inside the outbox folder. */
  file: string;
  messageId?: string;
  /** The Date header, ISO 8601. */
  date?: string;
  /** The From header as text, e.g. "科创中国 <noreply@kczg.example.org>". */
  from: string;
  /** Recipient addresses (To and Cc). */
  to: string[];
  subject: string;
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  return (Array.isArray(field) ? field : [field]).flatMap((group) =>
    group.value.flatMap((a) => (a.address ? [a.address] : [])),
  );
}

/** The messages in the outbox, oldest first (by Date header, then file name). Missing folder: none. */
export async function listOutbox(dir: string): Promise<OutboxEntry[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries = await Promise.all(
    files
      .filter((file) => file.endsWith('.eml') && !file.startsWith('.'))
      .map(async (file): Promise<OutboxEntry> => {
        const mail = await simpleParser(await readFile(join(dir, file)));
        return {
          file,
          messageId: mail.messageId,
          date: mail.date?.toISOString(),
          from: mail.from?.text ?? '',
          to: [...addresses(mail.to), ...addresses(mail.cc)],
          subject: mail.subject ?? '',
        };
      }),
  );
  return entries.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || a.file.localeCompare(b.file));
}
