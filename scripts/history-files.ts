/** Committed workflow histories as files: where they live, their names, and their JSON form. */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

/** The repository root: the nearest folder above this module with package.json (src or dist). */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && path.basename(dir) !== 'dist') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

export const DEFAULT_HISTORIES_DIR = path.join(repoRoot(), 'test', 'histories');

/**
 * A history file is named after its workflow id, ':' written as '~' (portable file names), so the
 * replay test knows which workflow id to replay it under: `kczg~national-2023~unit~cie.json`.
 */
export function historyFileName(workflowId: string): string {
  return `${workflowId.replaceAll(':', '~')}.json`;
}

export function workflowIdOfHistoryFile(file: string): string {
  return path.basename(file, '.json').replaceAll('~', ':');
}

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}

/**
 * The SDK's historyToJSON / historyFromJSON, with a fallback for installs where npm left
 * @temporalio/common and @temporalio/proto with separate copies of protobufjs: the SDK's helpers
 * then throw "type must be a Type" (protojson checks `instanceof Type` against its own copy). The
 * fallback uses the protojson of the copy @temporalio/proto's types were built with. Same
 * output: canonical proto3 JSON, as `temporal workflow show --output json` writes it.
 */
function protoJsonOfProtoPackage(): { json: ProtoJson; historyType: unknown } {
  const protoDir = path.dirname(require.resolve('@temporalio/proto'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const json = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
  const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
  return { json, historyType: root.lookupType('temporal.api.history.v1.History') };
}

const isDuplicateProtobufError = (error: unknown) =>
  error instanceof TypeError && /must be a Type/.test(error.message);

export function historyToJson(history: History): string {
  try {
    return historyToJSON(history);
  } catch (error) {
    if (!isDuplicateProtobufError(error)) throw error;
    const { json, historyType } = protoJsonOfProtoPackage();
    const message = (proto.temporal.api.history.v1.History as { fromObject(o: unknown): unknown }).fromObject(
      history,
    );
    return JSON.stringify(json.toJson(historyType, message), null, 2);
  }
}

/** Parses a history file written by historyToJson (canonical enum names, as the SDK writes them). */
export function historyFromJson(parsed: unknown): History {
  try {
    return historyFromJSON(parsed);
  } catch (error) {
    if (!isDuplicateProtobufError(error)) throw error;
    const { json, historyType } = protoJsonOfProtoPackage();
    const history = json.fromJson(historyType, parsed, { ignoreUnknownFields: true });
    if (!history) throw new TypeError('Invalid history', { cause: error });
    return history;
  }
}
