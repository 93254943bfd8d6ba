/**
 * What a command writes, and the guarantee that all of it is written before the process exits.
 * A piped stdout is asynchronous in Node: `process.exit` right after a write cut `--json` answers
 * at the pipe's 64 KiB. Every write goes through here; `flushOutput()` resolves once the last
 * write to each stream has been handed to the operating system.
 */
import { withRfc3339Instants } from '../instants';

let stdoutWritten: Promise<void> = Promise.resolve();
let stderrWritten: Promise<void> = Promise.resolve();

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  // The callback runs when the chunk is flushed, or with the error (EPIPE: the reader left);
  // either way nothing more is coming for it.
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

export function writeStdout(text: string): void {
  const previous = stdoutWritten;
  const current = write(process.stdout, text);
  stdoutWritten = Promise.all([previous, current]).then(() => undefined);
}

export function writeStderr(text: string): void {
  const previous = stderrWritten;
  const current = write(process.stderr, text);
  stderrWritten = Promise.all([previous, current]).then(() => undefined);
}

/** Resolves when everything written so far has left the process. */
export async function flushOutput(): Promise<void> {
  await Promise.all([stdoutWritten, stderrWritten]);
}

/** A reader that goes away (`kczg … --json | head`) is not a failure of the command. */
export function ignoreClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

/** `--json` output: one document, instants as RFC 3339 with +08:00 (client/instants.ts). */
export function renderJson(data: unknown): string {
  return `${JSON.stringify(withRfc3339Instants(data), null, 2)}\n`;
}
