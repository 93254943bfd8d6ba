/**
 * The mail that tells a child cycle's secretariat which of its winners the parent refused, and
 * why (Chinese first, then English). Pure; every value is flattened to one line and, in HTML,
 * escaped, as mail/templates.ts does for its templates.
 */
import type { Bilingual } from '../domain/programme';
import { formatBeijingTime } from '../mail/templates';
import type { RenderedMail } from '../mail/templates';
import type { ForwardOutcome } from '../workflows/messages';

// eslint-disable-next-line no-control-regex
const oneLine = (value: string) => value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
const escapeHtml = (value: string) => oneLine(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function chainRefusalsMail(data: {
  secretariat: string;
  programme: Bilingual;
  parentCycleId: string;
  refused: ForwardOutcome[];
  issuedAt: number;
}): RenderedMail {
  const part = (f: ForwardOutcome) =>
    `${f.nominationId}（${f.parentListId}${f.parentFieldId ? `/${f.parentFieldId}` : ''}）: ${f.refusal?.code ?? ''} ${f.refusal?.message ?? ''}${f.refusal?.fix ? ` — ${f.refusal.fix}` : ''}`;
  const items = data.refused.map((f) => oneLine(part(f)));
  const count = items.length;
  const zh = [
    `${oneLine(data.secretariat)}：`,
    `本周期择优推荐的 ${count} 项未被上级周期 ${data.parentCycleId} 接受（${formatBeijingTime(data.issuedAt)}）：`,
    '可在上级征集截止前改推其他项目，或联系上级秘书处。',
  ];
  const en = [
    `Dear ${oneLine(data.secretariat)},`,
    `${count} of the winners forwarded to ${data.parentCycleId} were refused there:`,
    "Forward others in their place before the parent's collection closes, or contact its secretariat.",
  ];
  const list = (bullet: (i: string) => string) => items.map(bullet).join('\n');
  const text = [
    ...zh.slice(0, 2),
    list((i) => `  - ${i}`),
    zh[2],
    '----------------------------------------',
    ...en.slice(0, 2),
    list((i) => `  - ${i}`),
    en[2],
  ].join('\n\n');
  const ul = `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  const html = [
    '<!doctype html>',
    '<html lang="zh-CN"><head><meta charset="utf-8"></head><body>',
    `<div lang="zh-CN"><p>${escapeHtml(zh[0])}</p><p>${escapeHtml(zh[1])}</p>${ul}<p>${escapeHtml(zh[2])}</p></div>`,
    '<hr>',
    `<div lang="en"><p>${escapeHtml(en[0])}</p><p>${escapeHtml(en[1])}</p>${ul}<p>${escapeHtml(en[2])}</p></div>`,
    '</body></html>',
    '',
  ].join('\n');
  const programme = oneLine(data.programme.zh);
  return {
    subject: oneLine(
      `【${programme}】上级未接受 ${count} 项推荐 | ${count} forwarded nomination(s) refused by ${data.parentCycleId}`,
    ),
    text: `${text}\n`,
    html,
  };
}
