/**
 * Attachments: the files a unit uploads with its dossier. Each is checked by content
 * (attachments-content.ts), addressed by the sha256 of its plain bytes (the same file twice is one
 * object and one record), encrypted with AES-256-GCM under the payload codec's active key, and
 * written through the file store as `attachments/<sha256>`; its metadata is a row in `attachments`.
 * Every read of the content names the reading party and a purpose and is recorded in
 * `attachment_reads` before the bytes are returned.
 *
 * Stored object: key-id length (1 byte) | key id (ASCII) | iv (12) | ciphertext | GCM tag (16),
 * the sha256 as additional authenticated data, so an object cannot be passed off as another.
 * The key id travels in the object too: a read decrypts with the key that wrote it, whatever the
 * active key is now (keep retired keys listed in KCZG_CODEC_KEYS while their attachments are kept).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { KEYS_ENV, keyringFromEnv, type Keyring } from '../codec/keys';
import { parseParty } from '../domain/credentials';
import { ATTACHMENT_FORMATS, type AttachmentFormat, type AttachmentRef } from '../domain/dossier';
import { sanitiseFileName } from '../domain/file-content';
import { reject, type Rejection } from '../domain/rejections';
import { textIssue } from '../domain/text';
import { checkContent } from './attachments-content';
import type { FileStore } from './files';
import type { Records } from './schema';

/** An upload or a read refused, with its stable code, field, rule and fix; nothing was stored. */
export class AttachmentRefusedError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
    this.name = 'AttachmentRefusedError';
  }
}

export interface AttachmentUpload {
  bytes: Buffer;
  /** The name the unit gave the file; stored sanitised. */
  name: string;
  /** The form's attachment slot it fills. */
  slot: string;
  /** The slot's size limit, when lower than the store's. */
  maxBytes?: number;
  /** The formats the slot accepts (default: all). */
  formats?: readonly AttachmentFormat[];
}

export interface StoredAttachment {
  ref: AttachmentRef;
  /** False when the same content was stored before: nothing was written this time. */
  created: boolean;
  /** True when the given file name was changed to make it safe. */
  renamed: boolean;
}

export interface AttachmentRead {
  sha256: string;
  reader: string;
  purpose: string;
  /** Epoch ms. */
  readAt: number;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_PURPOSE = 200;
/** As programme ids: the form's slot ids are programme data. */
const SLOT_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export const attachmentKey = (sha256: string): string => `attachments/${sha256}`;

const refuse = (rejection: Rejection): never => {
  throw new AttachmentRefusedError(rejection);
};

function checkReader(reader: string, purpose: string): void {
  if (!parseParty(reader)) {
    refuse(
      reject('INVALID', `读取方须为参与方标签 / the reader must be a party label, got "${reader}"`, {
        field: 'reader',
        rule: 'party',
        fix: '如 / e.g. body:ittn, secretariat, unit:cie',
      }),
    );
  }
  const issue = textIssue(purpose, 'free');
  if (!purpose.trim() || purpose.length > MAX_PURPOSE || issue) {
    refuse(
      reject(
        'INVALID',
        `读取目的须为 1–${MAX_PURPOSE} 字的说明 / the purpose must be 1–${MAX_PURPOSE} characters`,
        {
          field: 'purpose',
          rule: issue?.rule ?? 'length',
          fix: '如 / e.g. “初评专家评审”',
          limit: MAX_PURPOSE,
        },
      ),
    );
  }
}

/**
 * The payload keys of KCZG_CODEC_KEYS / KCZG_CODEC_KEY_ID, which attachments share. Required: an
 * attachment outlives the process, so a key generated for this process alone would lose it.
 */
export function attachmentKeyring(env: NodeJS.ProcessEnv = process.env): Keyring {
  const keyring = keyringFromEnv(env);
  if (!keyring) {
    throw new AttachmentRefusedError(
      reject(
        'INVALID',
        `附件须加密存储，但未设置 ${KEYS_ENV} / attachments are stored encrypted and ${KEYS_ENV} is not set`,
        {
          field: KEYS_ENV,
          rule: 'codec-keys',
          fix: `设置与 worker 相同的 ${KEYS_ENV}（kczg dev：export ${KEYS_ENV}=$(cat <data-dir>/codec-keys)）/ set the workers' ${KEYS_ENV}`,
        },
      ),
    );
  }
  return keyring;
}

export class AttachmentStore {
  constructor(
    private readonly db: Records,
    private readonly files: FileStore,
    private readonly keyring: Keyring,
  ) {}

  /**
   * What `put` would store, checked and described, with nothing written: an upload of several
   * files checks them all before storing any.
   */
  async inspect(upload: AttachmentUpload): Promise<Omit<StoredAttachment, 'created'>> {
    if (!SLOT_ID.test(upload.slot)) {
      refuse(
        reject('INVALID', `附件栏目编号无效 / invalid attachment slot "${upload.slot}"`, {
          field: 'slot',
          rule: 'identifier',
          fix: "用表单中的栏目编号（小写字母、数字、连字符）/ use the form's slot id, e.g. business-licence",
        }),
      );
    }
    const content = await checkContent(upload.bytes, upload);
    if (!content.ok) return refuse(content.rejection);
    const name = sanitiseFileName(upload.name);
    if (!name.ok) return refuse(name.rejection);
    const ref: AttachmentRef = {
      sha256: createHash('sha256').update(upload.bytes).digest('hex'),
      name: name.value.name,
      slot: upload.slot,
      format: content.value.format,
      size: upload.bytes.length,
      ...(content.value.pages !== undefined ? { pages: content.value.pages } : {}),
    };
    return { ref, renamed: name.value.changed };
  }

  /** Checks, stores (once per content) and describes an upload; refuses with nothing stored. */
  async put(upload: AttachmentUpload): Promise<StoredAttachment> {
    const { ref, renamed } = await this.inspect(upload);
    const { sha256 } = ref;
    const known = await this.db
      .selectFrom('attachments')
      .select('sha256')
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (known) return { ref, created: false, renamed };
    // The object first, then its record: a crash between leaves an object without a record,
    // which the next upload of the same file writes again.
    await this.files.put(attachmentKey(sha256), this.encrypt(upload.bytes, sha256));
    const inserted = await this.db
      .insertInto('attachments')
      .values({
        sha256,
        format: ref.format,
        size: ref.size,
        pages: ref.pages ?? null,
        key_id: this.keyring.activeKeyId,
        created_at: sql<Date>`now()`,
      })
      .onConflict((c) => c.column('sha256').doNothing())
      .returning('sha256')
      .execute();
    return { ref, created: inserted.length > 0, renamed };
  }

  /** The plain content, decrypted and checked against its hash; the read is recorded first. */
  async get(sha256: string, reader: string, purpose: string): Promise<Buffer> {
    checkReader(reader, purpose);
    const record = await this.record(sha256);
    const stored = await this.files.get(attachmentKey(sha256));
    if (!stored) throw new Error(`附件内容缺失 / attachment ${sha256} has a record but no stored content`);
    const bytes = this.decrypt(stored, sha256);
    if (createHash('sha256').update(bytes).digest('hex') !== sha256 || bytes.length !== record.size) {
      throw new Error(`附件内容与其散列不符 / attachment ${sha256} does not match its hash`);
    }
    await this.db
      .insertInto('attachment_reads')
      .values({ sha256, reader, purpose, read_at: sql<Date>`now()` })
      .execute();
    return bytes;
  }

  /** The recorded reads, oldest first; of one attachment and/or one reader when given. */
  async reads(filter: { sha256?: string; reader?: string } = {}): Promise<AttachmentRead[]> {
    let query = this.db.selectFrom('attachment_reads').selectAll().orderBy('seq');
    if (filter.sha256 !== undefined) query = query.where('sha256', '=', filter.sha256);
    if (filter.reader !== undefined) query = query.where('reader', '=', filter.reader);
    return (await query.execute()).map((row) => ({
      sha256: row.sha256,
      reader: row.reader,
      purpose: row.purpose,
      readAt: new Date(row.read_at).getTime(),
    }));
  }

  /** The stored attachment's metadata; refused when there is none. */
  async record(
    sha256: string,
  ): Promise<{ format: AttachmentFormat; size: number; pages?: number; keyId: string }> {
    const row = SHA256_HEX.test(sha256)
      ? await this.db.selectFrom('attachments').selectAll().where('sha256', '=', sha256).executeTakeFirst()
      : undefined;
    if (!row || !(ATTACHMENT_FORMATS as readonly string[]).includes(row.format)) {
      return refuse(
        reject('INVALID', `没有此附件 / no attachment ${sha256.slice(0, 64)}`, {
          field: 'sha256',
          rule: 'unknown-attachment',
          fix: '使用 kczg attach 返回的 sha256 / use the sha256 that kczg attach printed',
        }),
      );
    }
    return {
      format: row.format as AttachmentFormat,
      size: row.size,
      ...(row.pages !== null ? { pages: row.pages } : {}),
      keyId: row.key_id,
    };
  }

  private encrypt(plain: Buffer, sha256: string): Buffer {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyring.keys.get(keyId);
    if (!key) throw new Error(`active key id "${keyId}" is not in the keyring`);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(sha256, 'ascii'));
    const id = Buffer.from(keyId, 'ascii');
    return Buffer.concat([
      Buffer.of(id.length),
      id,
      iv,
      cipher.update(plain),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
  }

  private decrypt(stored: Buffer, sha256: string): Buffer {
    const idEnd = 1 + stored[0];
    const keyId = stored.subarray(1, idEnd).toString('ascii');
    const key = this.keyring.keys.get(keyId);
    if (!key) {
      throw new Error(
        `附件 ${sha256} 以密钥 "${keyId}" 加密，KCZG_CODEC_KEYS 中没有该密钥 / attachment ${sha256} was encrypted with key id "${keyId}", which is not in KCZG_CODEC_KEYS: keep retired keys listed`,
      );
    }
    if (stored.length < idEnd + IV_BYTES + TAG_BYTES) throw new Error(`attachment ${sha256} is truncated`);
    const iv = stored.subarray(idEnd, idEnd + IV_BYTES);
    const tag = stored.subarray(stored.length - TAG_BYTES);
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(sha256, 'ascii'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([
        decipher.update(stored.subarray(idEnd + IV_BYTES, stored.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new Error(
        `附件 ${sha256} 解密失败：内容被改动，或密钥 "${keyId}" 不是加密时所用 / attachment ${sha256} failed authentication: altered, or key "${keyId}" is not the one it was encrypted with`,
      );
    }
  }
}
