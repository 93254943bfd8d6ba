/**
 * A private temporary folder for tools that only read and write files on disk (Chromium printing
 * a page to PDF). Nothing in it is kept: what matters is read back and put into a store, and the
 * folder is removed when `use` settles.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsFileStore } from './files';

export async function withScratchFolder<T>(use: (scratch: FsFileStore) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kczg-scratch-'));
  try {
    return await use(new FsFileStore(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
