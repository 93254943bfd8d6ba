/**
 * Tracking after publication, through `kczg` only on the dev server (issue 16): a service-team
 * year (产业科技服务团) squeezed into minutes — two units' projects nominated, reviewed, selected
 * and published; the publication starts one tracking workflow per project; then a year of reports
 * (cie.1 on time after a rejection with its reason, cmes.1 late), the owners' reminder e-mails
 * read from the SMTP outbox, a pause and resume, an extension, a waiver, and acceptance; the
 * cycle's audit shows every project decision marked with its project id.
 *
 * The programme is service-teams-2023 cut to two units and 产业科技服务团, its stages pulled in to
 * the minutes around 2023-12-01 23:50 (Beijing, programme time from `--start-at`), its report
 * calendar fixed to minutes after publication, and reminders one day before at 23:53:
 *
 *   programme time   what happens
 *   23:49            cycle start; both units nominate a project
 *   23:50            collection closes; the review panel reports both as recommended
 *   23:51            preliminary review due; the final review selects both
 *   23:52            publication: tracking starts for cie.1 and cmes.1
 *   23:53            T-1 reminders for the final report (due 12-02 00:01) to both owners
 *   23:55            half-yearly report due: cie.1 reported before (rejected, then accepted);
 *                    cmes.1 reports after it (late)
 *   then             cie.1 paused and resumed, its final report extended, reported, a target
 *                    reduced with a reason, accepted; cmes.1 accepted as its figures stand
 */
import fs from 'node:fs';
import path from 'node:path';
import { messageIdFor } from '../../activities/mail';
import { beijingToEpochMs } from '../../domain/calendar';
import type { ReportedFigure } from '../../domain/deliverables';
import { noticeKey, projectMailId } from '../../domain/mail-ids';
import type { Programme } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';
import { dossierFile } from '../support/candidates';
import { ms, nominateArgs, startCycleArgs, type Json } from '../support/cli';
import { eventually, sleep } from '../support/eventually';
import { liveStack } from '../support/live-stack';

const PROGRAMME = 'e2e-teams-2023';
const CYCLE = `kczg:${PROGRAMME}`;
const PART = 'service-team/industry-team';
const HALF_DUE = '2023-12-01 23:55';
const FINAL_DUE = '2023-12-02 00:01';
const suite = liveStack('kczg-tracking-');
const kczg = (args: string[]) => suite.cli.run(args);
const ok = (args: string[]) => suite.cli.ok(args);

const writeJson = (name: string, value: unknown) => suite.writeJson(name, value);

function squeezed(): Programme {
  const programme = structuredClone(loadProgramme('service-teams-2023'));
  programme.id = PROGRAMME;
  programme.roster.units = programme.roster.units.filter((u) => ['cie', 'cmes'].includes(u.id));
  programme.lists = programme.lists.filter((l) => l.id === 'service-team');
  const list = programme.lists[0];
  list.fields = list.fields?.filter((f) => f.id === 'industry-team');
  const deliverables = list.fields?.[0].deliverables;
  if (!deliverables) throw new Error('service-team/industry-team has no deliverables');
  deliverables.reports = [
    { at: 'fixed', kind: 'half-yearly', on: HALF_DUE },
    { at: 'fixed', kind: 'final', on: FINAL_DUE },
  ];
  programme.stages = {
    collection: { opens: '2023-11-01 00:00', closes: '2023-12-01 23:50' },
    preliminaryReview: { due: '2023-12-01 23:51' },
    finalReview: { due: '2023-12-01 23:52' },
    publication: { on: '2023-12-01 23:52' },
    promotion: { from: '2023-12-01 23:52', until: '2023-12-01 23:53' },
  };
  programme.reminders = {
    daysBefore: [1],
    at: '23:53',
    workingDaysOnly: false,
    overdueEveryDays: 1,
    overdueMaxCount: 1,
  };
  return programme;
}

const evidence = [
  { sha256: 'd'.repeat(64), name: '平台确认函.pdf', slot: 'evidence', format: 'pdf' as const, size: 8_192 },
];
const figures = (values: Record<string, number>): string =>
  writeJson(
    `figures-${Object.values(values).join('-')}-${Math.random().toString(36).slice(2, 8)}.json`,
    Object.entries(values).map(([target, value]): ReportedFigure => ({ target, value, evidence })),
  );
const project = (verb: string, id: string, ...args: string[]) => [
  'project',
  verb,
  PROGRAMME,
  '--project',
  id,
  ...args,
];
const status = (id: string): Promise<Json> => ok(project('status', id));
const cycleStatusUntil = (what: string, done: (s: Json) => boolean) =>
  eventually(
    what,
    async () => {
      const s = await ok(['cycle', 'status', PROGRAMME]);
      return done(s) ? s : undefined;
    },
    { timeoutMs: 150_000 },
  );

describe('a service-team year through kczg: publication, reports, steering and acceptance', () => {
  const seen = { cie: '', cmes: '' };
  /** Programme time minus real time, read from the cycle once it runs. */
  let offsetMs = 0;

  it('nominates, reviews, selects and publishes: one tracking project per winner', async () => {
    const programme = squeezed();
    await ok(startCycleArgs(PROGRAMME, writeJson(`${PROGRAMME}.json`, programme), '2023-12-01 23:49'));
    offsetMs = ms((await ok(['cycle', 'status', PROGRAMME])).now) - Date.now();
    for (const unit of ['cie', 'cmes'] as const) {
      const nominated = await ok([
        ...nominateArgs(
          PROGRAMME,
          unit,
          PART,
          writeJson(`${unit}-candidate.json`, { name: `${unit} 产业科技服务团`, identity: `TEAM-${unit}` }),
          `${unit}-1`,
        ),
        '--dossier',
        dossierFile(suite.dir, `${unit}-dossier`, programme, 'service-team', 'industry-team'),
      ]);
      seen[unit] = nominated.id;
    }
    expect(seen).toEqual({ cie: 'cie.1', cmes: 'cmes.1' });
    await cycleStatusUntil('the review', (s) => s.stage === 'preliminary-review');
    const results = [seen.cie, seen.cmes].map((nominationId, i) => ({
      nominationId,
      rank: i + 1,
      verdict: 'recommended',
    }));
    await ok([
      'review',
      'complete',
      PROGRAMME,
      '--body',
      'service-team-panel',
      '--list',
      'service-team',
      '--field',
      'industry-team',
      '--results',
      writeJson('review.json', results),
    ]);
    await cycleStatusUntil('the final review', (s) => s.stage === 'final-review');
    const winners = {
      winners: [{ listId: 'service-team', fieldId: 'industry-team', nominationIds: [seen.cie, seen.cmes] }],
    };
    await ok(['final', 'complete', PROGRAMME, '--results', writeJson('final.json', winners)]);
    await cycleStatusUntil('publication', (s) => s.published !== undefined);
    const projects: Json[] = await eventually('the tracking projects', async () => {
      const result = await kczg(['project', 'status', PROGRAMME]);
      return result.code === 0 && result.json.length === 2 ? result.json : undefined;
    });
    expect(
      projects.map((p) => [p.projectId, p.owner.unitId, p.dues.map((d: Json) => [d.id, ms(d.at)])]),
    ).toEqual(
      ['cie', 'cmes'].map((unit) => [
        `${unit}.1`,
        unit,
        [
          ['half-yearly-1', beijingToEpochMs(HALF_DUE)],
          ['final-1', beijingToEpochMs(FINAL_DUE)],
        ],
      ]),
    );
  }, 300_000);

  it('cie.1’s half-yearly report: rejected with its reason, resubmitted and accepted on time', async () => {
    const first = await ok([...project('report', seen.cie), '--figures', figures({ cases: 1 })]);
    expect(first).toEqual({ reportId: 'r1', dueId: 'half-yearly-1' });
    const noReason = await kczg([...project('verify', seen.cie), '--report', 'r1', '--decision', 'reject']);
    expect(noReason).toMatchObject({ code: 2, json: { error: { code: 'INVALID', rule: 'reason' } } });
    await ok([
      ...project('verify', seen.cie),
      ...['--report', 'r1', '--decision', 'reject', '--reason', '案例未经平台确认 / cases not confirmed'],
    ]);
    await ok([
      ...project('report', seen.cie),
      '--figures',
      figures({ 'achievements-evaluated': 20, cases: 1 }),
    ]);
    await ok([...project('verify', seen.cie), '--report', 'r2', '--decision', 'accept']);
    const state = await status(seen.cie);
    expect(state.reports.map((r: Json) => [r.id, r.status, r.reason])).toEqual([
      ['r1', 'rejected', '案例未经平台确认 / cases not confirmed'],
      ['r2', 'accepted', undefined],
    ]);
    expect(ms(state.reports[1].submittedAt)).toBeLessThan(beijingToEpochMs(HALF_DUE));
  });

  it('the owners get the final report’s reminder by e-mail', async () => {
    for (const unit of ['cie', 'cmes'] as const) {
      const businessKey = noticeKey(
        CYCLE,
        { kind: 'unit', id: unit },
        projectMailId(`${unit}.1`, 'report:final-1:T-1'),
      );
      const mail = await eventually(
        `${unit}'s reminder`,
        async () => {
          const outbox: Json[] = await ok(['mail', 'outbox', suite.stack.outboxDir]);
          return outbox.find((m) => m.messageId === messageIdFor(businessKey, 'kczg.example.org'));
        },
        { timeoutMs: 150_000 },
      );
      expect(mail.to).toEqual([`${unit}@units.example.org`]);
      expect(mail.subject).toContain('进展报告提交截止');
    }
  });

  it('cie.1 is paused and resumed, its final report extended with a reason; refusals change nothing', async () => {
    const paused = await ok([...project('pause', seen.cie), '--reason', '平台核查中 / platform check']);
    expect(paused.pausedAt).toBeDefined();
    const notPaused = await kczg([...project('resume', seen.cmes), '--reason', 'x']);
    expect(notPaused).toMatchObject({ code: 2, json: { error: { code: 'WRONG_STAGE', rule: 'paused' } } });
    const resumed = await ok([...project('resume', seen.cie), '--reason', '核查完毕 / check over']);
    expect(resumed.pausedAt).toBeUndefined();
    const final = resumed.dues.find((d: Json) => d.id === 'final-1');
    const past = await kczg([
      ...project('extend', seen.cie),
      '--due',
      'final-1',
      '--until',
      '2023-12-01 12:00',
      '--reason',
      'x',
    ]);
    expect(past).toMatchObject({ code: 2, json: { error: { code: 'INVALID', rule: 'future' } } });
    const until = ms(final.at) + 3 * 60_000;
    const extended = await ok([
      ...project('extend', seen.cie),
      ...[
        '--due',
        'final-1',
        '--until',
        new Date(until).toISOString(),
        '--reason',
        '平台确认延迟 / the platform confirms late',
      ],
    ]);
    expect(extended.dues.find((d: Json) => d.id === 'final-1')).toMatchObject({
      originalAt: expect.any(String),
    });
    expect(ms(extended.dues.find((d: Json) => d.id === 'final-1').at)).toBe(until);
    const text = await suite.cli.run(project('status', seen.cie), { text: true });
    expect(text.stdout).toContain('原 / was');
  });

  it('cmes.1 reports the half-year late; both final reports, a reduction with its reason, and acceptance', async () => {
    await sleep(beijingToEpochMs(HALF_DUE) + 5_000 - (Date.now() + offsetMs));
    const late = await ok([...project('report', seen.cmes), '--figures', figures({ cases: 1 })]);
    expect(late).toEqual({ reportId: 'r1', dueId: 'half-yearly-1' });
    await ok([...project('verify', seen.cmes), '--report', 'r1', '--decision', 'accept']);
    const cmes = await status(seen.cmes);
    expect(ms(cmes.reports[0].submittedAt)).toBeGreaterThan(beijingToEpochMs(HALF_DUE));

    const full = {
      'achievements-evaluated': 52,
      'problems-analysed': 31,
      'transfers-contracted': 3,
      'innovation-organisations': 1,
      cases: 2,
      'press-reports': 2,
    };
    await ok([...project('report', seen.cie), '--figures', figures(full)]);
    await ok([...project('verify', seen.cie), '--report', 'r3', '--decision', 'accept']);
    await ok([
      ...project('waive', seen.cie),
      ...[
        '--target',
        'transfers-contracted',
        '--threshold',
        '3',
        '--reason',
        '实现重大技术转移转化 / a major transfer',
      ],
    ]);
    expect((await ok(project('accept', seen.cie))).outcome).toBe('通过');
    await ok([...project('report', seen.cmes), '--figures', figures({ ...full, 'transfers-contracted': 1 })]);
    await ok([...project('verify', seen.cmes), '--report', 'r2', '--decision', 'accept']);
    expect((await ok(project('accept', seen.cmes))).outcome).toBe('部分通过');
    const after = await kczg([
      ...project('extend', seen.cie),
      '--until',
      '2024-06-01 24:00',
      '--reason',
      'x',
    ]);
    expect(after).toMatchObject({ code: 2, json: { error: { code: 'WRONG_STAGE' } } });
  }, 300_000);

  it('kczg audit: the cycle’s entries and every project decision, in time order, marked with the project', async () => {
    const audit: Json[] = await ok(['audit', PROGRAMME]);
    const at = audit.map((e) => ms(e.at));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    const decisions = (id: string) =>
      audit.filter((e) => e.projectId === id && e.action !== 'notice').map((e) => e.action);
    expect(decisions(seen.cie)).toEqual([
      'submitReport',
      'verifyReport',
      'submitReport',
      'verifyReport',
      'pause',
      'resume',
      'extendReport',
      'submitReport',
      'verifyReport',
      'recordWaiver',
      'recordAcceptance',
    ]);
    expect(decisions(seen.cmes)).toEqual([
      'submitReport',
      'verifyReport',
      'submitReport',
      'verifyReport',
      'recordAcceptance',
    ]);
    expect(audit.find((e) => e.action === 'startProjects')?.projectId).toBeUndefined();
    const rejection = audit.find((e) => e.projectId === seen.cie && e.action === 'verifyReport');
    expect(rejection.detail).toContain('案例未经平台确认');
    const csv = path.join(suite.dir, 'audit.csv');
    await ok(['audit', PROGRAMME, '--project', seen.cie, '--csv', csv]);
    expect(fs.readFileSync(csv, 'utf8')).toContain('"项目"');
  });
});
