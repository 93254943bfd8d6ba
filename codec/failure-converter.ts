/**
 * Loaded by path (`DataConverter.failureConverterPath`): moves failure messages and stack traces
 * into `encodedAttributes`, a payload the codec encrypts. An SMTP error quoting a recipient's
 * address, say, then reaches the server's database only as ciphertext ("Encoded failure").
 * Decoding needs no setting: every SDK failure converter reads `encodedAttributes` back.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
