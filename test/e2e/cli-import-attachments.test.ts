/**
 * `kczg import` of a sheet whose rows carry their dossiers: a column per form field and
 * declaration, and a column per attachment slot naming files relative to the sheet, which the
 * import uploads through the attachment store (as `kczg attach`) before nominating. Spawned as a
 * user runs it against the dev server the harness starts.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import { formFor } from '../../domain/forms';
import { sampleDossier } from '../../domain/forms-sample';
import { loadProgramme } from '../../programmes/loader';
import { openStorage } from '../../storage';
import { CLI, startCycleArgs, type Json } from '../support/cli';
import { liveStack } from '../support/live-stack';

// Before the stack starts: it encrypts payloads with these keys, and every spawned kczg gets them.
process.env.KCZG_CODEC_KEYS = `e2e:${randomBytes(32).toString('base64')}`;

const PROGRAMME = 'import-attachments-2023';
const CYCLE = `kczg:${PROGRAMME}`;

const suite = liveStack('kczg-import-attachments-');
const storeDir = () => path.join(suite.dir, 'store');

/** The sha256 of every attachment in the store. */
async function storedHashes(): Promise<string[]> {
  const storage = await openStorage({ dataDir: storeDir() });
  try {
    const rows = await storage.records.db.selectFrom('attachments').select('sha256').execute();
    return rows.map((r) => r.sha256).sort();
  } finally {
    await storage.close();
  }
}

/** Writes a PDF under the sheet's folder; its sha256. */
async function pdf(relative: string, title: string): Promise<string> {
  const bytes = await generateAttachmentPdf(title, [relative]);
  const target = path.join(suite.dir, 'sheet', relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, bytes);
  return createHash('sha256').update(bytes).digest('hex');
}

const csvCell = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

describe('kczg import with dossiers and attachment columns (dev server)', () => {
  it('imports two rows with their PDFs; a row naming a missing file is refused with its row and column, storing nothing', async () => {
    expect(fs.existsSync(CLI)).toBe(true);
    const programme = structuredClone(loadProgramme('national-2023'));
    programme.id = PROGRAMME;
    const programmeFile = path.join(suite.dir, `${PROGRAMME}.json`);
    fs.writeFileSync(programmeFile, JSON.stringify(programme));
    const start = await suite.cli.run(startCycleArgs(PROGRAMME, programmeFile, '2023-11-01 09:00'));
    expect(start.code).toBe(0);

    // The form's answers and declarations as columns ("联系邮箱 contactEmail" is the candidate's
    // contact column, which answers the form's contactEmail too), its slots by id and by label.
    const list = programme.lists.find((l) => l.id === 'pioneer-tech');
    const form = list && formFor(list, 'electronics');
    if (!form) throw new Error('pioneer-tech/electronics has no form');
    const sample = sampleDossier(form);
    const answerHeadings = form.fields.map((f) => `${f.label.zh} ${f.id}`);
    const declarationHeadings = form.declarations.map((d) => `声明 ${d.id}`);
    const evidenceLabel = form.attachments.find((a) => a.id === 'evidence')?.label.zh ?? '';
    const header = [
      '榜单',
      '领域',
      '名称',
      '统一社会信用代码',
      '是否涉密',
      ...answerHeadings,
      ...declarationHeadings,
      'application-form',
      evidenceLabel,
    ];
    const hashes = {
      first: await pdf('申报书/技术一.pdf', 'Application 1'),
      firstEvidence: [await pdf('证明/一a.pdf', 'Evidence 1a'), await pdf('证明/一b.pdf', 'Evidence 1b')],
      second: await pdf('申报书/技术二.pdf', 'Application 2'),
      strayEvidence: await pdf('证明/三.pdf', 'Evidence 3'),
    };
    const row = (name: string, application: string, evidence: string) =>
      [
        'pioneer-tech',
        'electronics',
        name,
        `IMP-${name}`,
        '否',
        ...form.fields.map((f) => String(sample.answers[f.id])),
        ...form.declarations.map(() => '是'),
        application,
        evidence,
      ]
        .map(csvCell)
        .join(',');
    const sheet = path.join(suite.dir, 'sheet', 'nominations.csv');
    fs.writeFileSync(
      sheet,
      [
        header.map(csvCell).join(','),
        row('附件技术一', '申报书/技术一.pdf', '证明/一a.pdf; 证明/一b.pdf'),
        row('附件技术二', '申报书/技术二.pdf', ''),
        row('附件技术三', '申报书/不存在.pdf', '证明/三.pdf'),
      ].join('\n'),
    );

    const result = await suite.cli.run([
      'import',
      PROGRAMME,
      '--unit',
      'cie',
      sheet,
      '--data-dir',
      storeDir(),
    ]);
    expect((result.json.rows as Json[]).map((r) => [r.row, r.status, r.field ?? null])).toEqual([
      [2, 'accepted', null],
      [3, 'accepted', null],
      [4, 'rejected', 'dossier.attachments.application-form'],
    ]);
    expect(result).toMatchObject({
      code: 0,
      json: { total: 3, accepted: 2, rejected: 1, ignoredColumns: [] },
    });
    const refused = (result.json.rows as Json[]).find((r) => r.status === 'rejected');
    expect(refused).toMatchObject({
      row: 4,
      code: 'INVALID',
      field: 'dossier.attachments.application-form',
      rule: 'readable',
    });
    expect(refused?.reason).toContain('「application-form」列');
    expect(refused?.reason).toContain('申报书/不存在.pdf');

    // The two rows' nominations carry their answers, declarations and the uploaded files.
    const { nominations } = await suite.stack.api.unitState(CYCLE, 'cie');
    expect(nominations.map((n) => n.candidate.name).sort()).toEqual(['附件技术一', '附件技术二']);
    const attachmentsOf = (name: string) =>
      nominations
        .find((n) => n.candidate.name === name)
        ?.dossier?.attachments.map((a) => [a.slot, a.name, a.format, a.sha256]);
    expect(attachmentsOf('附件技术一')).toEqual([
      ['application-form', '技术一.pdf', 'pdf', hashes.first],
      ['evidence', '一a.pdf', 'pdf', hashes.firstEvidence[0]],
      ['evidence', '一b.pdf', 'pdf', hashes.firstEvidence[1]],
    ]);
    expect(attachmentsOf('附件技术二')).toEqual([['application-form', '技术二.pdf', 'pdf', hashes.second]]);
    for (const n of nominations) {
      expect(n.dossier?.answers).toEqual(sample.answers);
      expect(n.dossier?.declarations).toEqual(sample.declarations);
    }
    // The refused row stored none of its files.
    expect(await storedHashes()).toEqual([hashes.first, ...hashes.firstEvidence, hashes.second].sort());
    expect(await storedHashes()).not.toContain(hashes.strayEvidence);
  });
});
