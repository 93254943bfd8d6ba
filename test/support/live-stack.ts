/**
 * A test file's embedded dev-server stack with its worker polling in the background, a temp
 * folder, and a `kczg` runner pointed at the stack: started in beforeAll, and everything (spawned
 * commands, worker, server, folder) stopped in afterAll.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliRunner } from './cli';
import { startTestStack, type TestStack } from './stack';

export interface LiveStack {
  /** Set once beforeAll has run. */
  readonly stack: TestStack;
  readonly dir: string;
  readonly cli: CliRunner;
  /** Writes `value` as JSON into the folder; returns the file's path (for `kczg … --results <file>`). */
  writeJson(name: string, value: unknown): string;
}

export function liveStack(prefix: string): LiveStack {
  let stack: TestStack | undefined;
  let dir: string | undefined;
  let stopWorker: () => void = () => undefined;
  let workerDone: Promise<void> | undefined;
  const cli = new CliRunner({ address: () => (stack as TestStack).env.address });
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    stack = await startTestStack('dev');
    workerDone = stack.withWorker(
      () =>
        new Promise<void>((resolve) => {
          stopWorker = resolve;
        }),
    );
  });
  afterAll(async () => {
    await cli.stopAll();
    stopWorker();
    await workerDone?.catch(() => undefined);
    await stack?.shutdown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    get stack() {
      if (!stack) throw new Error('the stack starts in beforeAll');
      return stack;
    },
    get dir() {
      if (!dir) throw new Error('the folder is made in beforeAll');
      return dir;
    },
    cli,
    writeJson(name, value) {
      const file = path.join(this.dir, name);
      fs.writeFileSync(file, JSON.stringify(value, null, 2));
      return file;
    },
  };
}
