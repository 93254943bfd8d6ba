/**
 * A nomination's dossier (申报书): the unit's answers to its list's application form, the
 * declarations it affirms, and references to the attachments it uploaded. The shapes are shared by
 * the forms (domain/forms.ts), the attachment store (storage/) and the review stages; attachment
 * contents never travel in a workflow payload, only these references.
 */

/** The file formats an attachment may have, recognised from its content (magic bytes), not its name. */
export const ATTACHMENT_FORMATS = ['pdf', 'docx', 'xlsx', 'jpeg', 'png'] as const;
export type AttachmentFormat = (typeof ATTACHMENT_FORMATS)[number];

/** A stored attachment, by reference: its content hash is its identity (same bytes, one attachment). */
export interface AttachmentRef {
  /** Lower-case hex SHA-256 of the plain content. */
  sha256: string;
  /** The sanitised file name the unit gave it. */
  name: string;
  /** The form's attachment slot it fills (e.g. "business-licence"). */
  slot: string;
  format: AttachmentFormat;
  size: number;
  /** PDF page count, where cheap to read. */
  pages?: number;
}

/** An answer to one form field: text, number, a date (YYYY-MM-DD), a choice or several. */
export type FormAnswer = string | number | boolean | string[];

/** A declaration the unit affirms, with the exact statement it affirmed. */
export interface AffirmedDeclaration {
  id: string;
  text: string;
}

export interface Dossier {
  answers: Record<string, FormAnswer>;
  declarations: AffirmedDeclaration[];
  attachments: AttachmentRef[];
}
