/**
 * The API tokens the secretariat issued through the portal: who they act for, their label and
 * expiry, and whether they were revoked. The token itself is never kept, only its sha256, which
 * is what the portal checks a bearer credential against. A token is a signed party credential
 * (client/credentials.ts): the workflows verify it by signature and expiry alone, so revocation
 * holds at the portal; the expiry (at most MAX_TOKEN_DAYS) bounds it everywhere else.
 */
import { createHash } from 'node:crypto';
import type { Records } from './schema';

export const tokenDigest = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface ApiTokenRecord {
  /** Hex sha256 of the token. */
  id: string;
  cycleId: string;
  party: string;
  label: string;
  issuedBy: string;
  /** Epoch ms. */
  issuedAt: number;
  expiresAt: number;
  revokedAt?: number;
  revokedBy?: string;
}

const epoch = (value: Date | string) => new Date(value).getTime();

export class ApiTokenStore {
  constructor(private readonly db: Records) {}

  async record(
    token: string,
    entry: Omit<ApiTokenRecord, 'id' | 'revokedAt' | 'revokedBy'>,
  ): Promise<string> {
    const id = tokenDigest(token);
    await this.db
      .insertInto('api_tokens')
      .values({
        token_sha256: id,
        cycle_id: entry.cycleId,
        party: entry.party,
        label: entry.label,
        issued_by: entry.issuedBy,
        issued_at: new Date(entry.issuedAt),
        expires_at: new Date(entry.expiresAt),
      })
      .execute();
    return id;
  }

  /** The cycle's tokens, newest first. */
  async list(cycleId: string): Promise<ApiTokenRecord[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('cycle_id', '=', cycleId)
      .orderBy('issued_at', 'desc')
      .execute();
    return rows.map((row) => ({
      id: row.token_sha256,
      cycleId: row.cycle_id,
      party: row.party,
      label: row.label,
      issuedBy: row.issued_by,
      issuedAt: epoch(row.issued_at),
      expiresAt: epoch(row.expires_at),
      ...(row.revoked_at ? { revokedAt: epoch(row.revoked_at) } : {}),
      ...(row.revoked_by ? { revokedBy: row.revoked_by } : {}),
    }));
  }

  /** Revokes one of the cycle's tokens; false when the cycle has no such token. Revoking twice keeps the first. */
  async revoke(cycleId: string, id: string, by: string, now = Date.now()): Promise<boolean> {
    const found = await this.db
      .selectFrom('api_tokens')
      .select('revoked_at')
      .where('token_sha256', '=', id)
      .where('cycle_id', '=', cycleId)
      .executeTakeFirst();
    if (!found) return false;
    if (!found.revoked_at) {
      await this.db
        .updateTable('api_tokens')
        .set({ revoked_at: new Date(now), revoked_by: by })
        .where('token_sha256', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
    }
    return true;
  }

  async isRevoked(token: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select('revoked_at')
      .where('token_sha256', '=', tokenDigest(token))
      .executeTakeFirst();
    return Boolean(row?.revoked_at);
  }
}
