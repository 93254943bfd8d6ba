/**
 * The registry of published winners: every list this service published, plus lists imported from
 * files (`kczg registry import`). Later cycles read it for the "not an earlier winner" rule. It
 * lives in kczg's records (storage/winners.ts), shared by every worker; recording the same
 * cycle's winners twice changes nothing.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PriorWinner } from '../domain/eligibility';
import { openStorage } from '../storage';
import type { WinnerRecord, WinnersStore } from '../storage/winners';
import { cellReader, headingLookup, parseCsv, TableError, tableOf } from '../tables/table';

export type RegistryEntry = WinnerRecord;

export class WinnersRegistry {
  /**
   * `where` is the records' winners, or the path `kczg registry import` still names
   * (<data folder>/registry/winners.json): then each call opens that data folder's storage
   * (KCZG_DATABASE_URL, else the folder's embedded database) and closes it after.
   */
  constructor(private readonly where: WinnersStore | string) {}

  private async withStore<T>(use: (store: WinnersStore) => Promise<T>): Promise<T> {
    if (typeof this.where !== 'string') return use(this.where);
    const storage = await openStorage({ dataDir: path.dirname(path.dirname(path.resolve(this.where))) });
    try {
      return await use(storage.winners);
    } finally {
      await storage.close();
    }
  }

  entries(): Promise<RegistryEntry[]> {
    return this.withStore((store) => store.list());
  }

  /** Winners of years before `year`: what a cycle of that year must exclude. */
  async priorTo(year: number): Promise<PriorWinner[]> {
    const winners = await this.withStore((store) => store.list(year));
    return winners.map(({ source: _source, ...winner }) => winner);
  }

  /** Adds entries not already present (same programme, year and source). Returns how many were new. */
  record(entries: RegistryEntry[]): Promise<number> {
    return this.withStore((store) => store.record(entries));
  }
}

const winnerField = headingLookup<keyof PriorWinner>([
  ['year', 'year'],
  ['年份', 'year'],
  ['programmeId', 'programmeId'],
  ['方案', 'programmeId'],
  ['listId', 'listId'],
  ['榜单', 'listId'],
  ['fieldId', 'fieldId'],
  ['领域', 'fieldId'],
  ['name', 'name'],
  ['名称', 'name'],
  ['identity', 'identity'],
  ['统一社会信用代码', 'identity'],
]);
const WINNER_FIELDS: (keyof PriorWinner)[] = ['year', 'programmeId', 'listId', 'fieldId', 'name', 'identity'];

type WinnerRow = Partial<Record<keyof PriorWinner, string | number>>;

/**
 * The CSV's non-blank rows as field → trimmed cell, empty cells left out. They are numbered by
 * their place among the non-blank rows (the header is 1), as the registry's `source` always has.
 */
function winnerRowsOfCsv(text: string, file: string): WinnerRow[] {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (error) {
    if (!(error instanceof TableError)) throw error;
    throw new Error(`获奖名单文件 ${file} / ${file}: ${error.message}`, { cause: error });
  }
  const table = tableOf(rows, winnerField);
  return table.rows.map(({ cells }) => {
    const cell = cellReader(table.columns, cells);
    return Object.fromEntries(WINNER_FIELDS.filter((f) => cell(f) !== '').map((f) => [f, cell(f)]));
  });
}

/**
 * Reads an earlier year's published winners from a file (JSON array, or CSV with the columns
 * year, programmeId, listId, fieldId, name, identity — Chinese headings 年份, 方案, 榜单, 领域,
 * 名称, 统一社会信用代码 too), for `kczg registry import`. A bad row names its row number.
 */
export async function readWinnersFile(file: string): Promise<RegistryEntry[]> {
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  const source = path.basename(file);
  const rows: WinnerRow[] = file.toLowerCase().endsWith('.json')
    ? (JSON.parse(text) as Array<Partial<PriorWinner>>)
    : winnerRowsOfCsv(text, file);
  return rows.map((row, i) => {
    const year = Number(row.year);
    if (
      !Number.isInteger(year) ||
      typeof row.listId !== 'string' ||
      !row.listId ||
      typeof row.name !== 'string' ||
      !row.name
    ) {
      throw new Error(
        `获奖名单文件 ${file} 第 ${i + 2} 行缺少年份、榜单或名称 / ${file} row ${i + 2}: year, listId and name are required`,
      );
    }
    return {
      year,
      programmeId: String(row.programmeId ?? 'imported'),
      listId: row.listId,
      ...(row.fieldId ? { fieldId: String(row.fieldId) } : {}),
      name: row.name,
      ...(row.identity ? { identity: String(row.identity) } : {}),
      source: `import:${source}#${i + 2}`,
    };
  });
}
