/**
 * Sending mail, exactly once per business key. The Message-ID is derived from the business key,
 * and the mail ledger (storage/mail-ledger.ts, shared by every worker) is claimed before the
 * send and marked after the SMTP server accepted: a retry of an accepted send (an activity
 * retried after a worker crash, a workflow replaying a reminder, another worker) finds the entry
 * and returns 'already-sent' without contacting the server; a send in flight elsewhere makes the
 * retry wait. The window left is a crash between the server's acceptance and the mark; once the
 * claim's lease expires the retry resends with the same Message-ID, which mail clients use to
 * fold duplicates.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import { emailSchema } from '../domain/programme';
import type { RenderedMail } from '../mail/templates';
import type { MailLedger } from '../storage/mail-ledger';
import { countedSends } from './metrics';

export interface MailDeps {
  /** smtp://host:port or smtps://user:pass@host:port */
  smtpUrl: string;
  /** The sender, "Name <address>" or a bare address. */
  from: string;
  /** The sent-mail ledger, in kczg's records. */
  ledger: MailLedger;
  /** Right-hand side of generated Message-IDs, e.g. "kczg.example.org". */
  messageIdDomain: string;
}

export interface MailRecipient {
  name: string;
  email: string;
}

export interface MailRequest {
  /** What makes this message unique: cycle, party, deadline, offset ("2023-national:unit-a:collection:T-7"). */
  businessKey: string;
  to: MailRecipient[];
  rendered: RenderedMail;
}

export interface SendResult {
  messageId: string;
  status: 'sent' | 'already-sent';
  /** Recipient addresses the server accepted. */
  accepted: string[];
}

export type SmtpFailureType = 'SMTP_TRANSIENT' | 'SMTP_PERMANENT' | 'SMTP_AUTH' | 'SMTP_CONFIG';

/** Retryable: another sender holds the message's claim; the retry finds it sent or free. */
export const MAIL_IN_FLIGHT = 'MAIL_IN_FLIGHT';

/** What nodemailer and Node attach to their errors. */
interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

/**
 * How long a ledger write that must follow a send (the mark after acceptance, the release after a
 * refusal) is retried in place: a database hiccup (restart, connections exhausted) must not leave
 * the claim behind, which would hold every retry for the claim's lease and then send again.
 */
const LEDGER_WRITE_RETRY_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 60_000;
const DOMAIN_PATTERN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const FROM_PATTERN = /^(?:(.*\S)\s*<([^<>\s]+)>|([^<>\s]+))$/;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function checkDomain(domain: string): void {
  if (!DOMAIN_PATTERN.test(domain)) throw new Error(`Message-ID domain "${domain}" is not a domain name`);
}

/** A deterministic RFC 5322 Message-ID for a business key: the same key always gives the same id. */
export function messageIdFor(businessKey: string, domain: string): string {
  checkDomain(domain);
  return `<kczg.${sha256(businessKey).slice(0, 40)}@${domain.toLowerCase()}>`;
}

/** Removes what could end a header line or confuse a reader: CR, LF and other control characters. */
function headerSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
}

function addressOf(recipient: string | { address: string }): string {
  return typeof recipient === 'string' ? recipient : recipient.address;
}

function configFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'SMTP_CONFIG', nonRetryable: true });
}

const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'EPROTOCOL',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** The failure Temporal should see for an error from nodemailer. */
function classifySmtpError(error: SmtpError): ApplicationFailure {
  const code = error.code ?? '';
  const reply = error.responseCode;
  const detail = `${error.message}${code ? ` [${code}]` : ''}`;
  const failure = (type: SmtpFailureType, message: string, nonRetryable: boolean) =>
    ApplicationFailure.create({
      message,
      type,
      nonRetryable,
      cause: error,
      details: [{ code, responseCode: reply }],
    });

  if (reply !== undefined && reply >= 400 && reply < 500) {
    return failure('SMTP_TRANSIENT', `SMTP server asked to try later (${reply}): ${detail}`, false);
  }
  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return failure('SMTP_AUTH', `SMTP authentication failed: ${detail}`, true);
  }
  // 503 is a bad command sequence, which a new session can get past.
  if (reply !== undefined && reply >= 500 && reply !== 503) {
    return failure('SMTP_PERMANENT', `SMTP server refused the message (${reply}): ${detail}`, true);
  }
  if (code === 'EENVELOPE' || code === 'EMESSAGE' || code === 'ECONFIG') {
    return failure('SMTP_CONFIG', `Mail envelope or message is invalid: ${detail}`, true);
  }
  if (CONNECTION_CODES.has(code) || reply === 503) {
    return failure('SMTP_TRANSIENT', `SMTP server unreachable or connection lost: ${detail}`, false);
  }
  return failure('SMTP_TRANSIENT', `Mail sending failed: ${detail}`, false);
}

function parseSmtpUrl(smtpUrl: string): URL {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new Error(
      `SMTP URL "${smtpUrl}" is not a URL; expected smtp://host:port or smtps://user:pass@host:port`,
    );
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`SMTP URL "${smtpUrl}" must start with smtp:// or smtps://`);
  }
  if (!url.hostname) throw new Error(`SMTP URL "${smtpUrl}" names no host`);
  return url;
}

/** The sender's address; throws unless `from` is "Name <address>" or a bare address. */
function senderAddress(from: string): string {
  const match = /[\r\n]/.test(from) ? null : FROM_PATTERN.exec(from.trim());
  const address = match?.[2] ?? match?.[3];
  if (!address || !emailSchema.safeParse(address).success) {
    throw new Error(`Sender "${from}" is not "Name <address>" nor a bare e-mail address`);
  }
  return address;
}

export interface MailConfig {
  smtpUrl: string;
  from: string;
  /** The sender's domain, used for Message-IDs. */
  messageIdDomain: string;
}

/** Reads KCZG_SMTP_URL and KCZG_MAIL_FROM; throws one error naming every missing or bad value. */
export function mailConfigFromEnv(env: Record<string, string | undefined>): MailConfig {
  const problems: string[] = [];
  const smtpUrl = env.KCZG_SMTP_URL?.trim() ?? '';
  const from = env.KCZG_MAIL_FROM?.trim() ?? '';
  let address = '';
  if (!smtpUrl) {
    problems.push(
      'KCZG_SMTP_URL is not set (e.g. smtp://127.0.0.1:2525 or smtps://user:pass@mail.example.org:465)',
    );
  } else {
    try {
      parseSmtpUrl(smtpUrl);
    } catch (error) {
      problems.push(`KCZG_SMTP_URL: ${(error as Error).message}`);
    }
  }
  if (!from) {
    problems.push('KCZG_MAIL_FROM is not set (e.g. "科创中国 <noreply@kczg.example.org>")');
  } else {
    try {
      address = senderAddress(from);
    } catch (error) {
      problems.push(`KCZG_MAIL_FROM: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new Error(`Mail configuration is incomplete:\n- ${problems.join('\n- ')}`);
  return { smtpUrl, from, messageIdDomain: address.slice(address.lastIndexOf('@') + 1).toLowerCase() };
}

/** Runs `write` until it succeeds, retrying failures with backoff for `LEDGER_WRITE_RETRY_MS`. */
async function persistently(write: () => Promise<void>): Promise<void> {
  const until = Date.now() + LEDGER_WRITE_RETRY_MS;
  for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await write();
    } catch (error) {
      if (Date.now() + delay > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export interface MailActivities {
  sendMail(request: MailRequest): Promise<SendResult>;
}

/** Builds the mail activities; throws at once on a bad SMTP URL, sender or Message-ID domain. */
export function createMailActivities(deps: MailDeps): MailActivities {
  parseSmtpUrl(deps.smtpUrl);
  senderAddress(deps.from);
  checkDomain(deps.messageIdDomain);
  const transport = nodemailer.createTransport({
    url: deps.smtpUrl,
    pool: false,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });

  /** Who claims in the ledger: this process, distinct from every other sender. */
  const sender = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  async function sendMail(request: MailRequest): Promise<SendResult> {
    const { businessKey, rendered } = request;
    if (!businessKey.trim()) throw configFailure('Mail request has an empty business key');
    const messageId = messageIdFor(businessKey, deps.messageIdDomain);

    const previous = await deps.ledger.sent(businessKey);
    if (previous) return { ...previous, status: 'already-sent' };

    if (request.to.length === 0) throw configFailure(`Mail "${businessKey}" has no recipients`);
    const invalid = request.to.filter((r) => !emailSchema.safeParse(r.email).success);
    if (invalid.length > 0) {
      throw configFailure(
        `Mail "${businessKey}" has invalid recipient addresses: ${invalid.map((r) => JSON.stringify(r.email)).join(', ')}`,
      );
    }

    const claim = await deps.ledger.claim(businessKey, messageId, sender);
    if (claim.status === 'sent') return { ...claim.entry, status: 'already-sent' };
    if (claim.status === 'in-flight') {
      throw ApplicationFailure.create({
        message: `Mail "${businessKey}" is being sent by ${claim.claimedBy}; retrying finds it sent or free`,
        type: MAIL_IN_FLIGHT,
        nonRetryable: false,
      });
    }

    const info = await transport
      .sendMail({
        from: deps.from,
        // Address objects, never concatenated strings: nodemailer quotes and encodes the names.
        to: request.to.map((r) => ({ name: headerSafe(r.name), address: r.email })),
        subject: headerSafe(rendered.subject),
        text: rendered.text,
        html: rendered.html,
        messageId,
        attachments: rendered.ics
          ? [
              {
                filename: 'deadline.ics',
                content: rendered.ics,
                contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
              },
            ]
          : [],
      })
      .catch(async (error: SmtpError) => {
        // Not accepted: the claim goes back, so a retry (or another worker) may send.
        await persistently(() => deps.ledger.release(businessKey, sender));
        throw classifySmtpError(error);
      });

    const accepted = info.accepted.map(addressOf);
    await persistently(() =>
      deps.ledger.markSent(businessKey, sender, {
        accepted,
        rejected: info.rejected.map(addressOf),
        response: info.response,
      }),
    );
    return { messageId, status: 'sent', accepted };
  }

  return { sendMail: countedSends(sendMail) };
}
