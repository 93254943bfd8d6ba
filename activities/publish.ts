/**
 * Publication: writes each list's winners as HTML, CSV, XLSX and JSON (Chinese headings, stable
 * order: programme's list and field order, then the final review's order), prints each HTML page
 * to PDF when a Chromium is installed, and records the winners in the registry that later cycles'
 * eligibility reads. Re-running it rewrites the same files and records nothing twice.
 */
import { activityInfo, heartbeat, log } from '@temporalio/activity';
import { bundleOutcome, bundlesOf, hasBundles, type Bundle } from '../domain/bundles';
import { formatDeadline } from '../domain/calendar';
import { fundingSummary, hasFunding, type FundingSummary, type ListFunding } from '../domain/funding';
import type { Programme } from '../domain/programme';
import { quotaKey } from '../domain/quota';
import { FsFileStore, type FileStore } from '../storage/files';
import { withScratchFolder } from '../storage/scratch';
import type { FinalWinnersEntry, Nomination } from '../workflows/messages';
import type { CycleReader } from './cycle-reader';
import {
  AMOUNT_HEADING,
  SUB_PROJECTS_HEADING,
  amountCell,
  fundingSummaryJson,
  fundingSummaryRows,
  listTotalRow,
  SUMMARY_HEADINGS,
} from './publication/funding';
import { pdfPrinter, printPdf } from './publication/pdf';
import { renderXlsx } from './publication/xlsx';
import type { WinnersRegistry } from './registry';

export interface PublishDeps {
  reader: Pick<CycleReader, 'setup' | 'nominations'>;
  registry: WinnersRegistry;
  /** Where the lists are published: published/<programme>/<list>.<format>. */
  files: FileStore;
  /** Where the PDF printer is looked up (KCZG_CHROMIUM, PATH); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Told why PDFs were not printed; default the activity's logger. */
  warn?: (message: string) => void;
}

/** What publication printed to PDF: the number of files, or why none. */
export type PdfOutcome = { printed: number } | { skipped: string };

export type PublishedRow = {
  序号: number;
  榜单: string;
  领域: string;
  名称: string;
  推荐单位: string;
  推荐编号: string;
  /** Funded programmes only: the project's amount (万元), or 未载明. */
  [AMOUNT_HEADING]?: string | number;
  /** Lists that take co-applications only: a winning bundle's sub-projects. */
  [SUB_PROJECTS_HEADING]?: string;
};

/** A row of any published table: a list's rows, its total row, the funding summary. */
type TableRow = Record<string, string | number | undefined>;

const HEADINGS: Array<keyof PublishedRow> = ['序号', '榜单', '领域', '名称', '推荐单位', '推荐编号'];

/** The columns of a list: sub-projects where the list takes co-applications, the amount where funded. */
function headingsOf(funding: ListFunding | undefined, bundled: boolean): Array<keyof PublishedRow> {
  const extra: Array<keyof PublishedRow> = [
    ...(bundled ? [SUB_PROJECTS_HEADING as keyof PublishedRow] : []),
    ...(funding ? [AMOUNT_HEADING as keyof PublishedRow] : []),
  ];
  return [...HEADINGS, ...extra];
}

/**
 * Rows per list, in programme order; pure so tests and exports share it. With the programme's
 * funding summary, each row carries its project's amount.
 */
export function publishedRows(
  programme: Programme,
  winners: FinalWinnersEntry[],
  nominations: Map<string, Nomination>,
  funding?: FundingSummary,
  bundles: readonly Bundle[] = [],
): Map<string, PublishedRow[]> {
  const amounts = new Map(funding?.awards.map((a) => [a.nominationId, a.amountCny]));
  const { won, subProjectOf } = bundleOutcome(bundles, winners);
  const lists = new Map(programme.lists.map((l) => [l.id, l.name.zh]));
  const subProjects = (id: string): string | undefined =>
    won
      .find((b) => b.nominationId === id)
      ?.parts.map(
        (p) =>
          `${nominations.get(p.nominationId)?.candidate.name ?? p.nominationId}（${lists.get(p.listId) ?? p.listId}，${p.nominationId}）`,
      )
      .join('；');
  const units = new Map(programme.roster.units.map((u) => [u.id, u.name]));
  const byPart = new Map(winners.map((w) => [quotaKey(w.listId, w.fieldId), w.nominationIds]));
  const result = new Map<string, PublishedRow[]>();
  for (const list of programme.lists) {
    const parts = list.fields
      ? list.fields.map((f) => ({ id: f.id, name: f.name.zh }))
      : [{ id: undefined, name: '' }];
    const rows: PublishedRow[] = [];
    for (const part of parts) {
      for (const id of byPart.get(quotaKey(list.id, part.id)) ?? []) {
        const n = nominations.get(id);
        // A winning bundle's sub-project is published with its bundle, never on its own.
        if (!n || subProjectOf.has(id)) continue;
        const subs = list.form?.coApplications ? subProjects(id) : undefined;
        rows.push({
          序号: rows.length + 1,
          榜单: list.name.zh,
          领域: part.name,
          名称: n.candidate.name,
          推荐单位: units.get(n.unitId) ?? n.unitId,
          推荐编号: n.id,
          ...(list.form?.coApplications ? { [SUB_PROJECTS_HEADING]: subs ?? '' } : {}),
          ...(amounts.has(n.id) ? { [AMOUNT_HEADING]: amountCell(amounts.get(n.id)) } : {}),
        });
      }
    }
    if (rows.length > 0) result.set(list.id, rows);
  }
  return result;
}

function escapeHtml(value: string | number): string {
  return String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** CSV cell: quoted, and a leading = + - @ neutralised so spreadsheets never run it as a formula. */
export function csvCell(value: string | number): string {
  const text = String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function renderCsv(rows: readonly TableRow[], headings: readonly string[] = HEADINGS): string {
  const lines = [
    headings.map(csvCell).join(','),
    ...rows.map((r) => headings.map((h) => csvCell(r[h] ?? '')).join(',')),
  ];
  // BOM: spreadsheet programs then read the Chinese correctly.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Fonts with Chinese that print the same on Linux (Noto CJK), Windows and macOS. */
const CJK_FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';

/** The list as a web page that also prints: landscape A4, the header row on every page. */
export function renderHtml(
  title: string,
  subtitle: string,
  rows: readonly TableRow[],
  headings: readonly string[] = HEADINGS,
): string {
  const head = headings.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${headings.map((h) => `<td>${escapeHtml(r[h] ?? '')}</td>`).join('')}</tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
@page{size:A4 landscape;margin:12mm}
body{font-family:${CJK_FONTS};margin:2em;color:#000}
@media print{body{margin:0}}
h1{font-size:18pt;margin:0 0 4pt}
p{font-size:10pt;color:#444;margin:0 0 10pt}
table{border-collapse:collapse;width:100%;font-size:10.5pt}
thead{display:table-header-group}
tr{break-inside:avoid}
td,th{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#e8e8e8;white-space:nowrap}
</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(subtitle)}</p>
<table><thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}

/** Chromium prints from and to files: the page goes through a scratch folder, the PDF comes back. */
function printedPdf(chromium: string, name: string, html: string): Promise<Buffer> {
  return withScratchFolder(async (scratch) => {
    await scratch.put(`${name}.html`, html);
    await printPdf(chromium, scratch.locate(`${name}.html`), scratch.locate(`${name}.pdf`));
    return (await scratch.get(`${name}.pdf`)) as Buffer;
  });
}

/** Inside an activity: tells the server this list is done (printing a PDF takes seconds). */
function reportProgress(listId: string): void {
  try {
    activityInfo();
  } catch {
    return; // called directly (tests)
  }
  heartbeat(listId);
}

/** A list as JSON; for a funded programme each row carries its amount in 元 and the list its totals. */
function listJson(
  programme: Programme,
  listId: string,
  title: string,
  rows: PublishedRow[],
  funding: FundingSummary | undefined,
): string {
  const amounts = new Map(funding?.awards.map((a) => [a.nominationId, a.amountCny]));
  const listFunding = funding?.lists.find((l) => l.listId === listId);
  const document = {
    programme: programme.id,
    year: programme.year,
    list: listId,
    title,
    rows: listFunding ? rows.map((r) => ({ ...r, amountCny: amounts.get(r.推荐编号) ?? null })) : rows,
    ...(listFunding ? { funding: { currency: 'CNY', ...listFunding } } : {}),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** funding.csv / funding.json: every list's projects, slots and money, and the overall total. */
async function publishFundingSummary(
  programme: Programme,
  funding: FundingSummary,
  formats: readonly string[],
  write: (name: string, content: string) => Promise<void>,
): Promise<void> {
  if (formats.includes('json')) await write('funding.json', fundingSummaryJson(programme, funding));
  if (formats.includes('csv')) {
    await write('funding.csv', renderCsv(fundingSummaryRows(programme, funding), SUMMARY_HEADINGS));
  }
}

export function createPublishActivities(deps: PublishDeps) {
  async function publish(args: {
    cycleId: string;
    winners: FinalWinnersEntry[];
    outDir?: string;
    publishedAt: number;
  }): Promise<{ outDir: string; winners: number; pdf: PdfOutcome }> {
    const { programme } = await deps.reader.setup(args.cycleId);
    const nominations = new Map((await deps.reader.nominations(args.cycleId)).map((n) => [n.id, n]));
    const bundles = hasBundles(programme) ? bundlesOf(programme, [...nominations.values()]) : [];
    const funding = hasFunding(programme) ? fundingSummary(programme, args.winners, bundles) : undefined;
    const rowsByList = publishedRows(programme, args.winners, nominations, funding, bundles);
    // The store holds the published lists for every worker; a folder the cycle names gets a copy.
    const prefix = `published/${programme.id}`;
    const copy = args.outDir ? new FsFileStore(args.outDir) : undefined;
    const outDir = copy?.root ?? deps.files.locate(prefix);
    const write = async (name: string, content: string | Buffer) => {
      await deps.files.put(`${prefix}/${name}`, content);
      await copy?.put(name, content);
    };
    const subtitle = `${programme.issuer.zh} · 发布于 / published ${formatDeadline(args.publishedAt)}`;
    const formats = programme.publication.formats;
    const printer = formats.includes('html')
      ? pdfPrinter(deps.env)
      : { skipped: '方案未发布 HTML，未生成 PDF / the programme publishes no HTML to print, so no PDF' };
    let printed = 0;
    let total = 0;
    for (const list of programme.lists) {
      const rows = rowsByList.get(list.id);
      if (!rows) continue;
      total += rows.length;
      const title = `${programme.name.zh} · ${list.name.zh}`;
      const listFunding = funding?.lists.find((l) => l.listId === list.id);
      const headings = headingsOf(listFunding, list.form?.coApplications !== undefined);
      const table: TableRow[] = listFunding ? [...rows, listTotalRow(listFunding)] : rows;
      if (formats.includes('json'))
        await write(`${list.id}.json`, listJson(programme, list.id, title, rows, funding));
      if (formats.includes('csv')) await write(`${list.id}.csv`, renderCsv(table, headings));
      if (formats.includes('html')) {
        const html = renderHtml(title, subtitle, table, headings);
        await write(`${list.id}.html`, html);
        if ('chromium' in printer) {
          await write(`${list.id}.pdf`, await printedPdf(printer.chromium, list.id, html));
          printed++;
        }
      }
      if (formats.includes('xlsx')) {
        const workbook = await renderXlsx({
          sheetName: list.name.zh,
          title: `${programme.year} 年度 ${list.name.zh}`,
          subtitle: `${programme.name.zh} · ${subtitle}`,
          headings: headings as string[],
          rows: table.map((r) => Object.fromEntries(headings.map((h) => [h, r[h] ?? '']))),
        });
        await write(`${list.id}.xlsx`, workbook);
      }
      reportProgress(list.id);
    }
    if (funding && total > 0) await publishFundingSummary(programme, funding, formats, write);
    if ('skipped' in printer && total > 0) (deps.warn ?? ((message) => log.warn(message)))(printer.skipped);
    // A child cycle's winners are only forwarded to its parent: the parent's publication records them.
    if (!programme.parent)
      await deps.registry.record(
        [...rowsByList.entries()].flatMap(([listId, rows]) =>
          rows.map((r) => {
            const n = nominations.get(r.推荐编号) as Nomination;
            return {
              year: programme.year,
              programmeId: programme.id,
              listId,
              ...(n.fieldId ? { fieldId: n.fieldId } : {}),
              name: n.candidate.name,
              ...(n.candidate.identity ? { identity: n.candidate.identity } : {}),
              source: `${args.cycleId}#${n.id}`,
            };
          }),
        ),
      );
    return { outDir, winners: total, pdf: 'skipped' in printer ? printer : { printed } };
  }

  /** The cycle's filed bundles, read once collection is over: its final selection is checked against them. */
  async function bundleLinks({ cycleId }: { cycleId: string }): Promise<Bundle[]> {
    const { programme } = await deps.reader.setup(cycleId);
    return bundlesOf(programme, await deps.reader.nominations(cycleId));
  }
  return { publish, bundleLinks };
}
