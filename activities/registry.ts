/**
 * The registry of published winners: every list this service published, plus lists imported from
 * files. Later cycles read it for the "not an earlier winner" rule. One JSON file, rewritten
 * atomically; recording the same cycle's winners twice changes nothing.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PriorWinner } from '../domain/eligibility';

export interface RegistryEntry extends PriorWinner {
  /** Where it came from: a cycle's nomination id, or an import's file and row. */
  source: string;
}

export class WinnersRegistry {
  constructor(readonly file: string) {}

  async entries(): Promise<RegistryEntry[]> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as { entries: RegistryEntry[] };
      return parsed.entries;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(
        `获奖名录无法读取 / the winners registry ${this.file} is unreadable: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** Winners of years before `year`: what a cycle of that year must exclude. */
  async priorTo(year: number): Promise<PriorWinner[]> {
    return (await this.entries())
      .filter((e) => e.year < year)
      .map(({ year: y, listId, fieldId, name, identity, programmeId }) => ({
        year: y,
        listId,
        ...(fieldId ? { fieldId } : {}),
        name,
        ...(identity ? { identity } : {}),
        programmeId,
      }));
  }

  /** Adds entries not already present (same programme, year and source). Returns how many were new. */
  async record(entries: RegistryEntry[]): Promise<number> {
    const existing = await this.entries();
    const key = (e: RegistryEntry) => `${e.programmeId}|${e.year}|${e.source}`;
    const known = new Set(existing.map(key));
    const fresh = entries.filter((e) => !known.has(key(e)));
    if (fresh.length === 0) return 0;
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ entries: [...existing, ...fresh] }, null, 1)}\n`);
    await rename(tmp, this.file);
    return fresh.length;
  }
}
