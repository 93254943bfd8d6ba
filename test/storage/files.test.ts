/**
 * The file store on both backends: a folder, and a real S3-compatible server (versitygw, POSIX
 * backend, loopback) started by the test. Put/get/list by key, overwrite, sha256, bad keys.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startVersitygw, type S3Server } from '../../servers/versitygw';
import { fileStoreFromEnv } from '../../storage';
import { copyFiles, FsFileStore, type FileStore } from '../../storage/files';
import { S3FileStore, s3ConfigFromEnv } from '../../storage/s3-files';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-files-'));
let s3: S3Server | undefined;
const s3Stores: S3FileStore[] = [];

beforeAll(async () => {
  s3 = await startVersitygw((line) => process.stderr.write(`[s3] ${line}\n`));
}, 600_000);

afterAll(async () => {
  s3Stores.forEach((store) => store.close());
  await s3?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

const backends: Array<[string, () => FileStore]> = [
  ['a folder', () => new FsFileStore(fs.mkdtempSync(path.join(root, 'fs-')))],
  [
    'an S3-compatible server',
    () => {
      const store = new S3FileStore((s3 as S3Server).config);
      s3Stores.push(store);
      return store;
    },
  ],
];

describe.each(backends)('file store on %s', (_name, storeFor) => {
  let store: FileStore;
  beforeAll(() => {
    store = storeFor();
  });

  it('puts and gets by key, returning the sha256 and size of what it stored', async () => {
    const csv = '序号,名称\r\n1,量子芯片\r\n';
    expect(await store.put('published/national-2023/pioneer-tech.csv', csv)).toEqual({
      key: 'published/national-2023/pioneer-tech.csv',
      sha256: sha256(csv),
      size: Buffer.byteLength(csv),
    });
    expect((await store.get('published/national-2023/pioneer-tech.csv'))?.toString('utf8')).toBe(csv);
    const xlsx = Buffer.from([0x50, 0x4b, 3, 4, 0, 255]);
    await store.put('published/national-2023/pioneer-tech.xlsx', xlsx);
    expect(await store.get('published/national-2023/pioneer-tech.xlsx')).toEqual(xlsx);
  });

  it('an overwrite replaces the whole content; a missing key reads as undefined', async () => {
    await store.put('published/p/list.json', '{"rows":[1,2,3]}');
    await store.put('published/p/list.json', '{}');
    expect((await store.get('published/p/list.json'))?.toString('utf8')).toBe('{}');
    expect(await store.get('published/p/absent.json')).toBeUndefined();
  });

  it('lists the keys under a prefix, sorted', async () => {
    await store.put('published/q/b.csv', 'b');
    await store.put('published/q/a.csv', 'a');
    await store.put('other/q/c.csv', 'c');
    expect(await store.list('published/q/')).toEqual(['published/q/a.csv', 'published/q/b.csv']);
    expect(await store.list('nothing-here/')).toEqual([]);
  });

  it('refuses keys that would leave the store', async () => {
    for (const key of ['../escape.csv', '/etc/passwd', 'a//b', 'a/./b', '']) {
      await expect(store.put(key, 'x')).rejects.toThrow(/invalid file key/);
    }
  });
});

describe('file store on a folder, after a crash mid-write', () => {
  it('leaves the old file whole and lists no temporary file', async () => {
    const store = new FsFileStore(path.join(root, 'crash'));
    await store.put('published/s/list.csv', 'old');
    // What a writer killed before its rename leaves behind.
    fs.writeFileSync(path.join(store.root, 'published', 's', 'list.csv.0a1b.kczg-tmp'), 'ne');
    expect(await store.list('published/')).toEqual(['published/s/list.csv']);
    expect((await store.get('published/s/list.csv'))?.toString('utf8')).toBe('old');
  });
});

describe('between stores and from the environment', () => {
  it('copies a prefix from the folder into the bucket, byte for byte', async () => {
    const folder = new FsFileStore(path.join(root, 'copy-source'));
    await folder.put('published/r/x.csv', 'x');
    await folder.put('published/r/y.html', '<p>y</p>');
    const bucket = new S3FileStore((s3 as S3Server).config);
    s3Stores.push(bucket);
    const copied = await copyFiles(folder, bucket, 'published/r/');
    expect(copied.map((c) => [c.key, c.sha256])).toEqual([
      ['published/r/x.csv', sha256('x')],
      ['published/r/y.html', sha256('<p>y</p>')],
    ]);
    expect((await bucket.get('published/r/y.html'))?.toString('utf8')).toBe('<p>y</p>');
  });

  it('uses the data folder unless KCZG_S3_URL names a bucket; an incomplete S3 setting is an error', () => {
    const dataDir = path.join(root, 'data');
    expect(fileStoreFromEnv({}, dataDir).locate('published/p')).toBe(path.join(dataDir, 'published', 'p'));
    const env = {
      KCZG_S3_URL: 'http://127.0.0.1:7070',
      KCZG_S3_BUCKET: 'kczg',
      KCZG_S3_ACCESS_KEY: 'a',
      KCZG_S3_SECRET_KEY: 's',
    };
    const fromEnv = fileStoreFromEnv(env, dataDir);
    expect(fromEnv.locate('published/p/')).toBe('s3://kczg/published/p/');
    (fromEnv as S3FileStore).close();
    expect(() => s3ConfigFromEnv({ KCZG_S3_URL: 'http://127.0.0.1:7070' })).toThrow(
      /KCZG_S3_BUCKET, KCZG_S3_ACCESS_KEY, KCZG_S3_SECRET_KEY/,
    );
    expect(() => s3ConfigFromEnv({ ...env, KCZG_S3_URL: 's3.example.org' })).toThrow(/KCZG_S3_URL \(http/);
  });
});
