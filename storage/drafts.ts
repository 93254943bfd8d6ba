/**
 * A unit's drafts: nomination forms saved half-filled, kept in the records (PostgreSQL or the
 * embedded PGlite) so every portal instance sees them and none lives on a portal's disk. A draft
 * is the nomination request as far as it goes (part, candidate, dossier with references to
 * attachments already stored). Bounded: a draft's size and a unit's number of drafts; a refusal
 * says which and changes nothing. Deleted by the unit, or once its nomination is acknowledged.
 */
import { sql } from 'kysely';
import { reject, type Rejection } from '../domain/rejections';
import type { Records } from './schema';

/** The largest draft, as JSON (a nomination's dossier is ≤ 24 KiB; room for the candidate). */
export const MAX_DRAFT_BYTES = 64 * 1024;
/** Drafts one unit may keep in one cycle. */
export const MAX_DRAFTS_PER_UNIT = 20;
/** Letters, digits, "-" and "_", as idempotency keys and UUIDs are. */
export const DRAFT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export class DraftRefusedError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
    this.name = 'DraftRefusedError';
  }
}

export interface Draft {
  id: string;
  content: unknown;
  size: number;
  /** Epoch ms. */
  createdAt: number;
  updatedAt: number;
}

export interface DraftOwner {
  cycleId: string;
  unitId: string;
}

function checkId(draftId: string): void {
  if (!DRAFT_ID.test(draftId)) {
    throw new DraftRefusedError(
      reject('INVALID', `草稿编号无效 / invalid draft id "${draftId.slice(0, 100)}"`, {
        field: 'draft',
        rule: 'draft-id',
        fix: '用 1–100 个字母、数字、- 或 _ / use 1–100 letters, digits, - or _',
      }),
    );
  }
}

const draftOf = (row: {
  draft_id: string;
  content: unknown;
  size: number;
  created_at: Date;
  updated_at: Date;
}): Draft => ({
  id: row.draft_id,
  // pg parses jsonb; PGlite may hand back the text.
  content: typeof row.content === 'string' ? JSON.parse(row.content) : row.content,
  size: row.size,
  createdAt: new Date(row.created_at).getTime(),
  updatedAt: new Date(row.updated_at).getTime(),
});

export class DraftStore {
  constructor(private readonly db: Records) {}

  /** The unit's drafts, most recently saved first. */
  async list(owner: DraftOwner): Promise<Draft[]> {
    const rows = await this.db
      .selectFrom('unit_drafts')
      .selectAll()
      .where('cycle_id', '=', owner.cycleId)
      .where('unit_id', '=', owner.unitId)
      .orderBy('updated_at', 'desc')
      .orderBy('draft_id')
      .execute();
    return rows.map(draftOf);
  }

  async get(owner: DraftOwner, draftId: string): Promise<Draft | undefined> {
    checkId(draftId);
    const row = await this.db
      .selectFrom('unit_drafts')
      .selectAll()
      .where('cycle_id', '=', owner.cycleId)
      .where('unit_id', '=', owner.unitId)
      .where('draft_id', '=', draftId)
      .executeTakeFirst();
    return row && draftOf(row);
  }

  /**
   * Saves (creates or replaces) a draft. Refused, with nothing changed: a bad id, content over
   * MAX_DRAFT_BYTES, a new draft past MAX_DRAFTS_PER_UNIT.
   */
  async put(owner: DraftOwner, draftId: string, content: unknown, now = Date.now()): Promise<Draft> {
    checkId(draftId);
    const json = JSON.stringify(content ?? null);
    const size = Buffer.byteLength(json, 'utf8');
    if (size > MAX_DRAFT_BYTES) {
      throw new DraftRefusedError(
        reject('INVALID', `草稿过大（${size} 字节）/ the draft is too large (${size} bytes)`, {
          field: 'draft',
          rule: 'draft-size',
          limit: MAX_DRAFT_BYTES,
          fix: `草稿不得超过 ${MAX_DRAFT_BYTES} 字节；附件请先上传，草稿只存引用 / at most ${MAX_DRAFT_BYTES} bytes; upload files first, a draft keeps references`,
        }),
      );
    }
    return this.db.transaction().execute(async (tx) => {
      // One writer per unit at a time, so two saves cannot both pass the count.
      await sql`select pg_advisory_xact_lock(hashtext(${`${owner.cycleId}/${owner.unitId}`}))`.execute(tx);
      const exists = await tx
        .selectFrom('unit_drafts')
        .select('draft_id')
        .where('cycle_id', '=', owner.cycleId)
        .where('unit_id', '=', owner.unitId)
        .where('draft_id', '=', draftId)
        .executeTakeFirst();
      if (!exists) {
        const { n } = await tx
          .selectFrom('unit_drafts')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('cycle_id', '=', owner.cycleId)
          .where('unit_id', '=', owner.unitId)
          .executeTakeFirstOrThrow();
        if (Number(n) >= MAX_DRAFTS_PER_UNIT) {
          throw new DraftRefusedError(
            reject(
              'QUOTA_EXCEEDED',
              `草稿已达 ${MAX_DRAFTS_PER_UNIT} 份 / ${MAX_DRAFTS_PER_UNIT} drafts already kept`,
              {
                field: 'draft',
                rule: 'draft-count',
                limit: MAX_DRAFTS_PER_UNIT,
                fix: '提交或删除不再需要的草稿 / submit or delete drafts you no longer need',
              },
            ),
          );
        }
      }
      const at = new Date(now);
      const row = await tx
        .insertInto('unit_drafts')
        .values({
          cycle_id: owner.cycleId,
          unit_id: owner.unitId,
          draft_id: draftId,
          content: json,
          size,
          created_at: at,
          updated_at: at,
        })
        .onConflict((oc) =>
          oc
            .columns(['cycle_id', 'unit_id', 'draft_id'])
            .doUpdateSet({ content: json, size, updated_at: at }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return draftOf(row);
    });
  }

  /** Deletes a draft; false when there was none. */
  async delete(owner: DraftOwner, draftId: string): Promise<boolean> {
    checkId(draftId);
    const result = await this.db
      .deleteFrom('unit_drafts')
      .where('cycle_id', '=', owner.cycleId)
      .where('unit_id', '=', owner.unitId)
      .where('draft_id', '=', draftId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
