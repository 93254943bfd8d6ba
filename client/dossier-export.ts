/**
 * A cycle's dossiers as a folder a review body (or the secretariat, or a unit for its own) can
 * open: an index sheet (index.xlsx: unit, list/field, candidate, every answer, the declarations
 * affirmed, the attachments) and each nomination's attachments in
 * `<out>/<list>/<nomination-id>/<file name>`. Every attachment is read through the store, so
 * every read is audited under the reading party's label.
 */
import path from 'node:path';
import { renderXlsx } from '../activities/publication/xlsx';
import { formatBeijing } from '../domain/calendar';
import type { AttachmentRef, FormAnswer } from '../domain/dossier';
import { reviewFlagsOf } from '../domain/eligibility';
import { sanitiseFileName } from '../domain/file-content';
import type { Programme } from '../domain/programme';
import { reviewAssignments } from '../domain/timeline';
import type { AttachmentStore } from '../storage/attachments';
import { FsFileStore } from '../storage/files';
import type { CycleSetup, Nomination } from '../workflows/messages';

/** Whose dossiers: a review body's parts, one unit's nominations, or all (the secretariat). */
export type ExportScope =
  { kind: 'body'; id: string } | { kind: 'unit'; id: string } | { kind: 'secretariat' };

export interface DossierSource {
  setup(cycleId: string): Promise<CycleSetup>;
  nominations(cycleId: string): Promise<Nomination[]>;
}

export interface DossierExportOptions {
  source: DossierSource;
  store: AttachmentStore;
  cycleId: string;
  scope: ExportScope;
  /** The reading party's label, recorded with every attachment read. */
  reader: string;
  outDir: string;
  /** Epoch ms, for the sheet's subtitle. */
  now?: number;
}

export interface ExportedNomination {
  nominationId: string;
  unitId: string;
  listId: string;
  fieldId?: string;
  /** The attachments written, relative to the output folder. */
  files: string[];
}

export interface DossierExport {
  cycleId: string;
  reader: string;
  outDir: string;
  index: string;
  nominations: ExportedNomination[];
  attachments: number;
}

const INDEX = 'index.xlsx';

export const scopeLabel = (scope: ExportScope): string =>
  scope.kind === 'secretariat' ? 'secretariat' : `${scope.kind}:${scope.id}`;

/** The nominations the scope may read, in unit then nomination order. */
export function nominationsInScope(
  programme: Programme,
  nominations: Nomination[],
  scope: ExportScope,
): Nomination[] {
  if (scope.kind === 'unit') return nominations.filter((n) => n.unitId === scope.id);
  if (scope.kind === 'secretariat') return nominations;
  const parts = reviewAssignments(programme).filter((a) => a.bodyId === scope.id);
  return nominations.filter((n) => parts.some((p) => p.listId === n.listId && p.fieldId === n.fieldId));
}

const answerText = (answer: FormAnswer): string | number =>
  Array.isArray(answer) ? answer.join('；') : typeof answer === 'boolean' ? (answer ? '是' : '否') : answer;

function partName(programme: Programme, n: Nomination): string {
  const list = programme.lists.find((l) => l.id === n.listId);
  const field = list?.fields?.find((f) => f.id === n.fieldId);
  return [list?.name.zh ?? n.listId, ...(n.fieldId ? [field?.name.zh ?? n.fieldId] : [])].join(' / ');
}

/**
 * Where each attachment goes inside the nomination's folder: its name, made safe again (a dossier
 * may have been written by another client than the store), with " (2)" before the extension when
 * two attachments of one nomination share a name.
 */
function fileNames(refs: readonly AttachmentRef[]): string[] {
  const used = new Set<string>();
  return refs.map((ref) => {
    const safe = sanitiseFileName(ref.name);
    const given = safe.ok ? safe.value.name : `${ref.sha256.slice(0, 16)}.${ref.format}`;
    const dot = given.lastIndexOf('.');
    const [stem, extension] = dot > 0 ? [given.slice(0, dot), given.slice(dot)] : [given, ''];
    let name = given;
    for (let copy = 2; used.has(name.toLowerCase()); copy++) name = `${stem} (${copy})${extension}`;
    used.add(name.toLowerCase());
    return name;
  });
}

/** Rules the reference data could not decide (a city missing from a partial list): reviewers check them. */
const REVIEW_FLAGS = '资格待核 / to check';

async function indexSheet(
  programme: Programme,
  rows: Array<{ nomination: Nomination; files: string[] }>,
  subtitle: string,
): Promise<Buffer> {
  const answerKeys = [
    ...new Set(rows.flatMap(({ nomination }) => Object.keys(nomination.dossier?.answers ?? {}))),
  ];
  const flags = new Map(
    rows.map(({ nomination: n }) => [n.id, reviewFlagsOf(programme, n).map((f) => f.message)] as const),
  );
  // The column appears when some nomination has something for reviewers to check.
  const flagged = [...flags.values()].some((messages) => messages.length > 0) ? [REVIEW_FLAGS] : [];
  const headings = [
    '推荐编号',
    '推荐单位',
    '榜单/领域',
    '候选',
    ...flagged,
    ...answerKeys,
    '已确认声明',
    '附件',
  ];
  const unitName = (id: string) => programme.roster.units.find((u) => u.id === id)?.name ?? id;
  return renderXlsx({
    sheetName: '推荐材料索引',
    title: `${programme.name.zh} · 推荐材料索引 / dossier index`,
    subtitle,
    headings,
    rows: rows.map(({ nomination: n, files }) => ({
      推荐编号: n.id,
      推荐单位: unitName(n.unitId),
      '榜单/领域': partName(programme, n),
      候选: n.candidate.name,
      ...(flagged.length > 0 ? { [REVIEW_FLAGS]: (flags.get(n.id) ?? []).join('\n') } : {}),
      ...Object.fromEntries(answerKeys.map((key) => [key, answerText(n.dossier?.answers[key] ?? '')])),
      已确认声明: (n.dossier?.declarations ?? []).map((d) => `✓ ${d.text}`).join('\n'),
      附件: files.join('\n'),
    })),
  });
}

/** Writes the scope's dossiers into `outDir`; every attachment read is audited as `reader`. */
export async function exportDossiers(options: DossierExportOptions): Promise<DossierExport> {
  const { source, store, cycleId, scope, reader } = options;
  // Written through a file store: atomic writes, and keys that cannot leave the folder.
  const folder = new FsFileStore(options.outDir);
  const outDir = folder.root;
  const { programme } = await source.setup(cycleId);
  const nominations = nominationsInScope(programme, await source.nominations(cycleId), scope);
  const purpose = `导出推荐材料 / dossier export ${cycleId} (${scopeLabel(scope)})`;
  const exported: ExportedNomination[] = [];
  for (const nomination of nominations) {
    const refs = nomination.dossier?.attachments ?? [];
    const names = fileNames(refs);
    const files: string[] = [];
    for (const [i, ref] of refs.entries()) {
      const { key } = await folder.put(
        `${nomination.listId}/${nomination.id}/${names[i]}`,
        await store.get(ref.sha256, reader, purpose),
      );
      files.push(key);
    }
    exported.push({
      nominationId: nomination.id,
      unitId: nomination.unitId,
      listId: nomination.listId,
      ...(nomination.fieldId ? { fieldId: nomination.fieldId } : {}),
      files,
    });
  }
  const subtitle = `${scopeLabel(scope)} · ${nominations.length} 项推荐 / nominations · 导出于 / exported ${formatBeijing(options.now ?? Date.now())}（北京时间）`;
  await folder.put(
    INDEX,
    await indexSheet(
      programme,
      nominations.map((nomination, i) => ({ nomination, files: exported[i].files })),
      subtitle,
    ),
  );
  return {
    cycleId,
    reader,
    outDir,
    index: path.join(outDir, INDEX),
    nominations: exported,
    attachments: exported.reduce((sum, n) => sum + n.files.length, 0),
  };
}
