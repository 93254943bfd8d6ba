/**
 * Business keys of notices: `<cycleId>/<party>/<mailId>`, e.g.
 * `kczg:national-2023/unit/cie/collection:T-7` or `kczg:national-2023/secretariat/mail-failures/2`.
 * The key names one message for good: the mail activity derives its Message-ID from it and sends
 * each key once. Built and read here only.
 */

/** Who a notice goes to: a unit or review body (with its id), the final review body, the secretariat. */
export type NoticeParty =
  { kind: 'unit'; id: string } | { kind: 'review'; id: string } | { kind: 'final' } | { kind: 'secretariat' };

export interface NoticeKey {
  cycleId: string;
  party: NoticeParty;
  /** The mail's id within its party: a reminder id (`collection:T-7`), `opened`, `mail-failures/2`… */
  mailId: string;
}

export function noticeKey(cycleId: string, party: NoticeParty, mailId: string): string {
  const who = party.kind === 'unit' || party.kind === 'review' ? `${party.kind}/${party.id}` : party.kind;
  return `${cycleId}/${who}/${mailId}`;
}

/** Reads a business key back; undefined when it is not one this service builds. */
export function parseNoticeKey(key: string): NoticeKey | undefined {
  const match = /^([^/]+)\/(unit|review|final|secretariat)\/(.+)$/.exec(key);
  if (!match) return undefined;
  const [, cycleId, kind, rest] = match;
  if (kind === 'final' || kind === 'secretariat') return { cycleId, party: { kind }, mailId: rest };
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  return {
    cycleId,
    party: { kind: kind as 'unit' | 'review', id: rest.slice(0, slash) },
    mailId: rest.slice(slash + 1),
  };
}

/** Mail ids of the secretariat's own notices besides digests. */
export const secretariatMailIds = {
  mailFailures: (batch: number) => `mail-failures/${batch}`,
  escalation: (stage: string) => `escalation/${stage}`,
};

/**
 * Mail ids of a review body's reminders to one of its experts, under the body's party:
 * `expert/<expertId>/<reminderId>`, e.g. `kczg:national-2023/review/ittn/expert/e01/review:ittn:T-3`.
 */
export const expertMailId = (expertId: string, reminderId: string) => `expert/${expertId}/${reminderId}`;

/** The expert an expert reminder's mail id names (`expert/<expertId>/…`), if it is one. */
export function expertOfMailId(mailId: string): string | undefined {
  const [kind, expertId] = mailId.split('/');
  return kind === 'expert' && expertId ? expertId : undefined;
}

/** A funded project's notices: `project/<projectId>/<reminderId>`, to its owner or the secretariat. */
export const projectMailId = (projectId: string, reminderId: string) => `project/${projectId}/${reminderId}`;
