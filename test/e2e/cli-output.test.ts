/**
 * What `kczg` writes, spawned as a user runs it, without a server of its own: stdout carries the
 * command's answer and nothing else, all of it, whatever its size and wherever it goes (a pipe into
 * another process); logs are JSON lines on stderr.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, CliRunner, ms } from '../support/cli';

const cli = new CliRunner();
let dir: string;

beforeAll(() => {
  expect(fs.existsSync(CLI)).toBe(true);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-cli-output-'));
});

afterAll(async () => {
  await cli.stopAll();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** An outbox of `count` messages with long subjects: `kczg mail outbox --json` answers with megabytes. */
function bigOutbox(count: number): string {
  const outbox = path.join(dir, 'outbox');
  fs.mkdirSync(outbox, { recursive: true });
  for (let i = 0; i < count; i++) {
    const subject = `第 ${i} 封 / message ${i} ${'x'.repeat(3_000)}`;
    fs.writeFileSync(
      path.join(outbox, `${String(i).padStart(5, '0')}.eml`),
      [
        `Message-ID: <m${i}@kczg.example.org>`,
        'Date: Thu, 30 Nov 2023 16:00:00 +0000',
        'From: noreply@kczg.example.org',
        `To: unit${i}@units.example.org`,
        `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'body',
        '',
      ].join('\r\n'),
    );
  }
  return outbox;
}

/** `kczg --json <args> | node -e <read all of stdin, say its size and parse it>`, a real pipe. */
function pipedThroughChild(args: string[]): Promise<{ code: number; bytes: number; parsed: boolean }> {
  const reader = `let n=0,c=[];process.stdin.on('data',d=>{n+=d.length;c.push(d)});process.stdin.on('end',()=>{let ok=true;try{JSON.parse(Buffer.concat(c).toString('utf8'))}catch{ok=false}process.stdout.write(JSON.stringify({bytes:n,parsed:ok}))})`;
  return new Promise((resolve, reject) => {
    const consumer = spawn(process.execPath, ['-e', reader], { stdio: ['pipe', 'pipe', 'inherit'] });
    const producer = spawn(process.execPath, [CLI, '--json', ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    producer.stdout.pipe(consumer.stdin);
    let out = '';
    consumer.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    let code = -1;
    producer.once('exit', (c) => (code = c ?? 1));
    consumer.once('error', reject);
    consumer.once('close', () => resolve({ code, ...JSON.parse(out) }));
  });
}

describe('kczg output', () => {
  it('a --json answer over 1 MiB arrives whole through a pipe into another process', async () => {
    const outbox = bigOutbox(400);
    const piped = await pipedThroughChild(['mail', 'outbox', outbox]);
    expect(piped.code).toBe(0);
    expect(piped.bytes).toBeGreaterThan(1024 * 1024);
    expect(piped.parsed).toBe(true);
    // The same answer read by the test runner (another pipe) has every message, dates in +08:00.
    const listed = await cli.run(['mail', 'outbox', outbox]);
    expect(listed.json).toHaveLength(400);
    expect(Buffer.byteLength(listed.stdout)).toBe(piped.bytes);
    expect(listed.json[0].date).toBe('2023-12-01T00:00:00+08:00');
  });

  it('rehearse --json --verbose: stdout is exactly one JSON document; the logs are JSON lines on stderr', async () => {
    const out = path.join(dir, 'rehearsal');
    const result = await cli.run(
      ['--verbose', 'rehearse', 'national-2023', '--nominations', '20', '--out', out],
      {
        timeoutMs: 180_000,
      },
    );
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    expect(result.json).toMatchObject({ programmeId: 'national-2023', stage: 'closed' });
    expect(ms(result.json.timeline[0].at)).toBeGreaterThan(0);
    // The worker's and the SDK's lines went through the logger: JSON, Beijing-time RFC 3339.
    const logLines = result.stderr.split('\n').filter((line) => line.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) {
      const entry = JSON.parse(line);
      expect(entry).toMatchObject({ name: 'kczg', level: expect.any(Number) });
      expect(ms(entry.time)).toBeGreaterThan(0);
    }
    expect(logLines.some((line) => JSON.parse(line).component === 'temporal')).toBe(true);
  }, 240_000);

  it('quiet by default; a bad KCZG_LOG_LEVEL is refused with the allowed values', async () => {
    const plan = await cli.run(['plan', 'national-2023']);
    expect(plan).toMatchObject({ code: 0, stderr: '' });
    const bad = await cli.run(
      ['rehearse', 'national-2023', '--nominations', '1', '--out', path.join(dir, 'x')],
      {
        env: { ...process.env, KCZG_LOG_LEVEL: 'chatty' },
      },
    );
    expect(bad).toMatchObject({ code: 1, json: { error: { code: 'FAILURE' } } });
    expect(bad.json.error.message).toContain('KCZG_LOG_LEVEL');
  });
});
