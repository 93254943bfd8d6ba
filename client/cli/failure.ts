/**
 * How a failed command ends: a rejection (the server's, or the CLI's own check of the input) is
 * printed with its code, field, rule and fix and exits 2; anything else exits 1 with a message
 * that says what to do where the SDK's own does not.
 */
import type { Rejection } from '../../domain/rejections';
import { renderJson, writeStderr, writeStdout } from './output';

const ENCRYPTED_PAYLOAD = 'Unknown encoding: binary/encrypted';

/** RejectionError, InputError, ImportFileError all carry one; so do the set-up checks. */
function rejectionOf(error: unknown): Rejection | undefined {
  if (!(error instanceof Error)) return undefined;
  const carried = (error as { rejection?: Rejection }).rejection;
  if (carried && typeof carried.code === 'string') return carried;
  if (error.name === 'ProgrammeFileError') {
    const { path, expected } = error as Error & { path: string; expected: string };
    return { code: 'INVALID', field: path, rule: 'programme-file', message: error.message, fix: expected };
  }
  return undefined;
}

/**
 * The SDK's message, with what to do: a client without KCZG_CODEC_KEYS reading an encrypted cycle
 * only gets "Unknown encoding: binary/encrypted".
 */
function describeFailure(message: string): string {
  if (message.includes(ENCRYPTED_PAYLOAD)) {
    return (
      '载荷已加密，本终端未设置密钥：请设置 KCZG_CODEC_KEYS（kczg dev 的密钥在其数据目录的 codec-keys 文件中）/ ' +
      'the payloads are encrypted and KCZG_CODEC_KEYS is not set here: set it to the keys of the workers ' +
      '(for kczg dev: export KCZG_CODEC_KEYS=$(cat <data-dir>/codec-keys))'
    );
  }
  return message;
}

/** A failure that is not the input's fault but has a known fix (e.g. SETUP_REQUIRED): exit 1. */
export interface KnownFailure {
  code: string;
  message: string;
  fix: string;
}

function knownFailureOf(error: unknown): KnownFailure | undefined {
  const failure = (error as { failure?: KnownFailure } | undefined)?.failure;
  return failure && typeof failure.code === 'string' ? failure : undefined;
}

/** Prints the failure (stdout with `--json`, else stderr) and returns the exit code. */
export function reportFailure(error: unknown, json: boolean): number {
  const rejection = rejectionOf(error);
  if (rejection) {
    if (json) writeStdout(renderJson({ error: rejection }));
    else
      writeStderr(
        `拒绝 / rejected [${rejection.code}]${rejection.field ? ` ${rejection.field}` : ''}: ${rejection.message}${rejection.fix ? `\n  → ${rejection.fix}` : ''}\n`,
      );
    return 2;
  }
  const known = knownFailureOf(error);
  if (known) {
    if (json) writeStdout(renderJson({ error: known }));
    else writeStderr(`失败 / failed [${known.code}]: ${known.message}\n  → ${known.fix}\n`);
    return 1;
  }
  const message = describeFailure(error instanceof Error ? error.message : String(error));
  if (json) writeStdout(renderJson({ error: { code: 'FAILURE', message } }));
  else writeStderr(`失败 / failed: ${message}\n`);
  return 1;
}
