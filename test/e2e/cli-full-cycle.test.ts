/**
 * A whole programme-year through `kczg` only, spawned as a user runs it
 * (`node dist/client/cli.js --json --address …`) against the dev server the harness starts, with a
 * real worker and loopback SMTP: nominations under quota and eligibility, the close, one unit's
 * extension, a pause, three review bodies (early, on time, never), the final review, the published
 * files, the audit, and next year's cycle refusing this year's winner.
 *
 * The programme is national-2023 with five units, two places per field on 先导技术榜 (three in the
 * notice), without 融通创新组织榜, and with the stages after the collection pulled in to the minutes
 * after its close. The clock runs in real time from `--start-at`, so every deadline passes in real
 * time. Deadlines are whole minutes (`--until`), and the ones set later are computed from where the
 * pause (δ) moved the others, so the windows keep their width whichever way the cycle shifts them
 * (by δ exactly, or rounded to whole minutes):
 *
 *   programme time (Beijing)   what happens
 *   2023-11-30 23:59           cycle start; paused at once; collection work while paused; the
 *                              secretariat sets the preliminary review deadline to 12-01 00:02
 *   resume                     every deadline still ahead moves by the pause
 *   C = 24:00 + shift          the common close: one nomination just before, one just after
 *   E ≥ C + 12 s               buaa-cast's own extension (granted after the resume) ends → review
 *   P = 00:02 + shift          review deadline: one body reported early, one on time, one never
 *                              (escalated); final review, publication (00:02 in the file too) and
 *                              the end of promotion follow at once → closed
 *
 * With no shift (a pause under half a minute, rounded away): C → E → P is 60 s + 60 s, and the
 * file takes about 3.5 minutes.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { HEADER_ROW } from '../../activities/publication/xlsx';
import { beijingToEpochMs, formatBeijing } from '../../domain/calendar';
import { formFor } from '../../domain/forms';
import { sampleDossier } from '../../domain/forms-sample';
import type { Programme } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';
import { enterprise, tech } from '../support/candidates';
import { CLI, ms, nominateArgs, type Json, startCycleArgs } from '../support/cli';
import { eventually, sleep } from '../support/eventually';
import { liveStack } from '../support/live-stack';

const PROGRAMME = 'e2e-national-2023';
const NEXT_YEAR = 'e2e-national-2024';
const UNITS = ['cie', 'cmes', 'csae', 'jiangsu-cast', 'buaa-cast'];
const MINUTE = 60_000;
/** The stages after the close end here in the file (and the review, by extend). */
const AFTER = '2023-12-01 00:02';

/** Every `kczg` still running is killed in afterAll, so nothing outlives a failed test. */
const suite = liveStack('kczg-full-cycle-');
const kczg = (args: string[]) => suite.cli.run(args);
const ok = (args: string[]) => suite.cli.ok(args);

/** Runs the calls at most `limit` at a time (two cores: a dozen node processes at once thrash). */
async function pool<T>(calls: Array<() => Promise<T>>, limit = 4): Promise<T[]> {
  const results: T[] = new Array(calls.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, calls.length) }, async () => {
    while (next < calls.length) {
      const i = next++;
      results[i] = await calls[i]();
    }
  });
  await Promise.all(lanes);
  return results;
}

const at = (beijing: string) => beijingToEpochMs(beijing);
/** As `--json` writes an instant: RFC 3339 in Beijing time. */
const rfc3339 = (epochMs: number) =>
  new Date(epochMs + 8 * 3_600_000).toISOString().replace('.000Z', '+08:00');
/** An object of RFC 3339 instants (a status's deadlines) as epoch milliseconds. */
const instants = (values: Record<string, string>): Record<string, number> =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, ms(value)]));

/** Programme time of a cycle: the server runs on this machine, so its clock is ours. */
let clockOffsetMs = 0;
const programmeNow = () => Date.now() + clockOffsetMs;
const sleepUntil = (programmeTime: number) => sleep(programmeTime - programmeNow());

async function status(programme = PROGRAMME): Promise<Json> {
  return ok(['cycle', 'status', programme]);
}

/** Polls `kczg cycle status` until `done` holds; fails with the last status after `timeoutMs`. */
function statusUntil(what: string, done: (s: Json) => boolean, timeoutMs = 60_000): Promise<Json> {
  return eventually(
    what,
    async () => {
      const s = await status();
      return done(s) ? s : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
}

const writeJson = (name: string, value: unknown) => suite.writeJson(name, value);

let candidates = 0;
/**
 * `kczg nominate` for a unit; `part` is "list" or "list/field". It carries the sample dossier of
 * the part's form (the test's programmes keep national-2023's forms); a part without one (an
 * unknown field) carries none.
 */
function nominate(programme: string, unitId: string, part: string, candidate: unknown, key: string) {
  const [listId, fieldId] = part.split('/');
  const list = NATIONAL.lists.find((l) => l.id === listId);
  const form = list && formFor(list, fieldId);
  return kczg([
    ...nominateArgs(programme, unitId, part, writeJson(`candidate-${++candidates}.json`, candidate), key),
    ...(form ? ['--dossier', writeJson(`dossier-${candidates}.json`, sampleDossier(form))] : []),
  ]);
}

function report(body: string, part: string, results: unknown) {
  const [listId, fieldId] = part.split('/');
  const file = writeJson(`review-${body}-${++candidates}.json`, results);
  return kczg([
    'review',
    'complete',
    PROGRAMME,
    '--body',
    body,
    '--list',
    listId,
    ...(fieldId ? ['--field', fieldId] : []),
    '--results',
    file,
  ]);
}

const NATIONAL = loadProgramme('national-2023');

function programmeFile(id: string, edit: (p: Programme) => void): string {
  const programme = structuredClone(NATIONAL);
  programme.id = id;
  programme.lists = programme.lists.filter((l) => l.id !== 'integrated-innovation-org');
  programme.roster.units = programme.roster.units.filter((u) => UNITS.includes(u.id));
  const pioneer = programme.lists.find((l) => l.id === 'pioneer-tech');
  if (pioneer?.quota) pioneer.quota.default = 2;
  edit(programme);
  return writeJson(`${id}.json`, programme);
}

/** What the test learns along the way and later steps use. */
const seen = {
  cie: [] as string[],
  csae: [] as string[],
  young: '',
  manager: '',
  lastSecond: '',
  extended: '',
  /** The pause's length: every deadline ahead of it moved by this much. */
  shift: 0,
  closesAt: 0,
  /** buaa-cast's own deadline. */
  extendedUntil: 0,
  reviewDueAt: 0,
  /** Recommended by the early body, in its ranking. */
  shortlist: [] as string[],
  outDir: '',
};

beforeAll(() => {
  expect(fs.existsSync(CLI)).toBe(true);
});

describe('a whole national-2023 year through kczg (dev server)', () => {
  it('collection: accepted, over quota (one channel and two stacked), ineligible, duplicate, invalid — while paused', async () => {
    const file = programmeFile(PROGRAMME, (p) => {
      // Review, final review, publication and promotion end right after the close; the secretariat
      // sets the review deadline below, and the pause moves them all together.
      p.stages.preliminaryReview.due = '2023-11-30 24:00';
      p.stages.finalReview.due = AFTER;
      p.stages.publication.on = AFTER;
      p.stages.promotion.until = AFTER;
    });
    const start = await kczg(startCycleArgs(PROGRAMME, file, '2023-11-30 23:59'));
    expect(start).toMatchObject({ code: 0, json: { cycleId: `kczg:${PROGRAMME}`, started: true } });
    const pauseSent = Date.now();
    const pause = await kczg(['cycle', 'pause', PROGRAMME, '--reason', '系统维护']);
    const pauseReturned = Date.now();
    expect(pause).toMatchObject({ code: 0, json: { stage: 'collection', paused: true } });
    clockOffsetMs = pause.json.clockOffsetMs;
    expect(pause.json.deadlines).toMatchObject({
      collectionClosesAt: '2023-12-01T00:00:00+08:00',
      publicationAt: rfc3339(at(AFTER)),
    });

    const E = 'pioneer-tech/electronics';
    const [cie, csae, young, manager, tooOld, classified, badDate, reviewDue] = await Promise.all([
      pool(
        [1, 2].map((i) => () => nominate(PROGRAMME, 'cie', E, tech(`电子技术${i}`), `cie-${i}`)),
        2,
      ),
      pool(
        [1, 2, 3, 4].map((i) => () => nominate(PROGRAMME, 'csae', E, tech(`汽车技术${i}`), `csae-${i}`)),
        2,
      ),
      nominate(PROGRAMME, 'cmes', 'emerging-enterprise', enterprise('新锐科技', '2015-06-01'), 'cmes-young'),
      nominate(
        PROGRAMME,
        'jiangsu-cast',
        'tech-manager-pioneer',
        { name: '王技术经理', certified: true },
        'js-1',
      ),
      nominate(PROGRAMME, 'cmes', 'emerging-enterprise', enterprise('老牌企业', '2012-12-31'), 'cmes-old'),
      nominate(PROGRAMME, 'cmes', E, tech('涉密技术', { classified: true }), 'cmes-secret'),
      nominate(PROGRAMME, 'cmes', E, tech('日期有误', { foundedOn: '2023-02-30' }), 'cmes-date'),
      kczg([
        'cycle',
        'extend',
        PROGRAMME,
        '--stage',
        'preliminary-review',
        '--until',
        AFTER,
        '--reason',
        '初评时间安排',
      ]),
    ]);
    for (const r of [...cie, ...csae, young, manager]) {
      expect({ args: r.args, code: r.code }).toEqual({ args: r.args, code: 0 });
    }
    seen.cie = cie.map((r) => r.json.id);
    seen.csae = csae.map((r) => r.json.id);
    expect([...seen.cie].sort()).toEqual(['cie.1', 'cie.2']);
    expect([...seen.csae].sort()).toEqual(['csae.1', 'csae.2', 'csae.3', 'csae.4']);
    expect(young.json).toMatchObject({ id: 'cmes.1', unitId: 'cmes', listId: 'emerging-enterprise' });
    seen.young = young.json.id;
    seen.manager = manager.json.id;
    expect(tooOld).toMatchObject({
      code: 2,
      json: { error: { code: 'NOT_ELIGIBLE', rule: 'foundedWithinYears', field: 'candidate.foundedOn' } },
    });
    expect(classified).toMatchObject({
      code: 2,
      json: { error: { code: 'NOT_ELIGIBLE', rule: 'notClassified', field: 'candidate.classified' } },
    });
    expect(badDate).toMatchObject({
      code: 2,
      json: { error: { code: 'INVALID', field: 'candidate.foundedOn' } },
    });
    expect(reviewDue).toMatchObject({
      code: 0,
      json: { deadlines: { preliminaryReviewDueAt: rfc3339(at(AFTER)) } },
    });

    // At the quota: cie (one channel) has 2 places per field, csae (two channels) 2 + 2 stacked.
    const [cie3, csae5, duplicate, retried, unknownField] = await pool([
      () => nominate(PROGRAMME, 'cie', E, tech('电子技术3'), 'cie-3'),
      () => nominate(PROGRAMME, 'csae', E, tech('汽车技术5'), 'csae-5'),
      () =>
        nominate(
          PROGRAMME,
          'cmes',
          'emerging-enterprise',
          enterprise('新锐科技', '2016-01-01'),
          'cmes-again',
        ),
      () =>
        nominate(
          PROGRAMME,
          'cmes',
          'emerging-enterprise',
          enterprise('新锐科技', '2015-06-01'),
          'cmes-young',
        ),
      () => nominate(PROGRAMME, 'cmes', 'pioneer-tech/no-such-field', tech('无此领域'), 'cmes-field'),
    ]);
    expect(cie3).toMatchObject({
      code: 2,
      json: { error: { code: 'QUOTA_EXCEEDED', rule: 'quota', field: 'fieldId' } },
    });
    expect(csae5).toMatchObject({ code: 2, json: { error: { code: 'QUOTA_EXCEEDED', field: 'fieldId' } } });
    expect(cie3.json.error.message).toMatch(/\b2\b/);
    expect(csae5.json.error.message).toMatch(/\b4\b/);
    expect(duplicate).toMatchObject({
      code: 2,
      json: { error: { code: 'DUPLICATE', field: 'candidate.name' } },
    });
    expect(retried).toMatchObject({ code: 0, json: { id: seen.young } });
    expect(unknownField).toMatchObject({ code: 2, json: { error: { code: 'INVALID', field: 'fieldId' } } });

    // Resume: every deadline still ahead moves by the pause (whole minutes or exact: either way,
    // all by the same amount, within the time between the two commands).
    process.stderr.write(`[cli-full-cycle] collection work while paused: ${Date.now() - pauseSent} ms\n`);
    const resumeSent = Date.now();
    const resume = await kczg(['cycle', 'resume', PROGRAMME, '--reason', '维护完成']);
    const resumeReturned = Date.now();
    expect(resume).toMatchObject({ code: 0, json: { paused: false, stage: 'collection' } });
    const d = instants(resume.json.deadlines);
    seen.shift = d.collectionClosesAt - at('2023-11-30 24:00');
    seen.closesAt = d.collectionClosesAt;
    seen.reviewDueAt = d.preliminaryReviewDueAt;
    // buaa-cast's own deadline: the first whole minute at least 12 s after the common close.
    seen.extendedUntil = Math.ceil((seen.closesAt + 12_000) / MINUTE) * MINUTE;
    process.stderr.write(`[cli-full-cycle] the pause moved deadlines by ${seen.shift} ms\n`);
    expect(seen.shift).toBeGreaterThanOrEqual(Math.max(0, resumeSent - pauseReturned - MINUTE / 2));
    expect(seen.shift).toBeLessThanOrEqual(resumeReturned - pauseSent + MINUTE / 2);
    expect(d.preliminaryReviewDueAt - at(AFTER)).toBe(seen.shift);
    expect(d.finalReviewDueAt - at(AFTER)).toBe(seen.shift);
    expect(d.publicationAt - at(AFTER)).toBe(seen.shift);
    expect(d.promotionUntil - at(AFTER)).toBe(seen.shift);
    expect(d.collectionOpensAt).toBe(at('2023-10-07 00:00'));
  });

  it('the close: just before accepted, just after COLLECTION_CLOSED, except for the unit with an extension', async () => {
    const E = 'pioneer-tech/electronics';
    const extend = await kczg([
      'cycle',
      'extend',
      PROGRAMME,
      '--unit',
      'buaa-cast',
      '--until',
      formatBeijing(seen.extendedUntil),
      '--reason',
      '材料补正',
    ]);
    expect(extend).toMatchObject({
      code: 0,
      json: { unitExtensions: { 'buaa-cast': rfc3339(seen.extendedUntil) } },
    });
    // The windows the timing above gives: close → buaa-cast's deadline → review deadline.
    expect(seen.extendedUntil - seen.closesAt).toBeGreaterThanOrEqual(12_000);
    expect(seen.reviewDueAt - seen.extendedUntil).toBeGreaterThanOrEqual(25_000);

    await sleepUntil(seen.closesAt - 15_000);
    const last = await nominate(PROGRAMME, 'cmes', E, tech('最后一刻'), 'cmes-last');
    expect(last).toMatchObject({ code: 0, json: { unitId: 'cmes' } });
    expect(ms(last.json.submittedAt)).toBeLessThan(seen.closesAt);
    expect(ms(last.json.submittedAt)).toBeGreaterThan(seen.closesAt - 30_000);
    seen.lastSecond = last.json.id;

    await sleepUntil(seen.closesAt + 500);
    const [late, lateWithdraw, extended, open] = await Promise.all([
      nominate(PROGRAMME, 'cmes', E, tech('迟到'), 'cmes-late'),
      kczg(['withdraw', PROGRAMME, '--unit', 'cie', '--nomination', seen.cie[0]]),
      nominate(PROGRAMME, 'buaa-cast', E, tech('延期技术'), 'buaa-1'),
      status(),
    ]);
    expect(late).toMatchObject({ code: 2, json: { error: { code: 'COLLECTION_CLOSED', rule: 'window' } } });
    expect(lateWithdraw).toMatchObject({ code: 2, json: { error: { code: 'COLLECTION_CLOSED' } } });
    expect(extended).toMatchObject({ code: 0, json: { unitId: 'buaa-cast' } });
    expect(ms(extended.json.submittedAt)).toBeGreaterThanOrEqual(seen.closesAt);
    seen.extended = extended.json.id;
    // Collection stays open for buaa-cast alone.
    expect(open.stage).toBe('collection');
  });

  it('review: early, repeated (harmless), foreign nomination refused, on time, and one body escalated at the deadline', async () => {
    const E = 'pioneer-tech/electronics';
    await sleepUntil(seen.extendedUntil);
    // The stage changes first, then the nominations are handed to the bodies.
    const inReview = await statusUntil(
      'the hand-over to review',
      (s) =>
        s.stage === 'preliminary-review' &&
        s.parts.find((p: Json) => p.fieldId === 'electronics')?.nominations > 0,
    );
    const electronics = inReview.parts.find((p: Json) => p.fieldId === 'electronics');
    expect(electronics.nominations).toBe(2 + 4 + 1 + 1);
    expect(inReview.parts.find((p: Json) => p.listId === 'emerging-enterprise').nominations).toBe(1);
    expect(inReview.parts.find((p: Json) => p.listId === 'tech-manager-pioneer').nominations).toBe(1);
    expect(ms(inReview.deadlines.preliminaryReviewDueAt)).toBe(seen.reviewDueAt);

    const ids = [...seen.cie, ...seen.csae, seen.lastSecond, seen.extended];
    // Early, at the start of the review: buaa-cast's nomination first, the last-second one second.
    const ranking = [
      seen.extended,
      seen.lastSecond,
      ...ids.filter((id) => id !== seen.extended && id !== seen.lastSecond),
    ];
    const early = await report(
      'info-tech-consortium',
      E,
      ranking.map((nominationId, i) => ({
        nominationId,
        rank: i + 1,
        score: 95 - i,
        verdict: i < 2 ? 'recommended' : 'not-recommended',
      })),
    );
    expect(early).toMatchObject({
      code: 0,
      json: { listId: 'pioneer-tech', fieldId: 'electronics', late: false },
    });
    expect(ms(early.json.reportedAt)).toBeLessThan(seen.reviewDueAt);
    seen.shortlist = ranking.slice(0, 2);
    // The body reads back what it has to review and what it reported (kczg review status).
    const bodyState = await ok(['review', 'status', PROGRAMME, '--body', 'info-tech-consortium']);
    expect(bodyState).toMatchObject({ bodyId: 'info-tech-consortium', dueAt: rfc3339(seen.reviewDueAt) });
    expect(bodyState.parts.find((p: Json) => p.fieldId === 'electronics')).toMatchObject({
      nominationIds: expect.arrayContaining(ranking),
      reportedAt: early.json.reportedAt,
    });
    // Reporting again changes nothing; a nomination of another list, or a list the body does not
    // review, is refused.
    const [repeated, foreign, wrongBody] = await Promise.all([
      report('info-tech-consortium', E, []),
      report('info-tech-consortium', E, [{ nominationId: seen.young, rank: 1, verdict: 'recommended' }]),
      report('kczg-secretariat', E, []),
    ]);
    expect(repeated).toMatchObject({ code: 0, json: { reportedAt: early.json.reportedAt } });
    expect(repeated.json.results).toHaveLength(ranking.length);
    expect(foreign).toMatchObject({
      code: 2,
      json: { error: { code: 'UNKNOWN_NOMINATION', field: 'results[0].nominationId' } },
    });
    expect(wrongBody).toMatchObject({ code: 2, json: { error: { code: 'UNKNOWN_LIST' } } });

    // On time: in the last seconds before the deadline.
    await sleepUntil(seen.reviewDueAt - 12_000);
    const onTime = await report('kczg-secretariat', 'emerging-enterprise', [
      { nominationId: seen.young, rank: 1, score: 88, verdict: 'recommended' },
    ]);
    expect(onTime).toMatchObject({ code: 0, json: { listId: 'emerging-enterprise', late: false } });
    expect(ms(onTime.json.reportedAt)).toBeLessThan(seen.reviewDueAt);
    expect(ms(onTime.json.reportedAt)).toBeGreaterThan(ms(early.json.reportedAt));
    expect(ms(onTime.json.reportedAt)).toBeGreaterThan(seen.reviewDueAt - 30_000);

    // ittn never reports on 技术经理人先锋榜: escalated when the deadline passes.
    await sleepUntil(seen.reviewDueAt);
    const finalStage = await statusUntil('the final review', (s) => s.stage === 'final-review');
    expect(finalStage.escalated).toEqual(['ittn (tech-manager-pioneer)']);
    const bodies = Object.fromEntries(
      finalStage.parts.flatMap((p: Json) => p.reviewBodies.map((b: Json) => [b.bodyId, b])),
    );
    expect(bodies['info-tech-consortium']).toMatchObject({ late: false, shortlisted: 2 });
    expect(bodies['kczg-secretariat']).toMatchObject({ late: false, shortlisted: 1 });
    expect(bodies.ittn.reportedAt).toBeUndefined();
  });

  it('final review and publication: winners from the shortlists only; HTML, CSV, XLSX and JSON by content', async () => {
    const notShortlisted = seen.cie[0];
    const refused = await kczg([
      'final',
      'complete',
      PROGRAMME,
      '--results',
      writeJson('final-bad.json', {
        winners: [{ listId: 'pioneer-tech', fieldId: 'electronics', nominationIds: [notShortlisted] }],
      }),
    ]);
    expect(refused).toMatchObject({
      code: 2,
      json: { error: { code: 'UNKNOWN_NOMINATION', field: 'winners[0].nominationIds[0]' } },
    });
    // The final review ranks the shortlist its own way: second first.
    const winners = writeJson('final.json', {
      winners: [
        {
          listId: 'pioneer-tech',
          fieldId: 'electronics',
          nominationIds: [seen.shortlist[1], seen.shortlist[0]],
        },
        { listId: 'emerging-enterprise', nominationIds: [seen.young] },
      ],
    });
    const final = await kczg(['final', 'complete', PROGRAMME, '--results', winners]);
    expect(final).toMatchObject({ code: 0 });

    // Publication and the end of promotion are already due: published, then closed.
    const closed = await statusUntil('publication', (s) => s.stage === 'closed', 60_000);
    seen.outDir = path.join(suite.stack.dataDir, 'published', PROGRAMME);
    expect(closed.published).toMatchObject({ winners: 3, outDir: seen.outDir });
    expect(ms(closed.published.at)).toBeGreaterThanOrEqual(seen.reviewDueAt);

    const files = fs.readdirSync(seen.outDir).sort();
    expect(files).toEqual(
      ['emerging-enterprise', 'pioneer-tech'].flatMap((l) =>
        ['csv', 'html', 'json', 'pdf', 'xlsx'].map((e) => `${l}.${e}`),
      ),
    );
    const names = { [seen.shortlist[1]]: '最后一刻', [seen.shortlist[0]]: '延期技术' };
    const units = {
      [seen.shortlist[1]]: '中国机械工程学会',
      [seen.shortlist[0]]: '北京航空航天大学科学技术协会',
    };

    const csv = fs.readFileSync(path.join(seen.outDir, 'pioneer-tech.csv'), 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trimEnd().split('\r\n');
    expect(lines).toEqual([
      '"序号","榜单","领域","名称","推荐单位","推荐编号"',
      `"1","“科创中国”先导技术榜","电子信息","最后一刻","${units[seen.shortlist[1]]}","${seen.shortlist[1]}"`,
      `"2","“科创中国”先导技术榜","电子信息","延期技术","${units[seen.shortlist[0]]}","${seen.shortlist[0]}"`,
    ]);

    const json = JSON.parse(fs.readFileSync(path.join(seen.outDir, 'emerging-enterprise.json'), 'utf8'));
    expect(json).toMatchObject({ programme: PROGRAMME, year: 2023, list: 'emerging-enterprise' });
    expect(json.rows).toEqual([
      {
        序号: 1,
        榜单: '“科创中国”新锐企业榜',
        领域: '',
        名称: '新锐科技',
        推荐单位: '中国机械工程学会',
        推荐编号: seen.young,
      },
    ]);

    const html = fs.readFileSync(path.join(seen.outDir, 'pioneer-tech.html'), 'utf8');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain(
      '<th>序号</th><th>榜单</th><th>领域</th><th>名称</th><th>推荐单位</th><th>推荐编号</th>',
    );
    expect(html.indexOf('最后一刻')).toBeLessThan(html.indexOf('延期技术'));
    expect(html).toContain('发布于 / published 2023-12-01');

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(seen.outDir, 'pioneer-tech.xlsx'));
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe('“科创中国”先导技术榜');
    expect(sheet.getCell('A1').value).toBe('2023 年度 “科创中国”先导技术榜');
    const rows = sheet.getSheetValues().slice(HEADER_ROW).filter(Boolean) as ExcelJS.CellValue[][];
    expect(rows.map((r) => r.slice(1))).toEqual([
      ['序号', '榜单', '领域', '名称', '推荐单位', '推荐编号'],
      [
        1,
        '“科创中国”先导技术榜',
        '电子信息',
        names[seen.shortlist[1]],
        units[seen.shortlist[1]],
        seen.shortlist[1],
      ],
      [
        2,
        '“科创中国”先导技术榜',
        '电子信息',
        names[seen.shortlist[0]],
        units[seen.shortlist[0]],
        seen.shortlist[0],
      ],
    ]);

    // Units were told; the secretariat got the escalation naming the silent body.
    const outbox = await ok(['mail', 'outbox', suite.stack.outboxDir]);
    const subjects = outbox.map((m: Json) => `${m.to.join(',')} ${m.subject}`).join('\n');
    expect(subjects).toMatch(/secretariat@\S+ .*(逾期|overdue)/);
    expect(outbox.filter((m: Json) => /发布|published/i.test(m.subject)).length).toBeGreaterThanOrEqual(
      UNITS.length,
    );
  });

  it('status and audit: closed and published; every decision with its reason, as JSON and CSV', async () => {
    const final = await status();
    expect(final).toMatchObject({
      stage: 'closed',
      paused: false,
      escalated: ['ittn (tech-manager-pioneer)'],
    });
    const csvFile = path.join(suite.dir, 'audit.csv');
    const audit: Json[] = await ok(['cycle', 'audit', PROGRAMME, '--csv', csvFile]);
    const line = (e: Json) => `${e.actor} ${e.action} ${e.outcome} ${e.detail}`;
    const log = audit.map(line);
    const indexOf = (pattern: RegExp) => log.findIndex((l) => pattern.test(l));
    const expected = [
      /^secretariat start accepted e2e-national-2023 \(5 units\)/,
      /^secretariat pause accepted 系统维护/,
      /^secretariat extend accepted .*preliminary-review.*初评时间安排/,
      /^secretariat resume accepted 维护完成/,
      /^secretariat extend accepted .*buaa-cast.*材料补正/,
      /^system stage info preliminary-review/,
      /^review:info-tech-consortium review-results accepted pioneer-tech\/electronics: 2 recommended$/,
      /^review:kczg-secretariat review-results accepted emerging-enterprise: 1 recommended$/,
      /^system escalate info ittn \(tech-manager-pioneer\)/,
      /^system stage info final-review/,
      /^final-review final-results accepted 3 winners/,
      /^system publish accepted 3 winners → /,
      /^system stage info promotion/,
      /^system stage info closed/,
    ];
    const positions = expected.map(indexOf);
    expect({ log, positions }).toEqual({ log, positions: [...positions].sort((a, b) => a - b) });
    expect(positions.every((p) => p >= 0)).toBe(true);
    // One report each: the repeated report changed nothing.
    expect(log.filter((l) => l.includes('review:info-tech-consortium'))).toHaveLength(1);

    const csv = fs.readFileSync(csvFile, 'utf8');
    expect(csv.startsWith('\uFEFF"时间（北京时间）","操作者","操作","结果","详情","代码"\r\n')).toBe(true);
    expect(csv.trimEnd().split('\r\n')).toHaveLength(audit.length + 1);
    expect(csv).toContain('材料补正');
    expect(csv).toContain('ittn (tech-manager-pioneer)');
  });

  it('next year: the 2023 winner is refused as notPriorWinner, a 2023 nominee that did not win is not', async () => {
    const registry = await suite.stack.storage.winners.list();
    expect(registry.map((winner) => winner.identity)).toContain('TECH-最后一刻');

    const file = programmeFile(NEXT_YEAR, (p) => {
      p.year = 2024;
      p.name = { zh: '2024年“科创中国”系列榜单（测试）' };
      p.stages = {
        collection: { opens: '2024-10-07 00:00', closes: '2024-11-30 24:00' },
        preliminaryReview: { due: '2024-12-30 24:00' },
        finalReview: { due: '2025-01-31 24:00' },
        publication: { on: '2025-02-28 10:00' },
        promotion: { from: '2024-10-01 00:00', until: '2025-04-30 24:00' },
      };
    });
    const start = await kczg([
      'cycle',
      'start',
      NEXT_YEAR,
      '--programme-file',
      file,
      '--start-at',
      '2024-11-01 09:00',
    ]);
    expect(start).toMatchObject({ code: 0, json: { started: true } });
    const E = 'pioneer-tech/electronics';
    const [winner, enterpriseWinner, notWinner] = await Promise.all([
      // Another unit nominates 2023's winner again.
      nominate(NEXT_YEAR, 'cie', E, tech('最后一刻'), 'cie-2024-1'),
      nominate(NEXT_YEAR, 'csae', 'emerging-enterprise', enterprise('新锐科技', '2015-06-01'), 'csae-2024-1'),
      // Nominated in 2023, not a winner: eligible again.
      nominate(NEXT_YEAR, 'cie', E, tech('电子技术1'), 'cie-2024-2'),
    ]);
    expect(winner).toMatchObject({
      code: 2,
      json: { error: { code: 'NOT_ELIGIBLE', rule: 'notPriorWinner', field: 'candidate.identity' } },
    });
    expect(winner.json.error.message).toContain('2023');
    expect(enterpriseWinner).toMatchObject({ code: 2, json: { error: { rule: 'notPriorWinner' } } });
    expect(notWinner).toMatchObject({ code: 0, json: { unitId: 'cie', listId: 'pioneer-tech' } });
    const cancel = await kczg(['cycle', 'cancel', NEXT_YEAR, '--reason', '测试结束']);
    expect(cancel.code).toBe(0);
  });
});
