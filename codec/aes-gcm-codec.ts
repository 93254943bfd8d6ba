/**
 * The payload codec that keeps personal data (candidate names, identities, contacts, review
 * results) out of the Temporal server's database: AES-256-GCM over the whole serialised payload,
 * the Temporal samples' encryption format, so their codecs and codec servers interoperate:
 *
 *   metadata  encoding: binary/encrypted, encryption-key-id: <key id>
 *   data      iv (12 bytes) | ciphertext | GCM tag (16 bytes)
 *             of temporal.api.common.v1.Payload.encode(original).finish()
 *
 * Decoding picks the key by the payload's key id, so payloads written before a key rotation still
 * decode while the old key stays listed. Payloads without the encrypted encoding pass through
 * unchanged: histories recorded before encryption was switched on (and the committed replay
 * histories) keep working.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ACTIVE_KEY_ENV, KEYS_ENV, type Keyring } from './keys';

export const ENCODING_ENCRYPTED = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload that cannot be decrypted: unknown key id, altered bytes, or malformed metadata. */
export class PayloadDecryptionError extends Error {
  constructor(
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const text = (bytes: Uint8Array | null | undefined): string | undefined =>
  bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : undefined;
/** Metadata comes from the server: quote it and cut it short before it reaches a message or a log. */
const quoted = (value: string): string =>
  JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);

export function isEncryptedPayload(payload: Payload): boolean {
  return text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCODING_ENCRYPTED;
}

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {
    if (!keyring.keys.has(keyring.activeKeyId)) {
      throw new Error(`active key id ${quoted(keyring.activeKeyId)} is not in the keyring`);
    }
  }

  get activeKeyId(): string {
    return this.keyring.activeKeyId;
  }

  get keyIds(): string[] {
    return [...this.keyring.keys.keys()];
  }

  get ephemeral(): boolean {
    return this.keyring.ephemeral;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  encrypt(payload: Payload): Payload {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyring.keys.get(keyId);
    if (!key) throw new Error(`active key id ${quoted(keyId)} is not in the keyring`);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCODING_ENCRYPTED), [METADATA_KEY_ID]: utf8(keyId) },
      data,
    };
  }

  decrypt(payload: Payload): Payload {
    if (!isEncryptedPayload(payload)) return payload;
    const keyId = text(payload.metadata?.[METADATA_KEY_ID]);
    if (!keyId) {
      throw new PayloadDecryptionError(
        `encrypted payload has no "${METADATA_KEY_ID}" metadata, so no key can be chosen to decrypt it`,
      );
    }
    const key = this.keyring.keys.get(keyId);
    if (!key) throw new PayloadDecryptionError(this.unknownKeyMessage(keyId), keyId);
    const data = payload.data;
    if (!data || data.byteLength < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(
        `encrypted payload (key id ${quoted(keyId)}) is too short to hold an IV and a tag: it was truncated`,
        keyId,
      );
    }
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const iv = bytes.subarray(0, IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const ciphertext = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `encrypted payload failed authentication with key id ${quoted(keyId)}: it was altered, or the key ` +
          `listed under that id in ${KEYS_ENV} is not the one it was encrypted with`,
        keyId,
      );
    }
    try {
      return temporal.api.common.v1.Payload.decode(plaintext);
    } catch (error) {
      throw new PayloadDecryptionError(
        `decrypted payload (key id ${quoted(keyId)}) is not a serialised Payload: ${(error as Error).message}`,
        keyId,
      );
    }
  }

  private unknownKeyMessage(keyId: string): string {
    const configured = this.keyIds.join(', ');
    const ephemeral = this.keyring.ephemeral
      ? ` This process uses only an ephemeral key (${configured}) because ${KEYS_ENV} is not set: ` +
        `set the same ${KEYS_ENV} and ${ACTIVE_KEY_ENV} for every kczg process that shares the server.`
      : ` Add "${keyId}:<base64 key>" to ${KEYS_ENV} (configured: ${configured}); keep retired keys ` +
        `listed while histories encrypted with them are retained.`;
    return `payload was encrypted with key id ${quoted(keyId)}, which is not in ${KEYS_ENV}.${ephemeral}`;
  }
}
