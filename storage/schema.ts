/** kczg's records, as the migrations (migrations.ts) create them: Kysely's view of the tables. */
import type { ColumnType, Generated, Kysely } from 'kysely';

/** Written as a Date or ISO string, read back as a Date. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A jsonb column holding a string list (pg and PGlite both parse it). */
type StringList = ColumnType<string[], string, string>;

export interface MailLedgerTable {
  business_key: string;
  message_id: string;
  /** 'claimed': a sender owns it and may be talking to SMTP; 'sent': the server accepted it. */
  state: 'claimed' | 'sent';
  claimed_by: string;
  claimed_at: Timestamp;
  accepted: StringList | null;
  rejected: StringList | null;
  response: string | null;
  sent_at: Timestamp | null;
}

export interface MailFailuresTable {
  business_key: string;
  error: string;
  recorded_at: Timestamp;
}

export interface WinnersTable {
  /** Insertion order, so the registry reads back in the order it was written. */
  seq: Generated<number>;
  programme_id: string;
  year: number;
  /** A cycle's nomination ("cycleId#nominationId") or an import's file and row. */
  source: string;
  list_id: string;
  field_id: string | null;
  name: string;
  identity: string | null;
  recorded_at: Timestamp;
}

/** A stored attachment's metadata; its (encrypted) content is the file attachments/<sha256>. */
export interface AttachmentsTable {
  /** Hex sha256 of the plain content: the same bytes are one attachment. */
  sha256: string;
  format: string;
  size: number;
  pages: number | null;
  /** The payload key the content was encrypted with (rotation: which objects use a retired key). */
  key_id: string;
  created_at: Timestamp;
}

/** One audited read of an attachment's content. */
export interface AttachmentReadsTable {
  seq: Generated<number>;
  sha256: string;
  /** The reading party's label ("body:ittn", "secretariat"). */
  reader: string;
  purpose: string;
  read_at: Timestamp;
}

/** A unit's saved nomination form (storage/drafts.ts): user data, kept until submitted or deleted. */
export interface UnitDraftsTable {
  cycle_id: string;
  unit_id: string;
  draft_id: string;
  /** The nomination request as far as it was filled in (jsonb; pg and PGlite both parse it). */
  content: ColumnType<unknown, string, string>;
  /** Bytes of the content's JSON, for the size limit. */
  size: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** An API token the secretariat issued through the portal (storage/api-tokens.ts); never the token. */
export interface ApiTokensTable {
  /** Hex sha256 of the token: what a revocation matches. */
  token_sha256: string;
  cycle_id: string;
  /** The party label the token acts for ("unit:cie"). */
  party: string;
  label: string;
  issued_by: string;
  issued_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
}

export interface RecordsSchema {
  mail_ledger: MailLedgerTable;
  mail_failures: MailFailuresTable;
  winners: WinnersTable;
  attachments: AttachmentsTable;
  attachment_reads: AttachmentReadsTable;
  unit_drafts: UnitDraftsTable;
  api_tokens: ApiTokensTable;
}

export type Records = Kysely<RecordsSchema>;
