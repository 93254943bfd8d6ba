import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { simpleParser } from 'mailparser';
import {
  createMailActivities,
  MAIL_IN_FLIGHT,
  mailConfigFromEnv,
  messageIdFor,
  type MailRequest,
} from '../../activities/mail';
import { listOutbox } from '../../mail/outbox';
import { unitReminder } from '../../mail/templates';
import { startOutboxSmtpServer, type OutboxSmtpServer } from '../../servers/smtp-outbox';
import { MailLedger } from '../../storage/mail-ledger';
import { openRecords, type OpenRecords } from '../../storage/records';
import { createDatabase, usePostgresServer } from '../support/postgres';

const FROM = '科创中国联合体秘书处 <noreply@kczg.example.org>';
const DOMAIN = 'kczg.example.org';
const DEADLINE = Date.parse('2023-12-01T00:00:00+08:00'); // 2023-11-30 24:00 Beijing

let root: string;
let outboxDir: string;
/** The embedded records (PGlite), opened once for the file; the ledger is emptied before each test. */
let records: OpenRecords;
let ledger: MailLedger;
const servers: OutboxSmtpServer[] = [];
const postgres = usePostgresServer();

beforeAll(async () => {
  records = await openRecords({ backend: 'pglite' });
  ledger = new MailLedger(records.db);
}, 60_000);

afterAll(async () => {
  await records?.close();
});

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kczg-mail-'));
  outboxDir = join(root, 'outbox');
  await records.db.deleteFrom('mail_ledger').execute();
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await rm(root, { recursive: true, force: true });
});

async function startServer(options: Partial<Parameters<typeof startOutboxSmtpServer>[0]> = {}) {
  const server = await startOutboxSmtpServer({ outboxDir, ...options });
  servers.push(server);
  return server;
}

function activities(smtpUrl: string) {
  return createMailActivities({ smtpUrl, from: FROM, ledger, messageIdDomain: DOMAIN });
}

function request(overrides: Partial<MailRequest> = {}): MailRequest {
  return {
    businessKey: '2023-national:unit-a:collection:T-7',
    to: [{ name: '中国示例学会', email: 'unit-a@example.org' }],
    rendered: unitReminder({
      programme: { zh: '2023年度“科创中国”系列榜单', en: '2023 Sci-Tech China lists' },
      issuedAt: Date.parse('2023-11-23T01:00:00Z'),
      unit: '中国示例学会',
      deadline: {
        label: { zh: '推荐材料提交截止', en: 'Nomination deadline' },
        at: DEADLINE,
        calendarUid: '2023-national.collection.unit-a@kczg.example.org',
      },
      usage: [{ list: '先导技术榜', field: '电子信息', used: 2, limit: 3 }],
    }),
    ...overrides,
  };
}

async function emlFiles(): Promise<string[]> {
  return (await readdir(outboxDir)).filter((f) => f.endsWith('.eml'));
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('sendMail against a real loopback SMTP server', () => {
  it('delivers recipients, subject, text and HTML parts, the .ics attachment and the derived Message-ID', async () => {
    const server = await startServer();
    const req = request();
    const result = await activities(server.url).sendMail(req);

    expect(result).toEqual({
      status: 'sent',
      messageId: messageIdFor(req.businessKey, DOMAIN),
      accepted: ['unit-a@example.org'],
    });
    const [file] = await emlFiles();
    const mail = await simpleParser(await readFile(join(outboxDir, file)));
    expect(mail.messageId).toBe(result.messageId);
    expect(mail.from?.value).toEqual([{ name: '科创中国联合体秘书处', address: 'noreply@kczg.example.org' }]);
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    expect(to?.value).toEqual([{ name: '中国示例学会', address: 'unit-a@example.org' }]);
    expect(mail.subject).toBe(req.rendered.subject);
    expect(mail.text).toContain('2023-11-30 24:00 (北京时间 Beijing time)');
    expect(mail.html).toContain('<li>先导技术榜 / 电子信息：已推荐 2 项，限额 3 项</li>');
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].filename).toBe('deadline.ics');
    expect(mail.attachments[0].contentType).toBe('text/calendar');
    expect(mail.attachments[0].content.toString('utf8')).toBe(req.rendered.ics);

    const outbox = await listOutbox(outboxDir);
    expect(outbox).toEqual([
      {
        file,
        messageId: result.messageId,
        date: expect.any(String),
        from: expect.stringContaining('noreply@kczg.example.org'),
        to: ['unit-a@example.org'],
        subject: req.rendered.subject,
      },
    ]);
  });

  it('sends a business key once: the second call returns already-sent without contacting the server', async () => {
    const server = await startServer();
    const mail = activities(server.url);
    const first = await mail.sendMail(request());
    await server.close();

    const second = await mail.sendMail(request());
    expect(second).toEqual({ ...first, status: 'already-sent' });
    expect(await emlFiles()).toHaveLength(1);
  });

  it('marks an accepted message sent although the ledger failed at first: a retry finds it sent, one delivery', async () => {
    const server = await startServer();
    // The database drops the first write after the server accepted (a restart, no free connection).
    class LedgerFailingOnce extends MailLedger {
      private failed = false;
      override async markSent(...args: Parameters<MailLedger['markSent']>): Promise<void> {
        if (!this.failed) {
          this.failed = true;
          throw new Error('sorry, too many clients already');
        }
        return super.markSent(...args);
      }
    }
    const mail = createMailActivities({
      smtpUrl: server.url,
      from: FROM,
      ledger: new LedgerFailingOnce(records.db),
      messageIdDomain: DOMAIN,
    });
    expect((await mail.sendMail(request())).status).toBe('sent');
    expect(await ledger.sent(request().businessKey)).toBeDefined();
    expect((await mail.sendMail(request())).status).toBe('already-sent');
    expect(await emlFiles()).toHaveLength(1);
  });

  it('gives different business keys different Message-IDs and deliveries', async () => {
    const server = await startServer();
    const mail = activities(server.url);
    const a = await mail.sendMail(request());
    const b = await mail.sendMail(request({ businessKey: '2023-national:unit-a:collection:T-3' }));
    expect(a.messageId).not.toBe(b.messageId);
    expect((await listOutbox(outboxDir)).map((e) => e.messageId).sort()).toEqual(
      [a.messageId, b.messageId].sort(),
    );
  });

  it('turns a 451 into a retryable SMTP_TRANSIENT failure; the retry delivers exactly one message', async () => {
    const server = await startServer({ faults: { rejectNext: [{ code: 451, message: 'try later' }] } });
    const mail = activities(server.url);

    const failure = await failureOf(mail.sendMail(request()));
    expect(failure.type).toBe('SMTP_TRANSIENT');
    expect(failure.nonRetryable).toBe(false);
    expect(await emlFiles()).toHaveLength(0);

    expect((await mail.sendMail(request())).status).toBe('sent');
    expect(await emlFiles()).toHaveLength(1);
  });

  it('turns a 550 into a non-retryable SMTP_PERMANENT failure and leaves no ledger entry', async () => {
    const server = await startServer({
      faults: { rejectAll: { code: 550, message: 'mailbox unavailable' } },
    });
    const failure = await failureOf(activities(server.url).sendMail(request()));
    expect(failure.type).toBe('SMTP_PERMANENT');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('550');
    expect(await emlFiles()).toHaveLength(0);
    expect(await records.db.selectFrom('mail_ledger').selectAll().execute()).toEqual([]);
  });

  it('waits for a send in flight elsewhere: a retryable MAIL_IN_FLIGHT, no delivery, then already-sent', async () => {
    const server = await startServer();
    const req = request();
    const messageId = messageIdFor(req.businessKey, DOMAIN);
    await ledger.claim(req.businessKey, messageId, 'another-worker');

    const failure = await failureOf(activities(server.url).sendMail(req));
    expect(failure.type).toBe(MAIL_IN_FLIGHT);
    expect(failure.nonRetryable).toBe(false);
    expect(await emlFiles()).toHaveLength(0);

    await ledger.markSent(req.businessKey, 'another-worker', {
      accepted: ['unit-a@example.org'],
      rejected: [],
      response: '250 OK',
    });
    expect(await activities(server.url).sendMail(req)).toEqual({
      status: 'already-sent',
      messageId,
      accepted: ['unit-a@example.org'],
    });
    expect(await emlFiles()).toHaveLength(0);
  });

  it('retries after the server was down: a retryable failure, then one delivery once it is up', async () => {
    const probe = await startOutboxSmtpServer({ outboxDir });
    const port = probe.port;
    await probe.close();
    const mail = activities(`smtp://127.0.0.1:${port}`);

    const failure = await failureOf(mail.sendMail(request()));
    expect(failure.type).toBe('SMTP_TRANSIENT');
    expect(failure.nonRetryable).toBe(false);

    await startServer({ port });
    expect((await mail.sendMail(request())).status).toBe('sent');
    expect(await emlFiles()).toHaveLength(1);
  });

  it('turns refused credentials into a non-retryable SMTP_AUTH failure', async () => {
    const server = await startServer({ faults: { rejectAuth: { code: 535, message: 'bad credentials' } } });
    const failure = await failureOf(
      activities(`smtp://user:wrong@127.0.0.1:${server.port}`).sendMail(request()),
    );
    expect(failure.type).toBe('SMTP_AUTH');
    expect(failure.nonRetryable).toBe(true);
  });

  it('refuses an invalid recipient address as non-retryable SMTP_CONFIG before contacting the server', async () => {
    const server = await startServer({
      faults: { rejectAll: { code: 550, message: 'should not be reached' } },
    });
    const failure = await failureOf(
      activities(server.url).sendMail(request({ to: [{ name: 'x', email: 'not-an-address' }] })),
    );
    expect(failure.type).toBe('SMTP_CONFIG');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('not-an-address');
  });

  it('delivers a display name and subject with CR/LF and <script> harmlessly: no injected header', async () => {
    const server = await startServer();
    const evil = 'Evil\r\nBcc: victim@example.org\r\n<script>alert(1)</script>';
    const req = request();
    await activities(server.url).sendMail({
      ...req,
      to: [{ name: evil, email: 'unit-a@example.org' }],
      rendered: { ...req.rendered, subject: `Hello\r\nBcc: victim@example.org` },
    });

    const [file] = await emlFiles();
    const raw = await readFile(join(outboxDir, file), 'utf8');
    const headerBlock = raw.slice(0, raw.indexOf('\r\n\r\n'));
    expect(headerBlock).not.toMatch(/^bcc:/im);
    const mail = await simpleParser(raw);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.subject).toBe('Hello Bcc: victim@example.org');
    const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
    expect(to?.value).toEqual([
      { name: 'Evil Bcc: victim@example.org <script>alert(1)</script>', address: 'unit-a@example.org' },
    ]);
  });
});

describe('two workers sending the same mails through one PostgreSQL ledger', () => {
  it('delivers each business key exactly once; the other sender finds it in flight or sent', async () => {
    const server = await startServer();
    const url = await createDatabase(postgres(), 'mail_two_workers');
    const workers = await Promise.all([1, 2].map(() => openRecords({ backend: 'postgres', url })));
    try {
      const [a, b] = workers.map((w) =>
        createMailActivities({
          smtpUrl: server.url,
          from: FROM,
          ledger: new MailLedger(w.db),
          messageIdDomain: DOMAIN,
        }),
      );
      const keys = Array.from({ length: 20 }, (_, i) => `2023-national/unit-${i}/collection/T-7`);
      const outcome = (promise: Promise<{ status: string }>) =>
        promise.then(
          (result) => result.status,
          (error: ApplicationFailure) => error.type,
        );
      const results = await Promise.all(
        keys.flatMap((businessKey) => [
          outcome(a.sendMail(request({ businessKey }))),
          outcome(b.sendMail(request({ businessKey }))),
        ]),
      );
      keys.forEach((_key, i) => {
        const pair = [results[2 * i], results[2 * i + 1]];
        expect(pair.filter((status) => status === 'sent')).toHaveLength(1);
        expect(pair.filter((status) => status !== 'sent')[0]).toMatch(/^(already-sent|MAIL_IN_FLIGHT)$/);
      });
      // Temporal retries the in-flight ones: they find the mail sent.
      const retried = await Promise.all(keys.map((businessKey) => b.sendMail(request({ businessKey }))));
      expect(retried.map((r) => r.status)).toEqual(keys.map(() => 'already-sent'));

      const delivered = (await listOutbox(outboxDir)).map((e) => e.messageId).sort();
      expect(delivered).toEqual(keys.map((key) => messageIdFor(key, DOMAIN)).sort());
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });
});

describe('mail configuration', () => {
  it('reads KCZG_SMTP_URL and KCZG_MAIL_FROM and takes the Message-ID domain from the sender', () => {
    expect(mailConfigFromEnv({ KCZG_SMTP_URL: 'smtp://127.0.0.1:2525', KCZG_MAIL_FROM: FROM })).toEqual({
      smtpUrl: 'smtp://127.0.0.1:2525',
      from: FROM,
      messageIdDomain: DOMAIN,
    });
  });

  it('names every missing or bad variable in one error', () => {
    expect(() => mailConfigFromEnv({})).toThrow(/KCZG_SMTP_URL is not set[\s\S]*KCZG_MAIL_FROM is not set/);
    expect(() => mailConfigFromEnv({ KCZG_SMTP_URL: 'http://x', KCZG_MAIL_FROM: 'nobody' })).toThrow(
      /KCZG_SMTP_URL: .*smtp:\/\/[\s\S]*KCZG_MAIL_FROM: /,
    );
  });

  it('refuses to build the activities from a bad SMTP URL', () => {
    expect(() => activities('not a url')).toThrow(/not a URL/);
  });

  it('derives the same Message-ID from the same business key', () => {
    expect(messageIdFor('k', DOMAIN)).toBe(messageIdFor('k', DOMAIN));
    expect(messageIdFor('k', DOMAIN)).toMatch(/^<kczg\.[0-9a-f]{40}@kczg\.example\.org>$/);
  });
});
