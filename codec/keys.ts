/**
 * Payload encryption keys, from the environment:
 *
 *   KCZG_CODEC_KEYS    comma-separated `keyId:base64key`, each key 32 bytes (AES-256);
 *                      keep retired keys listed as long as histories encrypted with them are kept
 *   KCZG_CODEC_KEY_ID  the key new payloads are encrypted with (optional when only one key is listed)
 *
 * Generate a key with `openssl rand -base64 32`. Key material never appears in an error or a log
 * line: only key ids do. Any malformed setting is an error, never a silent fall-back to plaintext.
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

export const KEYS_ENV = 'KCZG_CODEC_KEYS';
export const ACTIVE_KEY_ENV = 'KCZG_CODEC_KEY_ID';
export const KEY_BYTES = 32;
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const GENERATE_HINT = 'generate a key with: openssl rand -base64 32';

/** A codec setting in the environment is malformed; the message names the variable and the fix. */
export class CodecConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecConfigError';
  }
}

export interface Keyring {
  /** New payloads are encrypted with this key; its id goes into each payload's metadata. */
  readonly activeKeyId: string;
  readonly keys: ReadonlyMap<string, KeyObject>;
  /** Generated for this process only: what it encrypts cannot be decrypted once the process ends. */
  readonly ephemeral: boolean;
}

export function isValidKeyId(id: string): boolean {
  return KEY_ID_PATTERN.test(id);
}

function decodeKey(id: string, text: string): KeyObject {
  // Standard or URL-safe base64, padded or not.
  const normalised = text.replace(/-/g, '+').replace(/_/g, '/');
  const bare = normalised.replace(/=+$/, '');
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(normalised) ? Buffer.from(normalised, 'base64') : undefined;
  if (!bytes || bytes.toString('base64').replace(/=+$/, '') !== bare) {
    throw new CodecConfigError(`${KEYS_ENV}: key "${id}" is not valid base64 (${GENERATE_HINT})`);
  }
  try {
    if (bytes.length !== KEY_BYTES) {
      throw new CodecConfigError(
        `${KEYS_ENV}: key "${id}" is ${bytes.length} bytes; AES-256 needs exactly ${KEY_BYTES} (${GENERATE_HINT})`,
      );
    }
    if (bytes.every((b) => b === 0)) {
      throw new CodecConfigError(
        `${KEYS_ENV}: key "${id}" is all zero bytes, a placeholder (${GENERATE_HINT})`,
      );
    }
    return createSecretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}

/**
 * The keyring configured in `env`, or undefined when KCZG_CODEC_KEYS is unset or empty.
 * Throws CodecConfigError on anything malformed.
 */
export function keyringFromEnv(env: NodeJS.ProcessEnv = process.env): Keyring | undefined {
  const raw = env[KEYS_ENV]?.trim() ?? '';
  const active = env[ACTIVE_KEY_ENV]?.trim() || undefined;
  if (!raw) {
    if (active) {
      throw new CodecConfigError(
        `${ACTIVE_KEY_ENV}=${JSON.stringify(active)} is set but ${KEYS_ENV} is empty: set ${KEYS_ENV}="${active}:<base64 key>" (${GENERATE_HINT})`,
      );
    }
    return undefined;
  }
  const keys = new Map<string, KeyObject>();
  raw.split(',').forEach((entry, index) => {
    const item = entry.trim();
    if (!item) return;
    const colon = item.indexOf(':');
    const id = colon > 0 ? item.slice(0, colon).trim() : '';
    // The entry itself is not echoed: a misplaced separator could put key material in it.
    if (!isValidKeyId(id)) {
      throw new CodecConfigError(
        `${KEYS_ENV}: entry ${index + 1} is not "keyId:base64key" with a key id of 1–64 letters, digits, ".", "_" or "-"`,
      );
    }
    if (keys.has(id)) throw new CodecConfigError(`${KEYS_ENV}: key id "${id}" is listed twice`);
    keys.set(id, decodeKey(id, item.slice(colon + 1).trim()));
  });
  if (keys.size === 0) throw new CodecConfigError(`${KEYS_ENV} lists no keys (${GENERATE_HINT})`);
  const ids = [...keys.keys()];
  if (!active && keys.size > 1) {
    throw new CodecConfigError(
      `${ACTIVE_KEY_ENV} must name the key that encrypts new payloads: one of ${ids.join(', ')}`,
    );
  }
  const activeKeyId = active ?? ids[0];
  if (!keys.has(activeKeyId)) {
    throw new CodecConfigError(
      `${ACTIVE_KEY_ENV}=${JSON.stringify(activeKeyId)} is not a key id in ${KEYS_ENV} (${ids.join(', ')})`,
    );
  }
  return { activeKeyId, keys, ephemeral: false };
}

/** True when the environment asks for encryption (it may still be malformed). */
export function codecKeysConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env[KEYS_ENV]?.trim() || env[ACTIVE_KEY_ENV]?.trim());
}

/** A fresh random key for this process only (the embedded stack's default). */
export function ephemeralKeyring(): Keyring {
  const id = `ephemeral-${randomBytes(4).toString('hex')}`;
  return { activeKeyId: id, keys: new Map([[id, createSecretKey(randomBytes(KEY_BYTES))]]), ephemeral: true };
}

/** A keyring from raw keys: tests and tools that hold keys other than in the environment. */
export function keyringOf(keys: Record<string, Uint8Array>, activeKeyId: string): Keyring {
  const map = new Map<string, KeyObject>();
  for (const [id, bytes] of Object.entries(keys)) {
    if (!isValidKeyId(id)) throw new CodecConfigError(`key id "${id}" is not 1–64 of A–Z a–z 0–9 . _ -`);
    if (bytes.length !== KEY_BYTES) throw new CodecConfigError(`key "${id}" must be ${KEY_BYTES} bytes`);
    map.set(id, createSecretKey(Buffer.from(bytes)));
  }
  if (!map.has(activeKeyId))
    throw new CodecConfigError(`active key id "${activeKeyId}" is not among the keys`);
  return { activeKeyId, keys: map, ephemeral: false };
}

let warnedUnencrypted = false;

/** Prints, once per process, that payloads leave this process unencrypted. */
export function warnUnencryptedOnce(
  write: (text: string) => void = (text) => process.stderr.write(text),
): void {
  if (warnedUnencrypted) return;
  warnedUnencrypted = true;
  write(
    `kczg: 警告 / warning: ${KEYS_ENV} 未设置，载荷（候选人姓名、身份标识、联系人）以明文发送给 Temporal / ` +
      `is not set: payloads (candidate names, identities, contacts) go to Temporal UNENCRYPTED. ` +
      `Set ${KEYS_ENV}=<keyId>:<base64 32-byte key> and ${ACTIVE_KEY_ENV}=<keyId> on every worker and client (${GENERATE_HINT}).\n`,
  );
}
