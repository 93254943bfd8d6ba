/**
 * A real SMTP server for loopback use: it accepts every message and stores it as an .eml file in
 * an outbox folder, so rehearsals and tests see exactly what recipients would get. Faults make it
 * answer like a real server in trouble (4xx, 5xx, refused credentials) for failure drills.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

export interface SmtpReply {
  /** SMTP reply code, e.g. 451 (try later) or 550 (refused). */
  code: number;
  message: string;
}

export interface OutboxFaults {
  /** Answered at the end of DATA to the next messages, one each, in order; they are not stored. */
  rejectNext?: SmtpReply[];
  /** Answered at the end of DATA to every message (after `rejectNext` runs out); none is stored. */
  rejectAll?: SmtpReply;
  /** Answered to every AUTH attempt, e.g. { code: 535, message: 'bad credentials' }. */
  rejectAuth?: SmtpReply;
}

export interface OutboxSmtpServerOptions {
  outboxDir: string;
  host?: string;
  /** 0 (the default) picks a free ephemeral port. */
  port?: number;
  faults?: OutboxFaults;
}

export interface OutboxSmtpServer {
  port: number;
  /** smtp://HOST:PORT */
  url: string;
  /** Replaces the current faults; `{}` clears them. */
  setFaults(faults: OutboxFaults): void;
  close(): Promise<void>;
}

/** How long close() lets a client finish its session before the server hangs up on it. */
const CLOSE_GRACE_MS = 1_000;
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

function smtpError({ code, message }: SmtpReply): SMTPServerError {
  const error: SMTPServerError = new Error(message);
  error.responseCode = code;
  return error;
}

/** Writes the file under a temporary name, flushes it, then renames it into place. */
async function writeAtomically(dir: string, name: string, content: Buffer): Promise<void> {
  const tmp = join(dir, `.${name}.${randomUUID()}.tmp`);
  const handle = await open(tmp, 'wx');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, join(dir, name));
}

export async function startOutboxSmtpServer(options: OutboxSmtpServerOptions): Promise<OutboxSmtpServer> {
  const { outboxDir, host = '127.0.0.1', port = 0 } = options;
  await mkdir(outboxDir, { recursive: true });

  let faults: OutboxFaults = {};
  const setFaults = (next: OutboxFaults): void => {
    faults = { ...next, rejectNext: [...(next.rejectNext ?? [])] };
  };
  setFaults(options.faults ?? {});

  let seq = 0;
  const server = new SMTPServer({
    name: 'kczg-outbox',
    banner: 'kczg loopback outbox',
    authOptional: true,
    // Plain text on loopback only: no certificate to offer, and credentials may cross in clear.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    size: MAX_MESSAGE_BYTES,
    closeTimeout: CLOSE_GRACE_MS,
    logger: false,
    onAuth(auth, _session, callback) {
      if (faults.rejectAuth) return callback(smtpError(faults.rejectAuth));
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          return callback(smtpError({ code: 552, message: 'Message exceeds the size limit' }));
        }
        const fault = faults.rejectNext?.shift() ?? faults.rejectAll;
        if (fault) return callback(smtpError(fault));
        seq += 1;
        const name = `${Date.now()}-${String(seq).padStart(6, '0')}.eml`;
        writeAtomically(outboxDir, name, Buffer.concat(chunks)).then(
          () => callback(null, `Stored as ${name}`),
          (error: Error) =>
            callback(smtpError({ code: 451, message: `Outbox write failed: ${error.message}` })),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A client dropping its connection mid-session is not a server failure: nothing to do.
  server.on('error', () => undefined);

  const actualPort = (server.server.address() as AddressInfo).port;
  return {
    port: actualPort,
    url: `smtp://${host}:${actualPort}`,
    setFaults,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
