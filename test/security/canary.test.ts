/**
 * Personal data never reaches the Temporal server's database in the clear. A candidate with a
 * unique canary name and identity is nominated on a dev server persisting to a SQLite file; once
 * the nomination is accepted (and read back decrypted through the client), every byte of the
 * database files (main file, -wal, -shm, -journal) is searched for the canary in UTF-8, UTF-16LE,
 * UTF-16BE and JSON \u escapes. A control run on its own stack without the codec must contain the
 * canary in the same files: if it did not, the search would prove nothing, and the test fails.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { AesGcmCodec, ENCODING_ENCRYPTED } from '../../codec/aes-gcm-codec';
import { ephemeralKeyring } from '../../codec/keys';
import { beijingToEpochMs } from '../../domain/calendar';
import { loadProgramme } from '../../programmes/loader';
import { unitWorkflowId } from '../../workflows/ids';
import { dossierFor } from '../support/candidates';
import { startTestStack, type TestStack } from '../support/stack';

const tag = randomBytes(6).toString('hex');
const CANARY_NAME = `CANARY-张三-${tag}`;
const CANARY_IDENTITY = `CANARY-ID-李四-${tag}`;

function encodings(text: string): { label: string; bytes: Buffer }[] {
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le).swap16();
  const escaped = text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [
    { label: 'utf-8', bytes: Buffer.from(text, 'utf8') },
    { label: 'utf-16le', bytes: le },
    { label: 'utf-16be', bytes: be },
    { label: 'json-escaped', bytes: Buffer.from(escaped, 'utf8') },
    // The random tag alone: catches a canary split or re-encoded around its CJK characters.
    { label: 'tag', bytes: Buffer.from(tag, 'utf8') },
  ];
}

/** The SQLite database and its companion files, read after the server has stopped. */
function databaseFiles(dbFile: string): { file: string; bytes: Buffer }[] {
  const dir = path.dirname(dbFile);
  const base = path.basename(dbFile);
  return fs
    .readdirSync(dir)
    .filter((name) => name === base || name.startsWith(`${base}-`))
    .map((name) => ({ file: name, bytes: fs.readFileSync(path.join(dir, name)) }));
}

function occurrences(files: { file: string; bytes: Buffer }[], needles: string[]): string[] {
  const found: string[] = [];
  for (const needle of needles) {
    for (const { label, bytes } of encodings(needle)) {
      for (const { file, bytes: content } of files) {
        if (content.includes(bytes)) found.push(`${needle} (${label}) in ${file}`);
      }
    }
  }
  return found;
}

/** Starts a dev server on a fresh SQLite file, nominates the canary, stops; returns the files. */
/** The encodings of the nomination's update input as the server stores it (no codec on this client). */
async function storedNominationEncodings(stack: TestStack, cycleId: string): Promise<string[]> {
  const raw = new Client({ connection: stack.env.connection, namespace: stack.env.namespace });
  const history = await raw.workflow.getHandle(unitWorkflowId(cycleId, 'cie')).fetchHistory();
  const accepted = history.events?.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  const args = accepted?.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args;
  return (args?.payloads ?? []).map((p) => Buffer.from(p.metadata?.encoding ?? []).toString('utf8'));
}

async function runCycle(codec: AesGcmCodec | 'none') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-canary-'));
  const dbFile = path.join(dir, 'temporal.sqlite');
  const stack = await startTestStack('dev', { dbFile, codec });
  try {
    await stack.withWorker(async () => {
      const api = stack.api;
      const { cycleId } = await api.startCycle(loadProgramme('national-2023'), {
        startAt: beijingToEpochMs('2023-11-01 09:00'),
      });
      const nomination = await api.nominate(cycleId, 'cie', {
        idempotencyKey: 'canary-1',
        listId: 'pioneer-tech',
        fieldId: 'electronics',
        candidate: { name: CANARY_NAME, identity: CANARY_IDENTITY, classified: false },
        dossier: dossierFor('national-2023', 'pioneer-tech', 'electronics'),
      });
      // Accepted, and the client reads it back decrypted (update result and query).
      expect(nomination).toMatchObject({
        id: 'cie.1',
        candidate: { name: CANARY_NAME, identity: CANARY_IDENTITY },
      });
      const unit = await api.unitState(cycleId, 'cie');
      expect(JSON.stringify(unit)).toContain(CANARY_NAME);
      // The server holds the nomination in the unit's history: encrypted, or (control) in JSON.
      expect(await storedNominationEncodings(stack, cycleId)).toEqual([
        codec === 'none' ? 'json/plain' : ENCODING_ENCRYPTED,
      ]);
    });
  } finally {
    await stack.shutdown();
  }
  const files = databaseFiles(dbFile);
  fs.rmSync(dir, { recursive: true, force: true });
  return files;
}

describe('personal data at rest in the Temporal server database', () => {
  it('holds the canary only as ciphertext with the codec, and in the clear without it (control)', async () => {
    const encrypted = await runCycle(new AesGcmCodec(ephemeralKeyring()));
    expect(encrypted.map((f) => f.file)).toContain('temporal.sqlite');
    const all = Buffer.concat(encrypted.map((f) => f.bytes));
    // The history is in these files, and its payloads went through the codec.
    expect(all.includes(Buffer.from('kczg:national-2023:unit:cie'))).toBe(true);
    expect(all.includes(Buffer.from('binary/encrypted'))).toBe(true);
    expect(all.includes(Buffer.from('encryption-key-id'))).toBe(true);
    expect(occurrences(encrypted, [CANARY_NAME, CANARY_IDENTITY])).toEqual([]);

    const control = await runCycle('none');
    const leaks = occurrences(control, [CANARY_NAME, CANARY_IDENTITY]);
    expect(leaks).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`${CANARY_NAME} (utf-8)`),
        expect.stringContaining(`${CANARY_IDENTITY} (utf-8)`),
      ]),
    );
  });
});
