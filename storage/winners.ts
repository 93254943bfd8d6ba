/**
 * The winners registry's records: every list this service published and every list imported
 * from files. One row per (programme, year, source); recording a row again changes nothing.
 */
import { sql } from 'kysely';
import type { PriorWinner } from '../domain/eligibility';
import type { Records } from './schema';

export interface WinnerRecord extends PriorWinner {
  /** Where it came from: a cycle's nomination id, or an import's file and row. */
  source: string;
}

export class WinnersStore {
  constructor(private readonly db: Records) {}

  /** The recorded winners in the order they were recorded; only years before `beforeYear` if given. */
  async list(beforeYear?: number): Promise<WinnerRecord[]> {
    let query = this.db.selectFrom('winners').selectAll().orderBy('seq');
    if (beforeYear !== undefined) query = query.where('year', '<', beforeYear);
    return (await query.execute()).map((row) => ({
      year: row.year,
      programmeId: row.programme_id,
      listId: row.list_id,
      ...(row.field_id !== null ? { fieldId: row.field_id } : {}),
      name: row.name,
      ...(row.identity !== null ? { identity: row.identity } : {}),
      source: row.source,
    }));
  }

  /** Adds the winners not already recorded; returns how many were new. */
  async record(winners: WinnerRecord[]): Promise<number> {
    if (winners.length === 0) return 0;
    let added = 0;
    // Bounded batches: PostgreSQL takes at most 65,535 parameters per statement.
    for (let start = 0; start < winners.length; start += 1_000) {
      const inserted = await this.db
        .insertInto('winners')
        .values(
          winners.slice(start, start + 1_000).map((w) => ({
            programme_id: w.programmeId,
            year: w.year,
            source: w.source,
            list_id: w.listId,
            field_id: w.fieldId ?? null,
            name: w.name,
            identity: w.identity ?? null,
            recorded_at: sql<Date>`now()`,
          })),
        )
        .onConflict((c) => c.columns(['programme_id', 'year', 'source']).doNothing())
        .returning('seq')
        .execute();
      added += inserted.length;
    }
    return added;
  }
}
