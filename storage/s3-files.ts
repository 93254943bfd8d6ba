/**
 * Files in an S3-compatible bucket (AWS S3, versitygw, …), for workers on several machines.
 * A PUT is atomic in S3: readers see the whole old object or the whole new one.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { checkKey, describeContent, type FileStore, type StoredFile } from './files';

export interface S3Config {
  /** The endpoint, e.g. http://127.0.0.1:7070 or https://s3.example.org. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** KCZG_S3_URL, KCZG_S3_BUCKET, KCZG_S3_ACCESS_KEY, KCZG_S3_SECRET_KEY (KCZG_S3_REGION optional). */
export function s3ConfigFromEnv(env: NodeJS.ProcessEnv): S3Config | undefined {
  const endpoint = env.KCZG_S3_URL?.trim();
  if (!endpoint) return undefined;
  const missing = ['KCZG_S3_BUCKET', 'KCZG_S3_ACCESS_KEY', 'KCZG_S3_SECRET_KEY'].filter(
    (name) => !env[name]?.trim(),
  );
  if (!/^https?:\/\/[^/]/.test(endpoint)) missing.unshift('KCZG_S3_URL (http(s)://host:port)');
  if (missing.length > 0) {
    throw new Error(`对象存储配置不完整 / S3 storage configuration is incomplete: set ${missing.join(', ')}`);
  }
  return {
    endpoint,
    bucket: (env.KCZG_S3_BUCKET as string).trim(),
    region: env.KCZG_S3_REGION?.trim() || 'us-east-1',
    accessKeyId: (env.KCZG_S3_ACCESS_KEY as string).trim(),
    secretAccessKey: (env.KCZG_S3_SECRET_KEY as string).trim(),
  };
}

export class S3FileStore implements FileStore {
  private readonly client: S3Client;

  constructor(private readonly config: S3Config) {
    this.client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      // Path-style addressing: self-hosted servers rarely have per-bucket DNS names.
      forcePathStyle: true,
    });
  }

  locate(prefix: string): string {
    return `s3://${this.config.bucket}/${prefix}`;
  }

  async put(key: string, content: Buffer | string): Promise<StoredFile> {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const stored = describeContent(checkKey(key), bytes);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.config.bucket,
        Key: key,
        Body: bytes,
        Metadata: { sha256: stored.sha256 },
      }),
    );
    return stored;
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.config.bucket, Key: checkKey(key) }),
      );
      return object.Body ? Buffer.from(await object.Body.transformToByteArray()) : Buffer.alloc(0);
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.config.bucket, Prefix: prefix, ContinuationToken }),
      );
      keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys.sort();
  }

  close(): void {
    this.client.destroy();
  }
}
