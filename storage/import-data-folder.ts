/**
 * Moves what an older kczg kept in a worker's data folder into storage: the sent-mail ledger
 * (mail-ledger/*.json), the permanent mail failures (mail-ledger/undeliverable/*.json), the
 * winners registry (registry/winners.json) and the published files (published/**). Re-runnable:
 * what storage already holds is counted, not written again; an unreadable file is reported by
 * name and skipped, never half-imported. The folder itself is only read.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeContent, FsFileStore } from './files';
import type { Storage } from './index';
import type { WinnerRecord } from './winners';

export interface ImportCount {
  imported: number;
  /** Already in storage (an earlier run, or the same record written since). */
  present: number;
  /** Files that could not be read or parsed, relative to the data folder, with the reason. */
  unreadable: string[];
}

export interface DataFolderImport {
  dataDir: string;
  sentMail: ImportCount;
  mailFailures: ImportCount;
  winners: ImportCount;
  publishedFiles: ImportCount;
}

const emptyCount = (): ImportCount => ({ imported: 0, present: 0, unreadable: [] });

async function jsonFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => path.join(dir, entry.name))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The parsed file, or undefined when it is absent or unreadable (reported in `count`). */
async function readRecord<T>(
  dataDir: string,
  file: string,
  count: ImportCount,
  parse: (json: unknown) => T,
): Promise<T | undefined> {
  try {
    return parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    count.unreadable.push(`${path.relative(dataDir, file)}: ${(error as Error).message}`);
    return undefined;
  }
}

/** Imports each file's record with `add` (true: new, false: already present). */
async function importEach<T>(
  dataDir: string,
  files: string[],
  count: ImportCount,
  parse: (json: unknown) => T,
  add: (record: T) => Promise<boolean>,
): Promise<void> {
  for (const file of files) {
    const record = await readRecord(dataDir, file, count, parse);
    if (record === undefined) continue;
    if (await add(record)) count.imported++;
    else count.present++;
  }
}

function requireStrings<K extends string>(json: unknown, keys: K[]): Record<K, string> {
  const object = json as Record<string, unknown>;
  const missing = keys.filter((key) => typeof object?.[key] !== 'string');
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}`);
  return object as Record<K, string>;
}

/**
 * Why a registry entry cannot be recorded (the records require these), or undefined: one bad
 * entry is reported and skipped, the others still arrive.
 */
function winnerProblem(entry: unknown): string | undefined {
  const object = entry as Record<string, unknown> | null;
  if (typeof object !== 'object' || object === null) return 'not an object';
  if (!Number.isInteger(object.year)) return 'missing year';
  const missing = ['programmeId', 'listId', 'name', 'source'].filter(
    (key) => typeof object[key] !== 'string',
  );
  return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
}

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** Imports `dataDir`'s ledger, failures, registry and published files into `storage`. */
export async function importDataFolder(
  dataDir: string,
  storage: Pick<Storage, 'ledger' | 'winners' | 'files'>,
): Promise<DataFolderImport> {
  const root = path.resolve(dataDir);
  const report: DataFolderImport = {
    dataDir: root,
    sentMail: emptyCount(),
    mailFailures: emptyCount(),
    winners: emptyCount(),
    publishedFiles: emptyCount(),
  };

  await importEach(
    root,
    await jsonFiles(path.join(root, 'mail-ledger')),
    report.sentMail,
    (json) => {
      const entry = requireStrings(json, ['businessKey', 'messageId', 'sentAt']);
      const { accepted, rejected, response } = json as Record<string, unknown>;
      return {
        ...entry,
        accepted: stringList(accepted),
        rejected: stringList(rejected),
        response: typeof response === 'string' ? response : '',
      };
    },
    (entry) => storage.ledger.importSent(entry),
  );

  await importEach(
    root,
    await jsonFiles(path.join(root, 'mail-ledger', 'undeliverable')),
    report.mailFailures,
    (json) => requireStrings(json, ['businessKey', 'error', 'at']),
    ({ businessKey, error, at }) => storage.ledger.importFailure(businessKey, error, at),
  );

  const winners = await readRecord(
    root,
    path.join(root, 'registry', 'winners.json'),
    report.winners,
    (json) => {
      const entries = (json as { entries?: unknown }).entries;
      if (!Array.isArray(entries)) throw new Error('no "entries" list');
      return entries.filter((entry, i) => {
        const problem = winnerProblem(entry);
        if (problem) report.winners.unreadable.push(`registry/winners.json entry ${i + 1}: ${problem}`);
        return !problem;
      }) as WinnerRecord[];
    },
  );
  if (winners) {
    const added = await storage.winners.record(winners);
    report.winners.imported = added;
    report.winners.present = winners.length - added;
  }

  const published = new FsFileStore(root);
  for (const key of await published.list('published/')) {
    const content = (await published.get(key)) as Buffer;
    const existing = await storage.files.get(key);
    if (existing && describeContent(key, existing).sha256 === describeContent(key, content).sha256) {
      report.publishedFiles.present++;
    } else {
      await storage.files.put(key, content);
      report.publishedFiles.imported++;
    }
  }
  return report;
}

/** The report as lines for the CLI: per kind, imported and already present, then what was unreadable. */
export function describeImport(report: DataFolderImport): string {
  const kinds: Array<[string, ImportCount]> = [
    ['已发邮件 / sent mail', report.sentMail],
    ['投递失败 / mail failures', report.mailFailures],
    ['获奖名录 / winners', report.winners],
    ['发布文件 / published files', report.publishedFiles],
  ];
  return [
    `导入 / imported from ${report.dataDir}:`,
    ...kinds.map(
      ([label, count]) =>
        `  ${label}: 新增 ${count.imported} / new, 已有 ${count.present} / already present` +
        (count.unreadable.length ? `, 无法读取 ${count.unreadable.length} / unreadable` : ''),
    ),
    ...kinds.flatMap(([, count]) => count.unreadable.map((problem) => `  ! ${problem}`)),
  ].join('\n');
}
