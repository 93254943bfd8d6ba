/**
 * The mails kczg sends, rendered from data: Chinese first, then English. Pure (no Node APIs, no
 * clock), so a workflow may render and the text is the same on every replay. Every value that
 * comes from users or presets is flattened to one line and HTML-escaped; subjects carry no line
 * breaks, so no value can add a header.
 */
import { daysBetween } from '../domain/holidays';
import { icsCalendar } from '../domain/ics';
import {
  beijingDay,
  beijingDeadlineDay,
  formatBeijingDeadline,
  formatBeijingInstant,
} from '../domain/reminders';
import type {
  RenderedMail,
  BilingualText,
  MailDeadline,
  MailCommon,
  ListRef,
  UnitReminderData,
  BodyReminderData,
  ExpertReminderData,
  SecretariatDigestData,
  OverdueNoticeData,
  ReportReminderData,
  Stage,
  StageNoticeData,
} from './template-data';

export type * from './template-data';

/** Flattens to one line: control characters (CR, LF, tab...) become spaces. */
function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function escapeHtml(value: string): string {
  return oneLine(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function english(value: BilingualText): string {
  return value.en ?? value.zh;
}

/** "2023-11-30 24:00 (北京时间 Beijing time)" */
export function formatBeijingTime(at: number): string {
  return `${formatBeijingDeadline(at)} (北京时间 Beijing time)`;
}

function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const flat = oneLine(url);
  return /^https?:\/\/[^\s"'<>]+$/i.test(flat) ? flat : undefined;
}

function daysLeft(issuedAt: number, deadline: MailDeadline): number {
  return daysBetween(beijingDay(issuedAt), beijingDeadlineDay(deadline.at));
}

function listName(ref: ListRef): string {
  return ref.field ? `${oneLine(ref.list)} / ${oneLine(ref.field)}` : oneLine(ref.list);
}

/**
 * A message body in two parts, Chinese then English. Each part is a list of paragraphs; a
 * paragraph is plain text built from already-flattened values, or a bullet list.
 */
type Paragraph = string | { items: string[] };

interface Body {
  greeting: { zh: string; en: string };
  zh: Paragraph[];
  en: Paragraph[];
}

function renderText(body: Body, url: string | undefined): string {
  const part = (greeting: string, paragraphs: Paragraph[]): string =>
    [
      greeting,
      ...paragraphs.map((p) => (typeof p === 'string' ? p : p.items.map((i) => `  - ${i}`).join('\n'))),
    ].join('\n\n');
  const link = url ? `\n\n${url}` : '';
  return `${part(body.greeting.zh, body.zh)}${link}\n\n----------------------------------------\n\n${part(body.greeting.en, body.en)}${link}\n`;
}

/** Values in `body` are raw (flattened but unescaped); every piece is escaped here. */
function renderHtml(body: Body, url: string | undefined): string {
  const paragraph = (p: Paragraph): string =>
    typeof p === 'string'
      ? `<p>${escapeHtml(p)}</p>`
      : `<ul>${p.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  const link = url ? `<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>` : '';
  const part = (lang: string, greeting: string, paragraphs: Paragraph[]): string =>
    `<div lang="${lang}"><p>${escapeHtml(greeting)}</p>${paragraphs.map(paragraph).join('')}${link}</div>`;
  return [
    '<!doctype html>',
    '<html lang="zh-CN"><head><meta charset="utf-8"></head><body>',
    part('zh-CN', body.greeting.zh, body.zh),
    '<hr>',
    part('en', body.greeting.en, body.en),
    '</body></html>',
    '',
  ].join('\n');
}

function subjectLine(zh: string, en: string, programme: BilingualText): string {
  return oneLine(`【${oneLine(programme.zh)}】${zh} | ${en} - ${oneLine(english(programme))}`);
}

function deadlineIcs(data: MailCommon, deadline: MailDeadline, url: string | undefined): string {
  return icsCalendar([
    {
      uid: oneLine(deadline.calendarUid),
      title: `${oneLine(deadline.label.zh)} ${oneLine(english(deadline.label))} - ${oneLine(data.programme.zh)}`,
      description: `${oneLine(data.programme.zh)}\n${oneLine(english(data.programme))}\n${formatBeijingTime(deadline.at)}`,
      at: deadline.at,
      url,
      stamp: data.issuedAt,
    },
  ]);
}

function render(
  data: MailCommon,
  subject: { zh: string; en: string },
  body: Body,
  deadline: MailDeadline | undefined,
): RenderedMail {
  const url = safeUrl(data.url);
  const mail: RenderedMail = {
    subject: subjectLine(subject.zh, subject.en, data.programme),
    text: renderText(body, url),
    html: renderHtml(body, url),
  };
  if (deadline) mail.ics = deadlineIcs(data, deadline, url);
  return mail;
}

function leftPhrase(days: number): { zh: string; en: string } {
  if (days <= 0) return { zh: '今天截止', en: 'due today' };
  return { zh: `还有 ${days} 天`, en: `${days} day${days === 1 ? '' : 's'} left` };
}

/**
 * The subject's countdown after the deadline's label: "推荐材料提交截止还有 3 天", and on the day
 * itself "推荐材料提交今天截止", not "推荐材料提交截止今天截止" (labels end in 截止).
 */
function subjectCountdown(labelZh: string, left: { zh: string; en: string }, days: number): string {
  if (days > 0) return `${labelZh}${left.zh}`;
  return labelZh.endsWith('截止')
    ? `${labelZh.slice(0, -'截止'.length)}${left.zh}`
    : `${labelZh}：${left.zh}`;
}

/**
 * A reminder's countdown to `data.deadline`: the deadline's label, the subject ("推荐材料提交截止还有
 * 3 天" / "Nomination deadline: 3 days left") and the body's opening sentence, in each language.
 */
function countdown(data: MailCommon & { deadline: MailDeadline }) {
  const days = daysLeft(data.issuedAt, data.deadline);
  const left = leftPhrase(days);
  const when = formatBeijingTime(data.deadline.at);
  const label = { zh: oneLine(data.deadline.label.zh), en: oneLine(english(data.deadline.label)) };
  return {
    label,
    subject: { zh: subjectCountdown(label.zh, left, days), en: `${label.en}: ${left.en}` },
    opening: {
      zh: `${oneLine(data.programme.zh)}${label.zh}时间为 ${when}，${left.zh}。`,
      en: `${label.en} of ${oneLine(english(data.programme))}: ${when}, ${left.en}.`,
    },
  };
}

export function unitReminder(data: UnitReminderData): RenderedMail {
  const unit = oneLine(data.unit);
  const { subject, opening } = countdown(data);
  const rows = data.usage.map((r) => ({ name: listName(r), used: r.used, limit: r.limit }));
  const nominations = (data.nominations ?? []).map((n) => `${oneLine(n.candidate)} (${listName(n)})`);
  const body: Body = {
    greeting: { zh: `${unit}：`, en: `Dear ${unit},` },
    zh: [
      opening.zh,
      ...(rows.length > 0
        ? [
            `贵单位各榜单推荐名额使用情况：`,
            { items: rows.map((r) => `${r.name}：已推荐 ${r.used} 项，限额 ${r.limit} 项`) },
          ]
        : []),
      ...(nominations.length > 0 ? ['已提交的推荐：', { items: nominations }] : []),
      '请在截止前完成推荐材料的提交。',
    ],
    en: [
      opening.en,
      ...(rows.length > 0
        ? [
            `Your nominations against quota:`,
            { items: rows.map((r) => `${r.name}: ${r.used} nominated, quota ${r.limit}`) },
          ]
        : []),
      ...(nominations.length > 0 ? ['Nominations on record:', { items: nominations }] : []),
      'Please submit your nominations before the deadline.',
    ],
  };
  return render(data, subject, body, data.deadline);
}

export function bodyReminder(data: BodyReminderData): RenderedMail {
  const body = oneLine(data.body);
  const { subject, opening } = countdown(data);
  const lists = data.lists.map(listName);
  const content: Body = {
    greeting: { zh: `${body}：`, en: `Dear ${body},` },
    zh: [
      opening.zh,
      `贵机构负责评审的榜单/领域：`,
      { items: lists },
      `尚有 ${data.awaiting} 项推荐等待贵机构提交评审结果。`,
    ],
    en: [
      opening.en,
      'Lists and fields you review:',
      { items: lists },
      `${data.awaiting} nomination${data.awaiting === 1 ? '' : 's'} still await your results.`,
    ],
  };
  return render(
    data,
    {
      zh: `${subject.zh}，${data.awaiting} 项待评审`,
      en: `${subject.en}, ${data.awaiting} awaiting review`,
    },
    content,
    data.deadline,
  );
}

/** To an expert of a review body's panel who still owes score sheets. */
export function expertReminder(data: ExpertReminderData): RenderedMail {
  const expert = oneLine(data.expert);
  const { subject, opening } = countdown(data);
  const content: Body = {
    greeting: { zh: `${expert} 专家：`, en: `Dear ${expert},` },
    zh: [
      opening.zh,
      '您受邀评审的榜单/领域：',
      { items: data.lists.map(listName) },
      `尚有 ${data.owing} 份评分表未提交，请按评审方案的评价标准评分后提交（kczg review score）。`,
    ],
    en: [
      opening.en,
      'Lists and fields you were asked to score:',
      { items: data.lists.map(listName) },
      `${data.owing} score sheet${data.owing === 1 ? '' : 's'} still to submit, against the criteria of the review plan (kczg review score).`,
    ],
  };
  return render(
    data,
    { zh: `${subject.zh}，${data.owing} 份评分待提交`, en: `${subject.en}, ${data.owing} score sheets due` },
    content,
    data.deadline,
  );
}

/** A unit's entry in `missing`: its name and the nominations it has made so far. */
const UNIT_WITH_COUNT = /^(.*\S) \((\d+)\)$/;

/** An entry of `missing`, with a unit's bare count labelled in each language. */
function missingParty(entry: string): { zh: string; en: string } {
  const flat = oneLine(entry);
  const unit = UNIT_WITH_COUNT.exec(flat);
  if (!unit) return { zh: flat, en: flat };
  const [, name, count] = unit;
  return { zh: `${name}（已推荐 ${count} 项）`, en: `${name} (${count} nominated)` };
}

export function secretariatDigest(data: SecretariatDigestData): RenderedMail {
  const { label, opening } = countdown(data);
  const missing = data.missing.map(missingParty);
  const count = missing.length;
  const parties = `${count} ${count === 1 ? 'party has' : 'parties have'}`;
  const secretariat = oneLine(data.secretariat);
  const body: Body = {
    greeting: { zh: `${secretariat}：`, en: `Dear ${secretariat},` },
    zh: [
      opening.zh,
      ...(count > 0
        ? [`以下 ${count} 方尚未完成：`, { items: missing.map((m) => m.zh) }]
        : ['各方均已完成。']),
    ],
    en: [
      opening.en,
      ...(count > 0
        ? [`${parties} not finished yet:`, { items: missing.map((m) => m.en) }]
        : ['Everyone is done.']),
    ],
  };
  return render(
    data,
    {
      zh: `${label.zh}汇总：${count} 方未完成`,
      en: `${label.en} digest: ${count} ${count === 1 ? 'party' : 'parties'} not finished`,
    },
    body,
    data.deadline,
  );
}

export function overdueNotice(data: OverdueNoticeData): RenderedMail {
  const recipient = oneLine(data.recipient);
  const late = Math.max(1, -daysLeft(data.issuedAt, data.deadline));
  const when = formatBeijingTime(data.deadline.at);
  const labelZh = oneLine(data.deadline.label.zh);
  const labelEn = oneLine(english(data.deadline.label));
  const body: Body = {
    greeting: { zh: `${recipient}：`, en: `Dear ${recipient},` },
    zh: [
      `${oneLine(data.programme.zh)}${labelZh}时间 ${when} 已过，已逾期 ${late} 天。`,
      '请尽快完成，或与秘书处联系。',
    ],
    en: [
      `${labelEn} of ${oneLine(english(data.programme))} (${when}) has passed: ${late} day${late === 1 ? '' : 's'} overdue.`,
      'Please complete it as soon as possible or contact the secretariat.',
    ],
  };
  return render(
    data,
    { zh: `${labelZh}已逾期 ${late} 天`, en: `${labelEn}: ${late} day${late === 1 ? '' : 's'} overdue` },
    body,
    undefined,
  );
}

const stageTexts: Record<Stage, { zh: string; en: string }> = {
  'collection-opened': { zh: '推荐征集已开始', en: 'Nominations are open' },
  'collection-closed': { zh: '推荐征集已截止', en: 'Nominations are closed' },
  'results-published': { zh: '榜单结果已发布', en: 'Results are published' },
};

export function stageNotice(data: StageNoticeData): RenderedMail {
  const recipient = oneLine(data.recipient);
  const stage = stageTexts[data.stage];
  // When the stage began: an instant, not a deadline (midnight is 00:00 of the day).
  const since = `${formatBeijingInstant(data.at)} (北京时间 Beijing time)`;
  const deadline = data.stage === 'collection-opened' ? data.deadline : undefined;
  const body: Body = {
    greeting: { zh: `${recipient}：`, en: `Dear ${recipient},` },
    zh: [
      `${oneLine(data.programme.zh)}${stage.zh}（${since}）。`,
      ...(deadline ? [`${oneLine(deadline.label.zh)}时间为 ${formatBeijingTime(deadline.at)}。`] : []),
    ],
    en: [
      `${oneLine(english(data.programme))}: ${stage.en} (${since}).`,
      ...(deadline ? [`${oneLine(english(deadline.label))}: ${formatBeijingTime(deadline.at)}.`] : []),
    ],
  };
  return render(data, stage, body, deadline);
}

/** A project owner's progress report reminder: the deadline, and each target's accepted progress. */
export function reportReminder(data: ReportReminderData): RenderedMail {
  const recipient = oneLine(data.recipient);
  const project = oneLine(data.project);
  const { subject, opening } = countdown(data);
  const rows = data.targets.map((t) => ({ ...t, metric: oneLine(t.metric), unit: oneLine(t.unit) }));
  const body: Body = {
    greeting: { zh: `${recipient}：`, en: `Dear ${recipient},` },
    zh: [
      `项目：${project}`,
      opening.zh,
      ...(rows.length > 0
        ? [
            '各项任务目标及已确认的完成数：',
            { items: rows.map((t) => `${t.metric}：${t.reached} / ${t.threshold} ${t.unit}`) },
          ]
        : []),
      '请在截止前提交进展报告，需佐证的指标请附佐证材料。',
    ],
    en: [
      `Project: ${project}`,
      opening.en,
      ...(rows.length > 0
        ? [
            'Targets and the figures accepted so far:',
            { items: rows.map((t) => `${t.metric}: ${t.reached} / ${t.threshold}`) },
          ]
        : []),
      'Please submit your progress report before the deadline, with evidence where a target requires it.',
    ],
  };
  return render(data, subject, body, data.deadline);
}
