/** What each mail template is rendered from (mail/templates.ts): pure data, no clock. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** An iCalendar object of the deadline (text/calendar), when the mail is about one. */
  ics?: string;
}

/** Chinese first; English where known, else the Chinese is repeated in the English part. */
export interface BilingualText {
  zh: string;
  en?: string;
}

export interface MailDeadline {
  /** What closes, e.g. { zh: '推荐材料提交截止', en: 'Nomination deadline' }. */
  label: BilingualText;
  /** The deadline instant, epoch ms. */
  at: number;
  /** Stable calendar UID of this deadline for this recipient, e.g. "2023-national.collection.unit-a@kczg.example.org". */
  calendarUid: string;
}

export interface MailCommon {
  programme: BilingualText;
  /** When the mail is rendered (the workflow's time), epoch ms: days left and the calendar stamp. */
  issuedAt: number;
  /** Where to act: the platform or the published lists. Only http(s) links are rendered. */
  url?: string;
}

export interface QuotaUsageRow {
  list: string;
  field?: string;
  used: number;
  limit: number;
}

export interface ListRef {
  list: string;
  field?: string;
}

export interface NominationRef extends ListRef {
  candidate: string;
}

export interface UnitReminderData extends MailCommon {
  unit: string;
  deadline: MailDeadline;
  usage: QuotaUsageRow[];
  /** The unit's nominations on record so far, so it can check what is in. */
  nominations?: NominationRef[];
}

export interface BodyReminderData extends MailCommon {
  body: string;
  lists: ListRef[];
  deadline: MailDeadline;
  /** Nominations that still await this body's results. */
  awaiting: number;
}

export interface ExpertReminderData extends MailCommon {
  expert: string;
  /** The parts of the dossiers the expert still has to score. */
  lists: ListRef[];
  deadline: MailDeadline;
  /** Score sheets the expert still owes. */
  owing: number;
}

export interface SecretariatDigestData extends MailCommon {
  secretariat: string;
  deadline: MailDeadline;
  /**
   * Who has not met the deadline yet: review bodies as "<body> (<list/field>)", units as
   * "<unit> (<n>)" with n the nominations they have made so far (activities/entities.ts), which
   * the mail labels: 中国电子学会（已推荐 23 项） / 中国电子学会 (23 nominated).
   */
  missing: string[];
}

/** A funded project's progress report: what is due, and the figures accepted so far per target. */
export interface ReportReminderData extends MailCommon {
  recipient: string;
  project: string;
  deadline: MailDeadline;
  targets: Array<{ metric: string; unit: string; threshold: number; reached: number }>;
}

export interface OverdueNoticeData extends MailCommon {
  recipient: string;
  deadline: MailDeadline;
}

export type Stage = 'collection-opened' | 'collection-closed' | 'results-published';

export interface StageNoticeData extends MailCommon {
  recipient: string;
  stage: Stage;
  /** When the stage began, epoch ms. */
  at: number;
  /** For 'collection-opened': the collection deadline, attached as a calendar event. */
  deadline?: MailDeadline;
}
