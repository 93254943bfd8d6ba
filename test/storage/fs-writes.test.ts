/**
 * Business data is written only through storage/ (records in PostgreSQL/PGlite, files in the
 * file store), so that a second worker on another machine sees it. This test reads the sources
 * of the layers above storage and fails on any file-system write that is not in the allow-list
 * below, each entry with the reason it is not business data. A new write belongs in storage/, or
 * here with its reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
/** The layers that must reach business data through storage/ (those present today). */
const GUARDED = ['activities', 'workflows', 'worker', 'client', 'portal', 'http'];
/** Calls that create, change or remove files, whatever object they are called on. */
const WRITES =
  /^(writeFile|writeFileSync|appendFile|appendFileSync|mkdir|mkdirSync|mkdtemp|mkdtempSync|rename|renameSync|createWriteStream|copyFile|copyFileSync|cp|cpSync|rm|rmSync|rmdir|rmdirSync|unlink|unlinkSync|open|openSync|truncate|truncateSync|symlink|symlinkSync|link|linkSync|utimes|utimesSync|chmod|chmodSync)$/;

/** "file: call" → why it is not business data. */
const ALLOWED: Record<string, string> = {
  "activities/publication/pdf.ts: mkdtemp(path.join(os.tmpdir(), 'kczg-chromium-')":
    "Chromium's throwaway profile for one print",
  'activities/publication/pdf.ts: open(partial': 'reads back the PDF Chromium printed into a scratch folder',
  'activities/publication/pdf.ts: rename(partial':
    'the printed PDF within the scratch folder; publish stores it',
  'activities/publication/pdf.ts: rm(profile': "removes Chromium's throwaway profile",
  'activities/publication/pdf.ts: rm(partial': 'removes a half-printed PDF from the scratch folder',
  'client/project-export.ts: fs.mkdirSync(path.dirname(path.resolve(file))':
    'kczg project export --out: the folder of the progress export the user asked for',
  'client/project-export.ts: fs.writeFileSync(file':
    'kczg project export --out: the progress export the user asked for',
  'client/cli/run.ts: fs.writeFileSync(opts.ics':
    'kczg plan --ics: a calendar the user asked for, on their machine',
  'client/cli/audit.ts: fs.writeFileSync(opts.csv':
    'kczg audit / kczg cycle audit --csv: an export of the audit the user asked for',
  'client/cli/chain.ts: api.chain.open(parentCycleId': 'not a file: the chain API opening a child cycle',
  'client/cli/import-command.ts: fs.writeFileSync(report':
    'kczg import: the per-row report next to the file the user imported',
  'client/cli/mail-preview.ts: fs.writeFileSync(html':
    'kczg mail preview --html: a preview the user asked for',
  'client/cli/nominate.ts: fs.writeFileSync(file':
    'kczg nominate --template: the candidate template asked for',
  'client/cli/programme-cache.ts: fs.rmSync(file':
    "the CLI's cache of validated programmes (derived, not business data)",
  'client/cli/programme-cache.ts: fs.mkdirSync(path.dirname(cached)': "the CLI's programme cache folder",
  'client/cli/programme-cache.ts: fs.writeFileSync(partial': "the CLI's programme cache",
  'client/cli/programme-cache.ts: fs.renameSync(partial': "the CLI's programme cache",
  'client/cli/run.ts: fs.mkdirSync(dataDir': 'kczg dev: the local data folder of the embedded stack',
  'client/cli/run.ts: fs.writeFileSync(keyFile':
    'kczg dev: the dev payload key, kept so other terminals on this machine can use it',
  'client/import/template.ts: fs.mkdir(path.dirname(path.resolve(file))':
    'kczg import: the blank template asked for',
  'client/import/template.ts: fs.writeFile(file': 'kczg import: the blank CSV template the user asked for',
  'client/import/template.ts: (await templateWorkbook(programme)).xlsx.writeFile(file':
    'kczg import: the blank XLSX template the user asked for',
  'client/rehearsal.ts: fs.rmSync(outDir': 'kczg rehearse --out: a throwaway rehearsal folder, emptied first',
  'client/rehearsal.ts: fs.mkdirSync(outDir': 'kczg rehearse --out: the rehearsal folder',
  'client/rehearsal-review.ts: fs.mkdirSync(folder':
    'kczg rehearse --out: the score-sheets folder of the rehearsal',
  'client/rehearsal-review.ts: fs.writeFileSync(file':
    "kczg rehearse --out: each review body's score sheet in the rehearsal folder",
  "client/rehearsal.ts: fs.writeFileSync(path.join(outDir, 'audit.json')":
    'kczg rehearse: the rehearsal audit export',
  "client/rehearsal.ts: fs.writeFileSync(path.join(outDir, 'audit.csv')":
    'kczg rehearse: the rehearsal audit export',
};

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** "file: callee(first argument" for each file-system write in the file. */
function writesIn(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const relative = path.relative(ROOT, file).split(path.sep).join('/');
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee)
        ? callee.name.text
        : ts.isIdentifier(callee)
          ? callee.text
          : '';
      if (WRITES.test(name)) {
        const first = node.arguments[0]?.getText(source) ?? '';
        found.push(`${relative}: ${callee.getText(source)}(${first}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('business data is written only through storage/', () => {
  const writes = GUARDED.flatMap((dir) => sourceFiles(path.join(ROOT, dir))).flatMap(writesIn);

  it('finds no file-system write outside the allow-list in activities/, workflows/, worker/, client/', () => {
    expect(writes.filter((write) => !(write in ALLOWED))).toEqual([]);
  });

  it('keeps no stale allow-list entry (each still names a write in the sources)', () => {
    expect(Object.keys(ALLOWED).filter((entry) => !writes.includes(entry))).toEqual([]);
  });

  it('recognises the writes it guards against (the scanner itself works)', () => {
    const probe = path.join(ROOT, 'storage', 'files.ts');
    expect(writesIn(probe)).toEqual(
      expect.arrayContaining([expect.stringContaining('mkdir('), expect.stringContaining('rename(')]),
    );
  });
});
