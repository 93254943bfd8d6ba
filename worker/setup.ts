/**
 * A namespace's set-up for kczg: the search attributes KczgProgramme, KczgYear and KczgStage, which
 * cycles are started with (the Web UI and `temporal workflow list` filter on them). `kczg setup`
 * registers them on any Temporal (dev server, self-hosted, Cloud through envconfig); `kczg worker`
 * checks them at start, and `kczg cycle start` explains the server's refusal when they are missing.
 */
import type { ConnectionLike } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { status } from '@grpc/grpc-js';
import { searchAttributeKeys } from '../workflows/search-attributes';

export const SEARCH_ATTRIBUTE_NAMES = searchAttributeKeys.map((key) => key.name);

type IndexedValueType = temporal.api.enums.v1.IndexedValueType;

function indexedTypeOf(key: (typeof searchAttributeKeys)[number]): IndexedValueType {
  const name = `INDEXED_VALUE_TYPE_${TypedSearchAttributes.toMetadataType(key.type).toUpperCase()}`;
  return temporal.api.enums.v1.IndexedValueType[name as keyof typeof temporal.api.enums.v1.IndexedValueType];
}

/** What to run when the attributes are missing: the same words everywhere. */
export const SETUP_FIX =
  '运行 kczg setup（使用与 worker 相同的 TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE/--profile）/ run `kczg setup` ' +
  '(with the same TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / --profile as the worker)';

/** The namespace lacks kczg's search attributes: exit 1 with the fix (client/cli/failure.ts). */
export class SetupRequiredError extends Error {
  readonly failure: { code: 'SETUP_REQUIRED'; message: string; fix: string };

  constructor(namespace: string, missing: string[]) {
    const message =
      `命名空间 ${namespace} 缺少搜索属性 ${missing.join(', ')} / namespace ${namespace} lacks the search ` +
      `attributes ${missing.join(', ')}`;
    super(message);
    this.name = 'SetupRequiredError';
    this.failure = { code: 'SETUP_REQUIRED', message, fix: SETUP_FIX };
  }
}

const grpcCode = (error: unknown) => (error as { code?: number }).code;

/**
 * kczg's attributes the namespace lacks; undefined when the server cannot list them (the
 * time-skipping test server) or this caller may not (a Cloud API key without the role): then no
 * one can tell, and a worker starts anyway.
 */
export async function missingSearchAttributes(
  connection: ConnectionLike,
  namespace: string,
): Promise<string[] | undefined> {
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    return SEARCH_ATTRIBUTE_NAMES.filter((name) => !(name in (customAttributes ?? {})));
  } catch (error) {
    if (grpcCode(error) === status.UNIMPLEMENTED || grpcCode(error) === status.PERMISSION_DENIED)
      return undefined;
    throw error;
  }
}

/** Throws SetupRequiredError when the namespace lacks any of kczg's search attributes. */
export async function requireSearchAttributes(connection: ConnectionLike, namespace: string): Promise<void> {
  const missing = await missingSearchAttributes(connection, namespace);
  if (missing && missing.length > 0) throw new SetupRequiredError(namespace, missing);
}

export interface SetupResult {
  namespace: string;
  registered: string[];
  existing: string[];
}

/**
 * Registers the missing attributes (idempotent: a second run registers nothing). Temporal Cloud
 * refuses this call to API keys without the namespace-admin role; the error then says so.
 */
export async function registerSearchAttributes(
  connection: ConnectionLike,
  namespace = 'default',
): Promise<SetupResult> {
  const missing = (await missingSearchAttributes(connection, namespace)) ?? SEARCH_ATTRIBUTE_NAMES;
  const existing = SEARCH_ATTRIBUTE_NAMES.filter((name) => !missing.includes(name));
  if (missing.length === 0) return { namespace, registered: [], existing };
  const searchAttributes = Object.fromEntries(
    searchAttributeKeys
      .filter((key) => missing.includes(key.name))
      .map((key) => [key.name, indexedTypeOf(key)]),
  );
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (error) {
    // Registered meanwhile by another process: nothing left to do.
    if (grpcCode(error) === status.ALREADY_EXISTS)
      return { namespace, registered: [], existing: SEARCH_ATTRIBUTE_NAMES };
    if (grpcCode(error) === status.PERMISSION_DENIED) {
      throw new Error(
        `无权在命名空间 ${namespace} 上注册搜索属性（Temporal Cloud 需要命名空间管理员；或在 Cloud UI / tcld 中添加 ` +
          `${missing.join(', ')}）/ not allowed to add search attributes on ${namespace}: on Temporal Cloud use a ` +
          `namespace-admin API key, or add ${missing.join(', ')} in the Cloud UI or with tcld (${(error as Error).message})`,
        { cause: error },
      );
    }
    throw error;
  }
  return { namespace, registered: missing, existing };
}
