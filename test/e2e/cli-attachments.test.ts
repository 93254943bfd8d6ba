/**
 * Attachments and dossier exports through `kczg`, spawned as a user runs it against the dev
 * server the harness starts (real worker, payloads encrypted with the same KCZG_CODEC_KEYS the
 * attachments use): `kczg attach` uploads and refuses (oversize, an executable renamed .pdf, one
 * bad file among good ones: nothing stored), `kczg dossiers export` writes a review body's index
 * sheet, and the export writes each nomination's attachments, every read audited. The nominations
 * carry real dossiers: the form's sample answers and declarations, the uploaded files' references.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { generateAuthKeyPair, issueCredential } from '../../client/credentials';
import { exportDossiers } from '../../client/dossier-export';
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import type { AttachmentRef } from '../../domain/dossier';
import { loadProgramme } from '../../programmes/loader';
import { openStorage } from '../../storage';
import { AttachmentStore, attachmentKeyring } from '../../storage/attachments';
import { HEADER_ROW } from '../../activities/publication/xlsx';
import { dossierFor, tech } from '../support/candidates';
import { CLI, startCycleArgs, type Json } from '../support/cli';
import { liveStack } from '../support/live-stack';
import { docx } from '../storage/zip-fixtures';

// Before the stack starts: it encrypts payloads with these keys, and every spawned kczg gets them.
process.env.KCZG_CODEC_KEYS = `e2e:${randomBytes(32).toString('base64')}`;

const PROGRAMME = 'dossier-test-2023';
const CYCLE = `kczg:${PROGRAMME}`;
const ELECTRONICS_BODY = 'info-tech-consortium';
/** The test's programme is national-2023 under another id: its forms. */
const PROGRAMME_FORMS = 'national-2023';

const suite = liveStack('kczg-attachments-');
const kczg = (args: string[]) => suite.cli.run(args);
const storeDir = () => path.join(suite.dir, 'store');
/** `kczg dossiers export --cycle <programme> …` of the test's cycle. */
const exportDossiersCommand = (...args: string[]) =>
  kczg(['dossiers', 'export', '--cycle', PROGRAMME, ...args]);

async function withStore<T>(use: (store: AttachmentStore) => Promise<T>): Promise<T> {
  const storage = await openStorage({ dataDir: storeDir() });
  try {
    return await use(new AttachmentStore(storage.records.db, storage.files, attachmentKeyring()));
  } finally {
    await storage.close();
  }
}

/** Attachment records in the store (objects are written before records, and only then). */
async function storedCount(): Promise<number> {
  const storage = await openStorage({ dataDir: storeDir() });
  try {
    const objects = await storage.files.list('attachments/');
    const rows = await storage.records.db.selectFrom('attachments').select('sha256').execute();
    expect(objects).toHaveLength(rows.length);
    return rows.length;
  } finally {
    await storage.close();
  }
}

function file(name: string, content: Buffer): string {
  const target = path.join(suite.dir, 'uploads', name);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
  return target;
}

const uploads = { licence: '', application: '', applicationPdf: '', report: '' };
const refs: Record<string, AttachmentRef> = {};

beforeAll(async () => {
  expect(fs.existsSync(CLI)).toBe(true);
  uploads.licence = file('营业执照.pdf', await generateAttachmentPdf('Business licence', ['CIE']));
  uploads.application = file('申报书.docx', docx());
  uploads.applicationPdf = file('申报书.pdf', await generateAttachmentPdf('Application form', ['CIE']));
  uploads.report = file('技术报告.pdf', await generateAttachmentPdf('Technical report', ['p1', 'p2']));
});

describe('kczg attach', () => {
  it('refuses an oversize file, an executable renamed .pdf and a missing key (exit 2); one bad file stores none', async () => {
    const oversize = file(
      'big.pdf',
      Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(21 * 1024 * 1024)]),
    );
    const elf = file(
      '报告.pdf',
      Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), randomBytes(100)]),
    );
    const results = [
      await kczg(['attach', oversize, '--slot', 'proof', '--data-dir', storeDir()]),
      await kczg(['attach', uploads.licence, elf, '--slot', 'proof', '--data-dir', storeDir()]),
    ];
    expect(results.map((r) => [r.code, r.json?.error?.code, r.json?.error?.rule])).toEqual([
      [2, 'INVALID', 'max-bytes'],
      [2, 'INVALID', 'executable'],
    ]);
    expect(results[1].json.error.message).toContain('报告.pdf');
    // Without the payload keys nothing can be stored encrypted: refused, with the fix.
    const keyless = { ...process.env, KCZG_CODEC_KEYS: '' };
    const withoutKeys = await suite.cli.run(
      ['attach', uploads.licence, '--slot', 'proof', '--data-dir', storeDir()],
      {
        env: keyless,
      },
    );
    expect(withoutKeys).toMatchObject({
      code: 2,
      json: { error: { field: 'KCZG_CODEC_KEYS', rule: 'codec-keys' } },
    });
    expect(await storedCount()).toBe(0);
  });

  it('uploads files and prints their references; the same file again is the same attachment', async () => {
    const first = await kczg([
      'attach',
      uploads.licence,
      uploads.report,
      '--slot',
      'evidence',
      '--data-dir',
      storeDir(),
    ]);
    expect(first.code).toBe(0);
    expect(first.json.attachments).toEqual([
      expect.objectContaining({ name: '营业执照.pdf', slot: 'evidence', format: 'pdf', pages: 1 }),
      expect.objectContaining({ name: '技术报告.pdf', format: 'pdf' }),
    ]);
    expect(first.json.stored.map((s: Json) => s.created)).toEqual([true, true]);
    const again = await kczg([
      'attach',
      uploads.licence,
      uploads.application,
      uploads.applicationPdf,
      '--slot',
      'application-form',
      '--data-dir',
      storeDir(),
    ]);
    expect(again.code).toBe(0);
    expect(again.json.stored.map((s: Json) => s.created)).toEqual([false, true, true]);
    expect(again.json.attachments[0].sha256).toBe(first.json.attachments[0].sha256);
    expect(again.json.attachments[1]).toMatchObject({ name: '申报书.docx', format: 'docx' });
    for (const ref of [...first.json.attachments, ...again.json.attachments])
      refs[`${ref.slot}/${ref.name}`] = ref;
    expect(await storedCount()).toBe(4);
  });
});

describe('dossier export on a live cycle', () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const programme = structuredClone(loadProgramme('national-2023'));
    programme.id = PROGRAMME;
    const programmeFile = path.join(suite.dir, `${PROGRAMME}.json`);
    fs.writeFileSync(programmeFile, JSON.stringify(programme));
    const start = await kczg(startCycleArgs(PROGRAMME, programmeFile, '2023-11-01 09:00'));
    expect(start.code).toBe(0);
    const { api } = suite.stack;
    /** A pioneer-tech nomination whose dossier attaches the uploads named `slot/name`. */
    const nominate = async (unit: string, key: string, fieldId: string, name: string, files: string[]) => {
      const nomination = await api.nominate(CYCLE, unit, {
        idempotencyKey: key,
        listId: 'pioneer-tech',
        fieldId,
        candidate: tech(name),
        dossier: {
          ...dossierFor(PROGRAMME_FORMS, 'pioneer-tech', fieldId),
          attachments: files.map((f) => refs[f]),
        },
      });
      ids[key] = nomination.id;
    };
    await nominate('cie', 'cie-1', 'electronics', '量子芯片', [
      'evidence/营业执照.pdf',
      'application-form/申报书.pdf',
    ]);
    // Two attachments of one nomination with one name (in two slots).
    await nominate('csae', 'csae-1', 'electronics', '车规级芯片', [
      'application-form/营业执照.pdf',
      'evidence/营业执照.pdf',
      'evidence/技术报告.pdf',
    ]);
    await nominate('cmes', 'cmes-1', 'equipment', '智能机床', ['application-form/申报书.pdf']);
  });

  it('kczg dossiers export: a review body gets the index of its own parts only', async () => {
    const out = path.join(suite.dir, 'body-export');
    const result = await exportDossiersCommand(
      '--body',
      ELECTRONICS_BODY,
      '--out',
      out,
      '--data-dir',
      storeDir(),
    );
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({ cycleId: CYCLE, reader: `body:${ELECTRONICS_BODY}`, attachments: 5 });
    expect(result.json.nominations.map((n: Json) => n.nominationId).sort()).toEqual(
      [ids['cie-1'], ids['csae-1']].sort(),
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(path.join(out, 'index.xlsx'));
    const sheet = book.worksheets[0];
    expect((sheet.getRow(HEADER_ROW).values as unknown[]).slice(1)).toEqual([
      '推荐编号',
      '推荐单位',
      '榜单/领域',
      '候选',
      ...Object.keys(dossierFor(PROGRAMME_FORMS, 'pioneer-tech', 'electronics').answers),
      '已确认声明',
      '附件',
    ]);
    expect(sheet.getRow(HEADER_ROW + 1).getCell(2).value).toBe('中国电子学会');
  });

  it('a unit and a body both named, or a credential for another party, is refused', async () => {
    const both = await exportDossiersCommand('--body', 'ittn', '--unit', 'cie', '--out', suite.dir);
    expect(both).toMatchObject({ code: 2, json: { error: { code: 'INVALID', rule: 'one-scope' } } });
    const { privateKey } = generateAuthKeyPair();
    const unitCredential = issueCredential({
      privateKey,
      cycle: CYCLE,
      party: { kind: 'unit', id: 'cmes' },
      validForMs: 3_600_000,
    });
    const other = await kczg([
      '--credential',
      unitCredential,
      'dossiers',
      'export',
      '--cycle',
      PROGRAMME,
      '--body',
      ELECTRONICS_BODY,
      '--out',
      suite.dir,
    ]);
    expect(other).toMatchObject({
      code: 2,
      json: { error: { code: 'NOT_ALLOWED', field: 'body', rule: 'party' } },
    });
    expect(other.json.error.fix).toContain('--unit cmes');
  });

  it('writes each nomination’s attachments and the index, every read audited as the body', async () => {
    const reader = `body:${ELECTRONICS_BODY}`;
    const readsBefore = (await withStore((store) => store.reads({ reader }))).length;
    const out = path.join(suite.dir, 'dossiers');
    const report = await withStore((store) =>
      exportDossiers({
        source: suite.stack.api.reader,
        store,
        cycleId: CYCLE,
        scope: { kind: 'body', id: ELECTRONICS_BODY },
        reader,
        outDir: out,
      }),
    );
    const cie = ids['cie-1'];
    const csae = ids['csae-1'];
    expect(report.attachments).toBe(5);
    expect(report.nominations.find((n) => n.nominationId === cie)?.files).toEqual([
      `pioneer-tech/${cie}/营业执照.pdf`,
      `pioneer-tech/${cie}/申报书.pdf`,
    ]);
    // Attachments of one nomination with one name: the second gets " (2)".
    expect(report.nominations.find((n) => n.nominationId === csae)?.files).toEqual([
      `pioneer-tech/${csae}/营业执照.pdf`,
      `pioneer-tech/${csae}/营业执照 (2).pdf`,
      `pioneer-tech/${csae}/技术报告.pdf`,
    ]);
    expect(fs.readFileSync(path.join(out, 'pioneer-tech', cie, '营业执照.pdf'))).toEqual(
      fs.readFileSync(uploads.licence),
    );
    expect(fs.readFileSync(path.join(out, 'pioneer-tech', cie, '申报书.pdf'))).toEqual(
      fs.readFileSync(uploads.applicationPdf),
    );

    const reads = (await withStore((store) => store.reads({ reader }))).slice(readsBefore);
    expect(reads.map((r) => r.sha256).sort()).toEqual(
      [
        refs['evidence/营业执照.pdf'],
        refs['application-form/申报书.pdf'],
        refs['application-form/营业执照.pdf'],
        refs['evidence/营业执照.pdf'],
        refs['evidence/技术报告.pdf'],
      ]
        .map((r) => r.sha256)
        .sort(),
    );
    expect(reads[0].purpose).toContain(CYCLE);

    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(report.index);
    const sheet = book.worksheets[0];
    const headings = (sheet.getRow(HEADER_ROW).values as unknown[]).slice(1);
    // Every answer of the dossier is a column, headed by its field id.
    const { answers, declarations } = dossierFor(PROGRAMME_FORMS, 'pioneer-tech', 'electronics');
    expect(headings).toEqual([
      '推荐编号',
      '推荐单位',
      '榜单/领域',
      '候选',
      ...Object.keys(answers),
      '已确认声明',
      '附件',
    ]);
    const rows = [HEADER_ROW + 1, HEADER_ROW + 2].map((r) => (sheet.getRow(r).values as unknown[]).slice(1));
    expect(rows).toContainEqual([
      cie,
      '中国电子学会',
      '“科创中国”先导技术榜 / 电子信息',
      '量子芯片',
      ...Object.values(answers),
      declarations.map((d) => `✓ ${d.text}`).join('\n'),
      `pioneer-tech/${cie}/营业执照.pdf\npioneer-tech/${cie}/申报书.pdf`,
    ]);
  });
});
