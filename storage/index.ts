/**
 * kczg's storage: the only place that writes business data. Records (mail ledger, mail failures,
 * winners) go to PostgreSQL or the embedded PGlite; files (published lists) to a bucket or a
 * folder. Embedded defaults live in the data folder; KCZG_DATABASE_URL and KCZG_S3_URL move them
 * off the machine, so several workers share them.
 */
import { ApiTokenStore } from './api-tokens';
import { DraftStore } from './drafts';
import { FsFileStore, type FileStore } from './files';
import { MailLedger } from './mail-ledger';
import { openRecords, recordsConfigFromEnv, type OpenRecords, type RecordsConfig } from './records';
import { S3FileStore, s3ConfigFromEnv } from './s3-files';
import { WinnersStore } from './winners';

export { migrate } from './migrations';
export type { FileStore, StoredFile } from './files';
export type { RecordsConfig } from './records';

export interface Storage {
  records: OpenRecords;
  files: FileStore;
  ledger: MailLedger;
  winners: WinnersStore;
  /** Units' saved nomination forms. */
  drafts: DraftStore;
  /** API tokens issued through the portal, for revocation. */
  apiTokens: ApiTokenStore;
  /** Where records and files are, for the start-up log. */
  description: string;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** The data folder: the embedded database and the file folder live here unless configured away. */
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** Overrides the records backend chosen from the environment (tests). */
  records?: RecordsConfig;
  /** Overrides the file store chosen from the environment (tests). */
  files?: FileStore;
}

/** The file store the environment names: KCZG_S3_URL's bucket, else the data folder itself. */
export function fileStoreFromEnv(env: NodeJS.ProcessEnv, dataDir: string): FileStore {
  const s3 = s3ConfigFromEnv(env);
  return s3 ? new S3FileStore(s3) : new FsFileStore(dataDir);
}

/** Opens records (migrating them) and files; call once per process and close on exit. */
export async function openStorage(options: StorageOptions): Promise<Storage> {
  const env = options.env ?? process.env;
  const files = options.files ?? fileStoreFromEnv(env, options.dataDir);
  const records = await openRecords(options.records ?? recordsConfigFromEnv(env, options.dataDir));
  return {
    records,
    files,
    ledger: new MailLedger(records.db),
    winners: new WinnersStore(records.db),
    drafts: new DraftStore(records.db),
    apiTokens: new ApiTokenStore(records.db),
    description: `records: ${records.description}; files: ${files.locate('')}`,
    async close() {
      if (files instanceof S3FileStore) files.close();
      await records.close();
    },
  };
}
