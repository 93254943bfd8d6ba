/**
 * `kczg mail preview <template>`: a notice rendered with real data, from the running cycle when
 * there is one (quota usage, deadlines, who is missing), else from the preset.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Programme, ReviewBody, Unit } from '../../domain/programme';
import type { NoticeTemplate } from '../../workflows/notices';
import type { CycleView } from '../mail-plan';
import { cycleIdOf, examples, InputError, type Cli } from './context';
import { liveCycle, type LiveCycle } from './live-cycle';

interface PreviewOptions {
  programme: string;
  unit?: string;
  body?: string;
  html?: string;
}

/** Everything a preview is rendered from. */
interface PreviewSubject {
  name: NoticeTemplate;
  cycleId: string;
  live?: LiveCycle;
  programme: Programme;
  view: CycleView;
  now: number;
  unit: Unit;
  body: ReviewBody;
  isFinal: boolean;
}

async function templateOf(template: string): Promise<NoticeTemplate> {
  const { NOTICE_TEMPLATES } = await import('../mail-plan');
  if (!(NOTICE_TEMPLATES as readonly string[]).includes(template)) {
    throw new InputError({
      code: 'INVALID',
      field: 'template',
      rule: 'enum',
      message: `没有模板 "${template}" / no template "${template}"`,
      fix: `可选模板 / templates: ${NOTICE_TEMPLATES.join(', ')}`,
    });
  }
  return template as NoticeTemplate;
}

async function subjectOf(cli: Cli, template: string, opts: PreviewOptions): Promise<PreviewSubject> {
  const name = await templateOf(template);
  const cycleId = cycleIdOf(opts.programme);
  const live = await liveCycle(cli, cycleId);
  const [{ loadProgramme }, { presetView, programmeNow }, { RejectionError }] = await Promise.all([
    import('../../programmes/loader'),
    import('../mail-plan'),
    import('../api'),
  ]);
  const programme = live?.programme ?? loadProgramme(opts.programme.replace(/^kczg:/, ''));
  const view: CycleView = live?.status ?? presetView(programme, cycleId);
  const now = live ? programmeNow(live.status, Date.now()) : view.deadlines.collectionOpensAt - 60_000;
  const units = programme.roster.units;
  const unit = opts.unit ? units.find((u) => u.id === opts.unit) : units[0];
  if (!unit) {
    throw new RejectionError({
      code: 'UNKNOWN_UNIT',
      field: 'unit',
      rule: 'roster',
      message: `${programme.id} 的名册中没有单位 ${opts.unit ?? ''} / no such unit on the roster of ${programme.id}`,
      fix: `可选单位 / units: ${units.map((u) => u.id).join(', ')}`,
    });
  }
  const bodies = programme.reviewBodies;
  const defaultBody =
    bodies.find((b) => view.parts.some((p) => p.reviewBodies.some((r) => r.bodyId === b.id))) ?? bodies[0];
  const body =
    opts.body === 'final'
      ? programme.finalReviewBody
      : opts.body
        ? bodies.find((b) => b.id === opts.body)
        : defaultBody;
  if (!body) {
    throw new InputError({
      code: 'INVALID',
      field: 'body',
      rule: 'enum',
      message: `没有评审机构 "${opts.body}" / no review body "${opts.body}"`,
      fix: `可选 / choose from: ${[...bodies.map((b) => b.id), 'final'].join(', ')}`,
    });
  }
  const isFinal = body.id === programme.finalReviewBody.id && opts.body === 'final';
  return { name, cycleId, live, programme, view, now, unit, body, isFinal };
}

/** When and about which deadline: the next time the cycle sends it to this party, if it will. */
async function timingOf(s: PreviewSubject): Promise<{ issuedAt: number; deadline?: number }> {
  const { buildMailPlan } = await import('../mail-plan');
  const { view, unit, body, isFinal, name, now } = s;
  const d = view.deadlines;
  const unitClosesAt = Math.max(d.collectionClosesAt, view.unitExtensions[unit.id] ?? 0);
  const partsDueAt = Math.max(d.preliminaryReviewDueAt, ...view.parts.map((p) => p.dueAt));
  const plan = buildMailPlan({ programme: s.programme, status: view, now });
  const ownDeadline = (view.unitExtensions[unit.id] ?? 0) > d.collectionClosesAt;
  const planned = plan.messages.find(
    (m) =>
      m.template === name &&
      (m.recipient.role === 'unit'
        ? ownDeadline
          ? m.recipient.unitId === unit.id
          : m.recipient.unitId === undefined
        : m.recipient.role === 'reviewBody'
          ? !isFinal && m.recipient.bodyId === body.id
          : m.recipient.role === 'finalReviewBody'
            ? isFinal
            : true),
  );
  const fallbackDeadline: Record<NoticeTemplate, number | undefined> = {
    collectionOpened: unitClosesAt,
    unitReminder: unitClosesAt,
    collectionClosed: unitClosesAt,
    bodyReminder: isFinal ? d.finalReviewDueAt : partsDueAt,
    bodyOverdue: isFinal ? d.finalReviewDueAt : partsDueAt,
    expertReminder: partsDueAt,
    secretariatDigest: view.stage === 'preliminary-review' ? partsDueAt : unitClosesAt,
    escalation: partsDueAt,
    mailFailures: now,
    resultsPublished: undefined,
    reportReminder: d.promotionUntil,
    reportOverdue: d.promotionUntil,
    reportEscalation: d.promotionUntil,
  };
  const deadline = name === 'resultsPublished' ? undefined : (planned?.deadlineAt ?? fallbackDeadline[name]);
  return { issuedAt: planned?.at ?? now, ...(deadline === undefined ? {} : { deadline }) };
}

/** Who the digest or escalation lists as missing. */
async function whoIsMissing(s: PreviewSubject): Promise<string[]> {
  const { live, view, name } = s;
  if (name === 'mailFailures') {
    const failed = live ? (await live.audit()).filter((e) => e.action === 'mail-failed') : [];
    return failed.length > 0
      ? failed.map((e) => e.detail)
      : [`${s.cycleId}/unit/${s.unit.id}/collection:T-7: 550 5.1.1 mailbox unavailable（示例 / sample）`];
  }
  if (name !== 'secretariatDigest' && name !== 'escalation') return [];
  if (view.stage === 'preliminary-review' || (name === 'escalation' && live !== undefined)) {
    const { quotaKey } = await import('../../domain/quota');
    return view.parts.flatMap((p) =>
      p.reviewBodies
        .filter((b) => b.reportedAt === undefined)
        .map((b) => `${b.bodyId} (${quotaKey(p.listId, p.fieldId)})`),
    );
  }
  // As the digest activity writes it (activities/entities.ts).
  const nominated = (n: number) => ` (${n})`;
  if (!live) return s.programme.roster.units.map((u) => `${u.name}${nominated(0)}`);
  return (await live.unitStates())
    .filter((u) => !u.complete && u.usage.some((row) => row.remaining > 0))
    .map((u) => `${u.unitName}${nominated(u.nominations.length)}`);
}

async function preview(cli: Cli, template: string, opts: PreviewOptions): Promise<void> {
  const s = await subjectOf(cli, template, opts);
  const [{ awaitingOf, previewRequest }, { renderNotice }, { describeUsage }, { quotaUsageReport }] =
    await Promise.all([
      import('../mail-plan'),
      import('../../activities/notify'),
      import('../../workflows/notices'),
      import('../../domain/quota'),
    ]);
  const { issuedAt, deadline } = await timingOf(s);
  const usageRows =
    (s.live && (await s.live.unitState(s.unit.id))?.usage) ?? quotaUsageReport(s.programme, s.unit, {});
  const request = previewRequest({
    cycleId: s.cycleId,
    programme: s.programme,
    template: s.name,
    issuedAt,
    ...(deadline === undefined ? {} : { deadline }),
    unit: s.unit,
    body: s.body,
    usage: describeUsage(s.programme, usageRows),
    awaiting: awaitingOf(s.programme, s.view, s.isFinal ? 'final' : s.body.id),
    missing: await whoIsMissing(s),
  });
  const rendered = renderNotice(request);
  const html = opts.html ? path.resolve(opts.html) : undefined;
  if (html) fs.writeFileSync(html, rendered.html);
  const { formatBeijing } = await import('../../domain/calendar');
  const source = s.live ? `运行中的周期 / running cycle ${s.cycleId}` : `预置方案 / preset ${s.programme.id}`;
  cli.print(
    [
      `数据来源 / data: ${source}`,
      `发送时间 / sent at: ${formatBeijing(issuedAt)}（北京时间 / Beijing time）`,
      `收件人 / to: ${request.to.map((t) => `${t.name} <${t.email}>`).join(', ')}`,
      `主题 / subject: ${rendered.subject}`,
      '',
      rendered.text,
      ...(html ? [`HTML: ${html}`] : []),
    ].join('\n'),
    {
      template: s.name,
      source: s.live ? 'cycle' : 'preset',
      cycleId: s.cycleId,
      programmeId: s.programme.id,
      issuedAt,
      issued: formatBeijing(issuedAt),
      ...(deadline === undefined ? {} : { deadlineAt: deadline }),
      to: request.to,
      subject: rendered.subject,
      text: rendered.text,
      ...(html ? { html } : {}),
      calendar: rendered.ics !== undefined,
    },
  );
}

export function registerMailPreview(mail: Command, cli: Cli): void {
  // The template names come with the mail plan module, loaded only when a `mail` command runs.
  let templates: readonly string[] = [];
  mail.hook('preSubcommand', async () => {
    templates = (await import('../mail-plan')).NOTICE_TEMPLATES;
  });
  mail
    .command('preview <template>')
    .description('用真实数据渲染邮件模板 / render a mail template with real data')
    .option(
      '--programme <programme>',
      '方案（预置或运行中的周期）/ programme: a preset, or a running cycle',
      'national-2023',
    )
    .option('--unit <unit>', '单位编号（默认名册第一家）/ unit id (default: the roster’s first)')
    .option('--body <body>', '评审机构编号，或 final（终评）/ review body id, or final')
    .option('--html <file>', '另存 HTML 正文 / also write the HTML body')
    .addHelpText(
      'after',
      () =>
        `\n模板 / templates: ${templates.join(', ')}\n有运行中的周期时用其真实数据（名额使用、截止时间）/ uses the running cycle's real data when there is one` +
        examples(
          'kczg mail preview unitReminder --programme national-2023 --unit cie',
          'kczg mail preview bodyReminder --body final --html final.html',
        ),
    )
    .action((template: string, opts: PreviewOptions) => preview(cli, template, opts));
}
