/**
 * Data converters for kczg's clients and workers: the AES-GCM codec on every payload plus
 * failure messages moved into (encrypted) payloads. One policy per kind of process:
 * - `kczg worker` and CLI clients: the KCZG_CODEC_KEYS keys; none configured → unencrypted, with a
 *   warning printed once on stderr;
 * - the embedded stack (`kczg rehearse`, `kczg dev`, tests, bench): the KCZG_CODEC_KEYS keys, else
 *   an ephemeral key for the run, logged.
 */
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec';
import { ACTIVE_KEY_ENV, ephemeralKeyring, KEYS_ENV, keyringFromEnv, warnUnencryptedOnce } from './keys';

/** `failureConverter` export: see codec/failure-converter.ts. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/** What a process encrypts with: a codec, or `'none'` (plaintext, deliberately). */
export type CodecChoice = PayloadCodec | 'none';

export function encryptingDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** The data converter for a choice; undefined (the SDK default) for `'none'`. */
export function dataConverterFor(choice: CodecChoice): DataConverter | undefined {
  return choice === 'none' ? undefined : encryptingDataConverter(choice);
}

/** The codec the environment configures; undefined when KCZG_CODEC_KEYS is unset. Throws if malformed. */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): AesGcmCodec | undefined {
  const keyring = keyringFromEnv(env);
  return keyring && new AesGcmCodec(keyring);
}

/**
 * Clients and `kczg worker`: the environment's codec, or `'none'` after a one-time warning.
 * `choice` wins when given (an explicit codec, or `'none'`).
 */
export function resolveCodecChoice(
  choice?: CodecChoice,
  env: NodeJS.ProcessEnv = process.env,
  warn: (text: string) => void = (text) => process.stderr.write(text),
): CodecChoice {
  if (choice !== undefined) return choice;
  const codec = codecFromEnv(env);
  if (codec) return codec;
  warnUnencryptedOnce(warn);
  return 'none';
}

/** The embedded stack: the environment's codec, else a fresh ephemeral key for this run (logged). */
export function resolveEmbeddedCodec(
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = () => undefined,
): AesGcmCodec {
  const configured = codecFromEnv(env);
  if (configured) {
    log(`载荷已加密 / payloads are encrypted with key ${configured.activeKeyId} (${KEYS_ENV})`);
    return configured;
  }
  const codec = new AesGcmCodec(ephemeralKeyring());
  log(
    `载荷使用临时密钥加密 / payloads are encrypted with an ephemeral key (${codec.activeKeyId}) for this run ` +
      `only: other kczg processes and later runs cannot read them. Set ${KEYS_ENV} and ${ACTIVE_KEY_ENV} ` +
      `to share a key (generate one with: openssl rand -base64 32).`,
  );
  return codec;
}
