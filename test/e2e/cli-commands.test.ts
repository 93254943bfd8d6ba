/**
 * Every `kczg` command a secretariat or unit runs on a live cycle, spawned as a user runs it
 * (`node dist/client/cli.js --json --address …`) against the dev server the harness starts, with a
 * real worker and loopback SMTP. One cycle (`import-test-2023`, national-2023 with a quota of 1000
 * for 先导技术榜) runs from programme time 2023-11-01 09:00, so collection stays open throughout.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { parseCsv, REPORT_HEADINGS } from '../../client/import';
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import { beijingToEpochMs } from '../../domain/calendar';
import { formFor } from '../../domain/forms';
import { sampleDossier } from '../../domain/forms-sample';
import type { Programme } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';
import type { Nomination } from '../../workflows/messages';
import { dossierFile } from '../support/candidates';
import { ms, type Json, startCycleArgs } from '../support/cli';
import { liveStack } from '../support/live-stack';

const PROGRAMME = 'import-test-2023';
const CYCLE = `kczg:${PROGRAMME}`;

const suite = liveStack('kczg-cli-commands-');
const kczg = (args: string[], options: { text?: boolean } = {}) => suite.cli.run(args, options);

const at = (beijing: string) => beijingToEpochMs(beijing);

function programmeFile(id: string, edit: (p: Programme) => void = () => undefined): string {
  const programme = structuredClone(loadProgramme('national-2023'));
  programme.id = id;
  edit(programme);
  const file = path.join(suite.dir, `${id}.json`);
  fs.writeFileSync(file, JSON.stringify(programme, null, 2));
  return file;
}

async function nominationsOf(unitId: string): Promise<Nomination[]> {
  return (await suite.stack.api.unitState(CYCLE, unitId)).nominations;
}

/**
 * The dossier columns of an import sheet for some parts of national-2023: each form field by id
 * (its Chinese label may be a candidate column's: 统一社会信用代码; contactEmail is the candidate's
 * column and answers the form too), each declaration, each required attachment slot; and a row's
 * cells under them for its part: the sample dossier's answers, 是 for its declarations,
 * `application.pdf` (in the sheet's folder) for every slot.
 */
function dossierColumns(parts: Array<[string, string?]>) {
  const national = loadProgramme('national-2023');
  const cellsOf = new Map<string, Map<string, string>>();
  for (const [listId, fieldId] of parts) {
    const list = national.lists.find((l) => l.id === listId);
    const form = list && formFor(list, fieldId);
    if (!form) throw new Error(`${listId}/${fieldId ?? '-'} has no form`);
    const { answers } = sampleDossier(form);
    cellsOf.set(
      `${listId}/${fieldId ?? ''}`,
      new Map([
        ...form.fields.map((f): [string, string] => [f.id, String(answers[f.id])]),
        ...form.declarations.map((d): [string, string] => [`声明 ${d.id}`, '是']),
        ...form.attachments.filter((a) => a.required).map((a): [string, string] => [a.id, 'application.pdf']),
      ]),
    );
  }
  const headings = [...new Set([...cellsOf.values()].flatMap((cells) => [...cells.keys()]))];
  return {
    headings,
    cells: (listId: string, fieldId?: string) =>
      headings.map((h) => cellsOf.get(`${listId}/${fieldId ?? ''}`)?.get(h) ?? ''),
  };
}

/** The PDF every imported row attaches, written beside the sheets. */
async function applicationPdf(): Promise<void> {
  const file = path.join(suite.dir, 'application.pdf');
  if (!fs.existsSync(file)) fs.writeFileSync(file, await generateAttachmentPdf('Application', ['import']));
}

/** `kczg import <programme> --unit <unit> <file>` with the test's attachment store. */
const importArgs = (unitId: string, file: string) => [
  'import',
  PROGRAMME,
  '--unit',
  unitId,
  file,
  '--data-dir',
  path.join(suite.dir, 'store'),
];

describe('kczg commands on a live cycle (dev server)', () => {
  it('plan: the programme-year as one JSON document and an .ics, without a server', async () => {
    const ics = path.join(suite.dir, 'plan.ics');
    const plan = await kczg(['plan', 'national-2023', '--ics', ics]);
    expect(plan.code).toBe(0);
    expect(plan.json.stages.map((s: Json) => s.key)).toEqual([
      'collection',
      'preliminary-review',
      'final-review',
      'publication',
      'promotion',
    ]);
    expect(plan.json.reminders[0]).toMatchObject({
      id: 'collection:T-14',
      date: '2023-11-16',
      time: '09:00',
      at: '2023-11-16T09:00:00+08:00',
    });
    // Instants are RFC 3339 with +08:00, beside the display strings.
    expect(plan.json.stages[0]).toMatchObject({
      startsAt: '2023-10-07T00:00:00+08:00',
      starts: '2023-10-07 00:00',
      deadlineAt: '2023-12-01T00:00:00+08:00',
      deadline: '2023-11-30 24:00',
    });
    expect(fs.readFileSync(ics, 'utf8')).toContain('BEGIN:VCALENDAR');
  });

  it('--help of every new or changed command shows an example', async () => {
    const helps = await Promise.all(
      [
        ['import'],
        ['mail', 'plan'],
        ['mail', 'preview'],
        ['cycle', 'start'],
        ['nominate', 'amend'],
        ['nominate', 'complete'],
        ['nominate'],
        ['setup'],
      ].map((words) => kczg([...words, '--help'], { text: true })),
    );
    for (const help of helps) {
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('示例 / example');
    }
    expect(helps[0].stdout).toContain('kczg import national-2023 --unit cie nominations.xlsx');
    expect(helps[3].stdout).toContain('--roster <file>');
    expect(helps[2].stdout).toContain('templates: collectionOpened, unitReminder');
    expect(helps[6].stdout).toContain('programmes/candidate.schema.json');
    expect(helps[6].stdout).toContain('region: mainland | hong-kong');
    expect(helps[7].stdout).toContain('"registered"');
  });

  it('cycle start: a programme file at a programme time; a second start returns the running cycle', async () => {
    const file = programmeFile(PROGRAMME, (p) => {
      const list = p.lists.find((l) => l.id === 'pioneer-tech');
      if (list?.quota) list.quota.default = 1000;
    });
    const start = await kczg(startCycleArgs(PROGRAMME, file, '2023-11-01 09:00'));
    expect(start).toMatchObject({ code: 0, json: { cycleId: CYCLE, started: true } });
    const again = await kczg(['cycle', 'start', PROGRAMME, '--programme-file', file]);
    expect(again).toMatchObject({ code: 0, json: { cycleId: CYCLE, started: false } });
  });

  it('cycle start --roster: the cycle runs with the roster file’s units; a bad roster is exit 2 INVALID', async () => {
    const id = 'roster-test-2023';
    const file = programmeFile(id);
    const roster = path.join(suite.dir, 'units.csv');
    fs.writeFileSync(
      roster,
      '\uFEFF单位编号,单位名称,推荐渠道,电子邮箱,联系人\r\n' +
        'test-unit-a,测试学会,全国学会、协会、研究会,a@units.example.org,李四\r\n' +
        'cie,中国电子学会,national-society,cie@units.example.org,\r\n',
    );
    const start = await kczg(['cycle', 'start', id, '--programme-file', file, '--roster', roster]);
    expect(start).toMatchObject({ code: 0, json: { cycleId: `kczg:${id}`, started: true } });
    const { programme } = await suite.stack.api.reader.setup(`kczg:${id}`);
    expect(programme.roster).toEqual({
      sample: false,
      units: [
        {
          id: 'test-unit-a',
          name: '测试学会',
          channels: ['national-society'],
          email: 'a@units.example.org',
          contact: '李四',
        },
        { id: 'cie', name: '中国电子学会', channels: ['national-society'], email: 'cie@units.example.org' },
      ],
    });
    const cancel = await kczg(['cycle', 'cancel', id, '--reason', '测试结束']);
    expect(cancel.code).toBe(0);

    const bad = path.join(suite.dir, 'bad-units.csv');
    fs.writeFileSync(bad, 'id,name,channels,email\nx-unit,某单位,no-such-channel,x@units.example.org\n');
    const refused = await kczg(['cycle', 'start', 'other-2023', '--programme-file', file, '--roster', bad]);
    expect(refused).toMatchObject({
      code: 2,
      json: { error: { code: 'INVALID', field: 'row 2, column channels' } },
    });
  });

  /** Bad rows of the 500-row file: spreadsheet row → the code and field the report must show. */
  const BAD_ROWS = new Map<number, { code: string; field: string }>([
    [10, { code: 'INVALID', field: 'candidate.foundedOn' }], // 2023-02-30: refused before sending
    [20, { code: 'NOT_ELIGIBLE', field: 'candidate.classified' }], // 涉密
    [30, { code: 'NOT_ELIGIBLE', field: 'candidate.classified' }], // not stated
    [40, { code: 'INVALID', field: 'fieldId' }], // no such field
    [50, { code: 'UNKNOWN_LIST', field: 'listId' }],
    [60, { code: 'DUPLICATE', field: 'candidate.name' }], // same identity as row 2
    [70, { code: 'NOT_ELIGIBLE', field: 'candidate.category' }], // 产业基础 needs a listed category
    [80, { code: 'DUPLICATE', field: 'candidate' }], // identical to row 3: same derived key
    [90, { code: 'INVALID', field: 'candidate.region' }],
  ]);

  it('import: 500 XLSX rows, 9 bad — accepted rows are the unit’s nominations, the report CSV has code and field per row', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('推荐');
    const dossier = dossierColumns([
      ['pioneer-tech', 'electronics'],
      ['pioneer-tech', 'industrial-foundation'],
    ]);
    await applicationPdf();
    sheet.addRow([
      '榜单',
      '领域',
      '名称',
      '统一社会信用代码',
      '成立日期',
      '是否涉密',
      '类别',
      '注册地区',
      ...dossier.headings,
    ]);
    const rowOf = (i: number): ExcelJS.CellValue[] => [
      'pioneer-tech',
      'electronics',
      `导入技术 ${i}`,
      `ID-${i}`,
      new Date(Date.UTC(2015, 0, 1 + (i % 300))),
      '否',
      '',
      '中国大陆',
    ];
    for (let row = 2; row <= 501; row++) {
      const cells = rowOf(row - 1);
      if (row === 10) cells[4] = '2023-02-30';
      if (row === 20) cells[5] = '是';
      if (row === 30) cells[5] = '';
      if (row === 40) cells[1] = 'no-such-field';
      if (row === 50) cells[0] = 'no-such-list';
      if (row === 60) cells[3] = 'ID-1';
      if (row === 70) [cells[1], cells[6]] = ['industrial-foundation', '其他'];
      if (row === 80) cells.splice(0, cells.length, ...rowOf(2));
      if (row === 90) cells[7] = '火星';
      sheet.addRow([...cells, ...dossier.cells('pioneer-tech', String(cells[1]))]);
    }
    const file = path.join(suite.dir, 'cie-500.xlsx');
    await workbook.xlsx.writeFile(file);

    const started = Date.now();
    const result = await kczg(importArgs('cie', file));
    const seconds = (Date.now() - started) / 1000;
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({ unitId: 'cie', total: 500, accepted: 491, rejected: 9 });
    const rows: Json[] = result.json.rows;
    expect(rows).toHaveLength(500);
    const rejected = rows.filter((r) => r.status === 'rejected');
    expect(new Map(rejected.map((r) => [r.row, { code: r.code, field: r.field }]))).toEqual(BAD_ROWS);

    const nominations = await nominationsOf('cie');
    expect(nominations).toHaveLength(491);
    expect(new Set(nominations.map((n) => n.id))).toEqual(
      new Set(rows.filter((r) => r.status === 'accepted').map((r) => r.nominationId)),
    );

    const report = fs.readFileSync(`${file}.report.csv`, 'utf8');
    expect(report.startsWith('\uFEFF')).toBe(true);
    const lines = parseCsv(report.slice(1)).filter((l) => l.length > 1);
    expect(lines[0]).toEqual(REPORT_HEADINGS);
    expect(lines).toHaveLength(501);
    const row20 = lines.find((l) => l[0] === '20') as string[];
    expect(row20.slice(1, 5)).toEqual(['已拒绝', '', 'NOT_ELIGIBLE', 'candidate.classified']);
    expect(lines.find((l) => l[0] === '2')?.slice(1, 3)).toEqual(['已接受', rows[0].nominationId]);
    process.stderr.write(`[cli-commands] 500-row import: ${seconds.toFixed(1)} s\n`);
  });

  it('import: killed mid-way, then re-run — no duplicate nominations, every valid row accepted', async () => {
    const dossier = dossierColumns([['pioneer-tech', 'electronics']]);
    await applicationPdf();
    const header = ['榜单,领域,名称,统一社会信用代码,成立日期,是否涉密', ...dossier.headings].join(',');
    const lines = [header];
    for (let i = 1; i <= 300; i++)
      lines.push(
        [
          `pioneer-tech,electronics,续传技术 ${i},R-${i},2016/5/${1 + (i % 28)},否`,
          ...dossier.cells('pioneer-tech', 'electronics'),
        ].join(','),
      );
    const file = path.join(suite.dir, 'cmes-300.csv');
    fs.writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`);
    // First run: killed (SIGKILL, no clean-up) once the unit holds some of its nominations.
    const child = suite.cli.spawn(importArgs('cmes', file), { text: false });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let atKill = 0;
    for (let i = 0; i < 600 && atKill < 40; i++) {
      await new Promise((r) => setTimeout(r, 50));
      atKill = (await nominationsOf('cmes').catch(() => [])).length;
    }
    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    const before = await nominationsOf('cmes');
    expect(before.length).toBeGreaterThanOrEqual(40);
    expect(before.length).toBeLessThan(300);
    process.stderr.write(`[cli-commands] killed the import with ${before.length}/300 nominations in\n`);

    const rerun = await kczg(importArgs('cmes', file));
    expect(rerun).toMatchObject({ code: 0, json: { accepted: 300, rejected: 0 } });
    const after = await nominationsOf('cmes');
    expect(after).toHaveLength(300);
    expect(new Set(after.map((n) => n.idempotencyKey)).size).toBe(300);
    expect(new Set(after.map((n) => n.candidate.name)).size).toBe(300);
    // What the killed run submitted kept its nomination ids.
    const ids = new Map(after.map((n) => [n.idempotencyKey, n.id]));
    for (const n of before) expect(ids.get(n.idempotencyKey)).toBe(n.id);

    // A third run changes nothing.
    const third = await kczg(importArgs('cmes', file));
    expect(third.json).toMatchObject({ accepted: 300, rejected: 0 });
    expect(await nominationsOf('cmes')).toHaveLength(300);
  });

  it('import within a quota: the places go to the first rows of the file, the rest are QUOTA_EXCEEDED', async () => {
    // ciesc is in two channels of 5 places each on 新锐企业榜 (stacked): 10 places, 13 rows.
    const dossier = dossierColumns([['emerging-enterprise']]);
    await applicationPdf();
    const lines = [
      ['榜单,名称,统一社会信用代码,注册地区,成立日期,经营与信用状态', ...dossier.headings].join(','),
    ];
    for (let i = 1; i <= 13; i++)
      lines.push(
        [
          `emerging-enterprise,新锐企业 ${i},Q-${i},中国大陆,2018-01-01,良好`,
          ...dossier.cells('emerging-enterprise'),
        ].join(','),
      );
    const file = path.join(suite.dir, 'ciesc-13.csv');
    fs.writeFileSync(file, lines.join('\n'));
    const result = await kczg(importArgs('ciesc', file));
    expect(result).toMatchObject({ code: 0, json: { accepted: 10, rejected: 3 } });
    const rows: Json[] = result.json.rows;
    expect(rows.filter((r) => r.status === 'accepted').map((r) => r.row)).toEqual([
      2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
    expect(rows.filter((r) => r.status === 'rejected').map((r) => [r.row, r.code])).toEqual([
      [12, 'QUOTA_EXCEEDED'],
      [13, 'QUOTA_EXCEEDED'],
      [14, 'QUOTA_EXCEEDED'],
    ]);
  });

  it('import: an invalid file or an unknown unit is exit 2 with a stable code, and nothing is sent', async () => {
    const noName = path.join(suite.dir, 'no-name.csv');
    fs.writeFileSync(noName, '榜单,领域\npioneer-tech,electronics\n');
    const notXlsx = path.join(suite.dir, 'broken.xlsx');
    fs.writeFileSync(notXlsx, 'not a workbook');
    const good = path.join(suite.dir, 'one.csv');
    fs.writeFileSync(good, 'listId,fieldId,name,classified\npioneer-tech,electronics,单项技术,false\n');
    const [missingColumn, unreadable, unknownUnit, noUnit] = await Promise.all([
      kczg(['import', PROGRAMME, '--unit', 'csae', noName]),
      kczg(['import', PROGRAMME, '--unit', 'csae', notXlsx]),
      kczg(['import', PROGRAMME, '--unit', 'no-such-unit', good]),
      kczg(['import', PROGRAMME, good]),
    ]);
    expect(missingColumn).toMatchObject({ code: 2, json: { error: { code: 'INVALID', field: 'name' } } });
    expect(unreadable).toMatchObject({ code: 2, json: { error: { code: 'INVALID', field: 'file' } } });
    expect(unknownUnit).toMatchObject({ code: 2, json: { error: { code: 'UNKNOWN_UNIT', field: 'unit' } } });
    expect(noUnit).toMatchObject({ code: 2, json: { error: { code: 'INVALID', field: 'unit' } } });
    expect(fs.existsSync(`${noName}.report.csv`)).toBe(false);
    expect(await nominationsOf('csae')).toHaveLength(0);
  });

  it('import --template writes the XLSX template with the running cycle’s lists (no preset of that id)', async () => {
    const out = path.join(suite.dir, 'template.xlsx');
    const result = await kczg(['import', PROGRAMME, '--template', out]);
    expect(result).toMatchObject({ code: 0, json: { template: out } });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(out);
    expect(workbook.worksheets.map((w) => w.name)).toContain('榜单与领域 lists');
  });

  it('nominate and withdraw: accepted with an id, the same key returns it, a second withdrawal is exit 2', async () => {
    const candidate = path.join(suite.dir, 'candidate.json');
    fs.writeFileSync(
      candidate,
      JSON.stringify({
        name: '新锐科技有限公司',
        identity: 'E-1',
        region: 'mainland',
        foundedOn: '2018-01-01',
        standing: 'good',
      }),
    );
    const args = [
      'nominate',
      PROGRAMME,
      '--unit',
      'csae',
      '--list',
      'emerging-enterprise',
      '--candidate',
      candidate,
      '--dossier',
      dossierFile(suite.dir, 'csae-dossier', 'national-2023', 'emerging-enterprise'),
    ];
    const first = await kczg([...args, '--key', 'csae-001']);
    expect(first).toMatchObject({
      code: 0,
      json: { id: 'csae.1', unitId: 'csae', listId: 'emerging-enterprise' },
    });
    const retry = await kczg([...args, '--key', 'csae-001']);
    expect(retry.json.id).toBe('csae.1');
    const unknownList = await kczg([
      ...args.slice(0, 5),
      'no-such-list',
      ...args.slice(6),
      '--key',
      'csae-002',
    ]);
    expect(unknownList).toMatchObject({
      code: 2,
      json: { error: { code: 'UNKNOWN_LIST', field: 'listId' } },
    });

    const withdrawn = await kczg(['withdraw', PROGRAMME, '--unit', 'csae', '--nomination', 'csae.1']);
    expect(withdrawn).toMatchObject({ code: 0, json: { id: 'csae.1' } });
    const again = await kczg(['withdraw', PROGRAMME, '--unit', 'csae', '--nomination', 'csae.1']);
    expect(again).toMatchObject({ code: 2, json: { error: { code: 'UNKNOWN_NOMINATION' } } });
    expect(await nominationsOf('csae')).toHaveLength(0);
  });

  it('cycle status and extend: a unit’s own deadline; a deadline in the past is exit 2 INVALID until', async () => {
    const status = await kczg(['cycle', 'status', PROGRAMME]);
    expect(status).toMatchObject({
      code: 0,
      json: {
        cycleId: CYCLE,
        programmeId: PROGRAMME,
        stage: 'collection',
        paused: false,
        // RFC 3339 in Beijing time: 24:00 is the next day's 00:00.
        deadlines: { collectionClosesAt: '2023-12-01T00:00:00+08:00' },
      },
    });
    expect(ms(status.json.now)).toBeGreaterThanOrEqual(at('2023-11-01 09:00'));

    const extend = await kczg([
      'cycle',
      'extend',
      PROGRAMME,
      '--unit',
      'cie',
      '--until',
      '2023-12-05 24:00',
      '--reason',
      '材料补正',
    ]);
    expect(extend).toMatchObject({ code: 0, json: { unitExtensions: { cie: '2023-12-06T00:00:00+08:00' } } });
    const past = await kczg([
      'cycle',
      'extend',
      PROGRAMME,
      '--until',
      '2023-10-01 00:00',
      '--reason',
      '误操作',
    ]);
    expect(past).toMatchObject({ code: 2, json: { error: { code: 'INVALID', field: 'until' } } });
    const badDate = await kczg(['cycle', 'extend', PROGRAMME, '--until', '明天', '--reason', 'x']);
    expect(badDate).toMatchObject({
      code: 2,
      json: { error: { code: 'INVALID', field: 'until', rule: 'date' } },
    });
  });

  it('mail plan: every future message with time, recipient and template, following the unit’s extension', async () => {
    const result = await kczg(['mail', 'plan', PROGRAMME]);
    expect(result.code).toBe(0);
    const plan = result.json;
    expect(plan).toMatchObject({
      cycleId: CYCLE,
      programmeId: PROGRAMME,
      stage: 'collection',
      paused: false,
    });
    expect(plan.messages.length).toBeGreaterThan(50);
    expect(plan.messages.every((m: Json) => ms(m.at) > ms(plan.now))).toBe(true);
    const byId = new Map<string, Json>(plan.messages.map((m: Json) => [m.id, m]));
    expect(byId.get('collection:T-14')).toMatchObject({
      when: '2023-11-16 09:00',
      template: 'unitReminder',
      recipient: { role: 'unit', count: 12 },
      deadline: '2023-11-30 24:00',
    });
    expect(byId.get('unit:cie:collection:closed')).toMatchObject({
      when: '2023-12-06 00:00',
      template: 'collectionClosed',
      recipient: { role: 'unit', unitId: 'cie', name: { zh: '中国电子学会' } },
    });
    expect(new Set(plan.messages.map((m: Json) => m.template))).toEqual(
      new Set([
        'unitReminder',
        'collectionClosed',
        'secretariatDigest',
        'bodyReminder',
        'bodyOverdue',
        'escalation',
        'resultsPublished',
      ]),
    );
    const text = await kczg(['mail', 'plan', PROGRAMME], { text: true });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('2023-11-16 09:00');
    expect(text.stdout).toContain('推荐单位：中国电子学会');
  });

  it('mail preview: the running cycle’s real usage for a unit; a preset without a cycle; bad names are exit 2', async () => {
    const html = path.join(suite.dir, 'preview.html');
    const [live, preset, badTemplate, badUnit] = await Promise.all([
      kczg(['mail', 'preview', 'unitReminder', '--programme', PROGRAMME, '--unit', 'cie', '--html', html]),
      kczg(['mail', 'preview', 'bodyReminder', '--programme', 'national-2022', '--body', 'final']),
      kczg(['mail', 'preview', 'noSuchTemplate']),
      kczg(['mail', 'preview', 'unitReminder', '--programme', PROGRAMME, '--unit', 'nope']),
    ]);
    expect(live).toMatchObject({
      code: 0,
      json: { source: 'cycle', template: 'unitReminder', calendar: true },
    });
    expect(live.json.text).toContain('电子信息：已推荐 491 项，限额 1000 项');
    expect(live.json.to[0].email).toBe('cie@units.example.org');
    // cie's own deadline (2023-12-05 24:00): its next reminder, T-14, is on 2023-11-21.
    expect(live.json.issued).toBe('2023-11-21 09:00');
    expect(live.json.subject).toContain('还有 14 天');
    expect(fs.readFileSync(html, 'utf8')).toContain('中国电子学会');
    expect(preset).toMatchObject({ code: 0, json: { source: 'preset', programmeId: 'national-2022' } });
    expect(badTemplate).toMatchObject({ code: 2, json: { error: { code: 'INVALID', field: 'template' } } });
    expect(badUnit).toMatchObject({ code: 2, json: { error: { code: 'UNKNOWN_UNIT', field: 'unit' } } });
  });

  it('cycle pause and resume: the clock stops and restarts; pausing twice is exit 2 WRONG_STAGE', async () => {
    const pause = await kczg(['cycle', 'pause', PROGRAMME, '--reason', '系统维护']);
    expect(pause).toMatchObject({ code: 0, json: { paused: true } });
    const twice = await kczg(['cycle', 'pause', PROGRAMME, '--reason', '系统维护']);
    expect(twice).toMatchObject({ code: 2, json: { error: { code: 'WRONG_STAGE' } } });
    const plan = await kczg(['mail', 'plan', PROGRAMME]);
    expect(plan.json.paused).toBe(true);
    const resume = await kczg(['cycle', 'resume', PROGRAMME, '--reason', '维护完成']);
    expect(resume).toMatchObject({ code: 0, json: { paused: false } });
  });

  it('cycle audit (+ --csv): every secretariat action in order, as JSON and as a UTF-8 CSV', async () => {
    const csv = path.join(suite.dir, 'audit.csv');
    const audit = await kczg(['cycle', 'audit', PROGRAMME, '--csv', csv]);
    expect(audit.code).toBe(0);
    const actions = (audit.json as Json[]).filter((e) => e.actor === 'secretariat').map((e) => e.action);
    expect(actions).toEqual(['start', 'extend', 'pause', 'resume']);
    const text = fs.readFileSync(csv, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = parseCsv(text.slice(1)).filter((r) => r.length > 1);
    expect(rows[0][0]).toBe('时间（北京时间）');
    expect(rows.some((r) => r[2] === 'extend' && r[4].includes('材料补正'))).toBe(true);
  });

  it('mail outbox: the opening notices the cycle sent to every unit', async () => {
    let entries: Json[] = [];
    for (let i = 0; i < 40; i++) {
      entries = (await kczg(['mail', 'outbox', suite.stack.outboxDir])).json;
      if (entries.filter((e) => e.subject.includes('推荐征集已开始')).length >= 13) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const opened = entries.filter((e) => e.subject.includes('推荐征集已开始'));
    expect(opened.length).toBeGreaterThanOrEqual(13);
    expect(opened.flatMap((e) => e.to)).toContain('cie@units.example.org');
  });

  it('nominate --template, amend, status and complete: a unit corrects a candidate and says it is done', async () => {
    const printed = await kczg(['nominate', '--template'], { text: true });
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout).$schema).toBe('programmes/candidate.schema.json');
    const file = path.join(suite.dir, 'example-candidate.json');
    expect(await kczg(['nominate', '--template', file])).toMatchObject({ code: 0, json: { template: file } });
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).$schema).toMatch(/programmes\/candidate\.schema\.json$/);

    // The example is a valid candidate as written ($schema is for editors and is not sent).
    const part = ['--list', 'pioneer-tech', '--field', 'electronics'];
    const dossier = dossierFile(suite.dir, 'js-dossier', 'national-2023', 'pioneer-tech', 'electronics');
    const nominated = await kczg([
      'nominate',
      PROGRAMME,
      '--unit',
      'jiangsu-cast',
      ...part,
      '--candidate',
      file,
      '--dossier',
      dossier,
      '--key',
      'js-1',
    ]);
    expect(nominated).toMatchObject({ code: 0, json: { id: 'jiangsu-cast.1' } });
    expect(ms(nominated.json.submittedAt)).toBeGreaterThanOrEqual(at('2023-11-01 09:00'));

    const corrected = path.join(suite.dir, 'corrected.json');
    fs.writeFileSync(
      corrected,
      JSON.stringify({ name: '更正后的技术名称', identity: 'JS-1', classified: false }),
    );
    const amend = (nomination: string) =>
      kczg([
        'nominate',
        'amend',
        PROGRAMME,
        '--unit',
        'jiangsu-cast',
        '--nomination',
        nomination,
        '--candidate',
        corrected,
      ]);
    const amended = await amend('jiangsu-cast.1');
    expect(amended).toMatchObject({
      code: 0,
      json: { id: 'jiangsu-cast.1', candidate: { name: '更正后的技术名称' } },
    });
    const missing = await amend('jiangsu-cast.9');
    expect(missing).toMatchObject({ code: 2, json: { error: { code: 'UNKNOWN_NOMINATION' } } });

    const before = await kczg(['nominate', 'status', PROGRAMME, '--unit', 'jiangsu-cast']);
    expect(before).toMatchObject({ code: 0, json: { unitId: 'jiangsu-cast', complete: false } });
    expect(ms(before.json.collectionClosesAt)).toBe(at('2023-11-30 24:00'));
    const complete = await kczg(['nominate', 'complete', PROGRAMME, '--unit', 'jiangsu-cast']);
    expect(complete).toMatchObject({ code: 0, json: { unitId: 'jiangsu-cast', complete: true } });
    expect((await suite.stack.api.unitState(CYCLE, 'jiangsu-cast')).complete).toBe(true);
    const text = await kczg(['nominate', 'status', PROGRAMME, '--unit', 'jiangsu-cast'], { text: true });
    expect(text.stdout).toContain('已报送完毕 / complete');
    expect(text.stdout).toContain('更正后的技术名称');

    // Without the required options: exit 2 INVALID with the field, nothing sent.
    const noKey = await kczg(['nominate', PROGRAMME, '--unit', 'jiangsu-cast', ...part, '--candidate', file]);
    expect(noKey).toMatchObject({
      code: 2,
      json: { error: { code: 'INVALID', field: 'key', rule: 'required' } },
    });
  });

  it('exit 1 for a failure that is not a rejection: a cycle that does not exist', async () => {
    const [status, plan] = await Promise.all([
      kczg(['cycle', 'status', 'no-such-2023']),
      kczg(['mail', 'plan', 'no-such-2023']),
    ]);
    expect(status).toMatchObject({ code: 1, json: { error: { code: 'FAILURE' } } });
    expect(plan).toMatchObject({ code: 1, json: { error: { code: 'FAILURE' } } });
    expect(plan.json.error.message).toContain('kczg:no-such-2023');
  });
});
