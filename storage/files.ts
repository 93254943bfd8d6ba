/**
 * Files by key: the published lists now, attachments next. One small interface with two
 * backends: a folder (the embedded default) and an S3-compatible bucket (s3-files.ts) for
 * several machines. Keys are relative paths ("published/national-2023/pioneer-tech.csv"); a
 * write is atomic (readers see the old file or the new one, never a part) and returns the
 * content's sha256, by which later records refer to it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export interface StoredFile {
  key: string;
  /** Hex sha256 of the content. */
  sha256: string;
  size: number;
}

export interface FileStore {
  /** Where the files under `prefix` are, for people: a folder or an s3:// address. */
  locate(prefix: string): string;
  put(key: string, content: Buffer | string): Promise<StoredFile>;
  /** The content, or undefined when there is no such file. */
  get(key: string): Promise<Buffer | undefined>;
  /** Keys under `prefix` (a folder-like "a/b/"), sorted. */
  list(prefix: string): Promise<string[]>;
}

const SEGMENT = /^(?!\.{1,2}$)[^/\\\0]+$/;

/** Throws unless `key` is a relative path of plain segments (no "..", no absolute path). */
export function checkKey(key: string): string {
  if (!key.split('/').every((segment) => SEGMENT.test(segment))) {
    throw new Error(`文件键无效 / invalid file key "${key}": use relative segments without "." or ".."`);
  }
  return key;
}

export function describeContent(key: string, content: Buffer): StoredFile {
  return { key, sha256: createHash('sha256').update(content).digest('hex'), size: content.length };
}

const TEMPORARY_SUFFIX = '.kczg-tmp';

/** Files in a folder; writes go to a temporary file, flushed, then renamed over the target. */
export class FsFileStore implements FileStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  locate(prefix: string): string {
    return prefix ? path.join(this.root, checkKey(prefix.replace(/\/$/, ''))) : this.root;
  }

  async put(key: string, content: Buffer | string): Promise<StoredFile> {
    const target = path.join(this.root, checkKey(key));
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}${TEMPORARY_SUFFIX}`;
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temporary, target);
    return describeContent(key, bytes);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(path.join(this.root, checkKey(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const base = prefix.replace(/\/$/, '');
    let names: string[];
    try {
      names = (
        await readdir(base ? path.join(this.root, checkKey(base)) : this.root, {
          recursive: true,
          withFileTypes: true,
        })
      )
        .filter((entry) => entry.isFile() && !entry.name.endsWith(TEMPORARY_SUFFIX))
        .map((entry) => path.relative(this.root, path.join(entry.parentPath, entry.name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names.map((name) => name.split(path.sep).join('/')).sort();
  }
}

/** Copies every file under `prefix` from one store to another (same keys); returns the copies. */
export async function copyFiles(from: FileStore, to: FileStore, prefix: string): Promise<StoredFile[]> {
  const copied: StoredFile[] = [];
  for (const key of await from.list(prefix)) {
    const content = await from.get(key);
    if (content) copied.push(await to.put(key, content));
  }
  return copied;
}
