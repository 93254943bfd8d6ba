/**
 * `kczg import` attachment columns without a server: a column per slot names files relative to
 * the sheet (";"-separated), the derived key depends on them, and uploadRowFiles puts their
 * references into the row's dossier or refuses the row at the first bad file, storing nothing.
 */
import path from 'node:path';
import { parseCsv, prepareRows, tableFromRows, uploadRowFiles, type PreparedRow } from '../../client/import';
import type { AttachmentRef } from '../../domain/dossier';
import { loadProgramme } from '../../programmes/loader';

const programme = loadProgramme('national-2023');
const CONTEXT = { programmeId: 'national-2023', unitId: 'cie', programme };
const SHEET = '/data/unit/sheet.csv';

function prepare(lines: string[]): PreparedRow[] {
  const table = tableFromRows(parseCsv(lines.join('\n')), SHEET, { programme });
  return prepareRows(table, CONTEXT);
}

const ref = (file: string, slot: string): AttachmentRef => ({
  sha256: '0'.repeat(64),
  name: path.basename(file),
  slot,
  format: 'pdf',
  size: 100,
});

/** A store that refuses the files named in `missing` the way readUpload does, and records what it puts. */
function storeOf(missing: string[]) {
  const put: string[] = [];
  return {
    put,
    store: {
      check: async (file: string, slot: string) => {
        if (missing.includes(file))
          throw Object.assign(new Error('missing'), {
            rejection: {
              code: 'INVALID',
              field: 'file',
              rule: 'readable',
              message: '无法读取',
              fix: '检查文件路径',
            },
          });
        return { file, slot };
      },
      put: async (upload: { file: string; slot: string }) => {
        put.push(upload.file);
        return ref(upload.file, upload.slot);
      },
    },
  };
}

describe('attachment columns', () => {
  const header = 'listId,fieldId,name,classified,application-form,证明材料';

  it('reads a column per slot, by id or label, several files separated by ";", not reported as ignored', () => {
    const table = tableFromRows(
      parseCsv(`${header}\npioneer-tech,electronics,甲,false,a.pdf, b/1.pdf ；b/2.pdf`),
      SHEET,
      { programme },
    );
    expect(table.ignored).toEqual([]);
    const [row] = prepareRows(table, CONTEXT);
    expect(row).toMatchObject({
      ok: true,
      files: [
        { slot: 'application-form', path: 'a.pdf', heading: 'application-form' },
        { slot: 'evidence', path: 'b/1.pdf', heading: '证明材料' },
        { slot: 'evidence', path: 'b/2.pdf', heading: '证明材料' },
      ],
    });
  });

  it('derives a key that depends on the files named, and is the same for the same row', () => {
    const [a, b, c] = prepare([
      header,
      'pioneer-tech,electronics,甲,false,a.pdf,',
      'pioneer-tech,electronics,甲,false,other.pdf,',
      'pioneer-tech,electronics,乙,false,a.pdf,',
    ]);
    const [again] = prepare([header, 'pioneer-tech,electronics,甲,false,a.pdf,']);
    expect(new Set([a, b, c].map((r) => r.ok && r.key)).size).toBe(3);
    expect(again.ok && again.key).toBe(a.ok && a.key);
  });

  it('uploads the files relative to the sheet into the dossier; a missing one refuses its row, naming the column, and stores none of its files', async () => {
    const rows = prepare([
      header,
      'pioneer-tech,electronics,甲,false,a.pdf,e.pdf',
      'pioneer-tech,electronics,乙,false,gone.pdf,f.pdf',
      'pioneer-tech,electronics,丙,false,,',
    ]);
    const { store, put } = storeOf(['/data/unit/gone.pdf']);
    const [first, second, third] = await uploadRowFiles(rows, SHEET, store);
    expect(first.ok && first.request.dossier?.attachments).toEqual([
      ref('/data/unit/a.pdf', 'application-form'),
      ref('/data/unit/e.pdf', 'evidence'),
    ]);
    expect(second).toMatchObject({
      row: 3,
      ok: false,
      rejection: { code: 'INVALID', field: 'dossier.attachments.application-form', rule: 'readable' },
    });
    expect(!second.ok && second.rejection.message).toContain('「application-form」列');
    expect(!second.ok && second.rejection.message).toContain('gone.pdf');
    expect(third).toBe(rows[2]);
    expect(put).toEqual(['/data/unit/a.pdf', '/data/unit/e.pdf']);
  });

  it('answers a form field from the import column of the same id (contactEmail, whose every heading is that column’s)', () => {
    const [row] = prepare([
      'listId,fieldId,name,classified,联系邮箱',
      'pioneer-tech,electronics,甲,false,a@example.org',
    ]);
    expect(row.ok && row.request.candidate.contactEmail).toBe('a@example.org');
    expect(row.ok && row.request.dossier?.answers.contactEmail).toBe('a@example.org');
  });
});
