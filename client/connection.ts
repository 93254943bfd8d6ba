/**
 * Connection settings through @temporalio/envconfig: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS_* and TOML profiles. One code path for the local dev server, a
 * self-hosted cluster and Temporal Cloud.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnection } from '@temporalio/worker';
import { dataConverterFor, resolveCodecChoice, type CodecChoice } from '../codec/data-converter';

export interface ConnectionChoice {
  /** Overrides TEMPORAL_ADDRESS and the profile's address. */
  address?: string;
  namespace?: string;
  profile?: string;
  /**
   * Payload encryption. Default: the KCZG_CODEC_KEYS codec (KCZG_CODEC_KEY_ID encrypts), or
   * unencrypted with a warning printed once on stderr. Workers must use the same keys.
   */
  codec?: CodecChoice;
}

function resolve(choice: ConnectionChoice) {
  const config = loadClientConnectConfig({ profile: choice.profile });
  const connectionOptions = {
    ...config.connectionOptions,
    ...(choice.address ? { address: choice.address } : {}),
  };
  if (!connectionOptions.address) connectionOptions.address = 'localhost:7233';
  return { connectionOptions, namespace: choice.namespace ?? config.namespace ?? 'default' };
}

export async function connectClient(
  choice: ConnectionChoice = {},
): Promise<{ client: Client; connection: Connection; namespace: string }> {
  const { connectionOptions, namespace } = resolve(choice);
  const dataConverter = dataConverterFor(resolveCodecChoice(choice.codec));
  const connection = await Connection.connect(connectionOptions as Parameters<typeof Connection.connect>[0]);
  return { client: new Client({ connection, namespace, dataConverter }), connection, namespace };
}

export async function connectWorker(
  choice: ConnectionChoice = {},
): Promise<{ connection: NativeConnection; namespace: string }> {
  const { connectionOptions, namespace } = resolve(choice);
  // The worker package is heavy (the native core): loaded only by the commands that run a worker.
  const { NativeConnection } = await import('@temporalio/worker');
  return { connection: await NativeConnection.connect(connectionOptions), namespace };
}
