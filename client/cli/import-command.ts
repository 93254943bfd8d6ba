/**
 * `kczg import`: a unit's nominations from CSV or XLSX, a report row per row, re-runnable after an
 * interruption; `--template` writes the sheet to fill in. The rules live in client/import/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { ImportRowResult, ImportRun, PreparedRow } from '../import';
import { IMPORT_COLUMNS, templateHeading } from '../import/columns';
import { cycleIdOf, examples, InputError, required, type Cli } from './context';
import { programmeOf } from './live-cycle';

interface ImportOptions {
  unit?: string;
  list?: string;
  field?: string;
  template?: string | true;
  concurrency: string;
  dataDir: string;
}

/** A tiny progress line on stderr, only for a terminal (`\r` rewrites it). */
function progressLine(label: string): {
  update(done: number, total: number, extra: string): void;
  end(): void;
} {
  if (!process.stderr.isTTY) return { update: () => undefined, end: () => undefined };
  let shown = false;
  return {
    update(done, total, extra) {
      const width = 24;
      const filled = total === 0 ? width : Math.round((width * done) / total);
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${extra}\x1b[K`,
      );
      shown = true;
    },
    end() {
      if (shown) process.stderr.write('\n');
    },
  };
}

function rejectionLine(r: ImportRowResult): string {
  return `  第 ${r.row} 行 / row ${r.row} [${r.code}]${r.field ? ` ${r.field}` : ''}: ${r.reason ?? ''}`;
}

function concurrencyOf(text: string): number {
  const concurrency = Number(text);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10) {
    throw new InputError({
      code: 'INVALID',
      field: 'concurrency',
      rule: 'range',
      message: `--concurrency 须为 1–10 的整数 / must be an integer from 1 to 10, got "${text}"`,
      fix: '--concurrency 8',
    });
  }
  return concurrency;
}

/** Sends the rows; Ctrl-C once stops after the requests in flight, twice exits at once. */
async function sendRows(
  cli: Cli,
  target: { cycleId: string; unitId: string; concurrency: number },
  prepared: PreparedRow[],
): Promise<ImportRun> {
  const { runImport } = await import('../import');
  let stop = false;
  const onSignal = () => {
    if (stop) process.exit(130);
    stop = true;
    cli.note('\n正在停止（等待已发出的请求）/ stopping after the requests in flight…');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = progressLine('导入 / importing');
  const { cycleId, unitId } = target;
  return cli
    .withApi(async (api) => {
      const state = await api.unitState(cycleId, unitId);
      return runImport(prepared, {
        nominate: (request) => api.nominate(cycleId, unitId, request),
        concurrency: target.concurrency,
        room: state.usage.map((u) => ({
          listId: u.listId,
          ...(u.fieldId ? { fieldId: u.fieldId } : {}),
          remaining: u.remaining,
        })),
        existingKeys: new Set(state.nominations.map((n) => n.idempotencyKey)),
        shouldStop: () => stop,
        onProgress: (p) => progress.update(p.done, p.total, `已接受 ${p.accepted} / 已拒绝 ${p.rejected}`),
      });
    })
    .finally(() => {
      progress.end();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
}

/** The files the rows' attachment columns name, stored as `kczg attach` stores them (attach.ts). */
async function uploadAttachments(
  sheet: string,
  dataDir: string,
  prepared: PreparedRow[],
): Promise<PreparedRow[]> {
  if (!prepared.some((p) => p.ok && p.files?.length)) return prepared;
  const [{ uploadRowFiles }, { inspectUpload, readUpload, withAttachmentStore }] = await Promise.all([
    import('../import/attachments'),
    import('./attach'),
  ]);
  return withAttachmentStore(dataDir, (store) =>
    uploadRowFiles(prepared, sheet, {
      async check(file, slot) {
        const upload = await readUpload(file, slot);
        await inspectUpload(store, upload, file);
        return upload;
      },
      put: async (upload) => (await store.put(upload)).ref,
    }),
  );
}

async function writeTemplateFile(cli: Cli, id: string | undefined, target: string | true): Promise<void> {
  const out = path.resolve(target === true ? 'nominations-template.xlsx' : target);
  const programme = id ? await programmeOf(cli, id) : undefined;
  const { writeTemplate } = await import('../import/template');
  await writeTemplate(out, programme);
  cli.print(`已写出模板 / template written: ${out}`, {
    template: out,
    columns: IMPORT_COLUMNS.map((c) => ({ column: c, heading: templateHeading(c) })),
  });
}

async function runImportCommand(
  cli: Cli,
  id: string | undefined,
  file: string | undefined,
  opts: ImportOptions,
) {
  if (opts.template !== undefined) return writeTemplateFile(cli, id, opts.template);
  const usage = 'kczg import national-2023 --unit cie FILE';
  const programme = required(id, 'programme', usage);
  const input = required(file, 'file', usage);
  const unitId = required(opts.unit, 'unit', '--unit cie');
  const concurrency = concurrencyOf(opts.concurrency);
  const cycleId = cycleIdOf(programme);
  const programmeId = cycleId.replace(/^kczg:/, '');
  const { prepareRows, readImportTable, renderReportCsv, reportPath } = await import('../import');
  // The file is read and checked before nominating: an invalid file changes nothing.
  const loaded = await programmeOf(cli, programme);
  const table = await readImportTable(input, { listId: opts.list, programme: loaded });
  const prepared = await uploadAttachments(
    input,
    opts.dataDir,
    prepareRows(table, {
      programmeId,
      unitId,
      defaults: { listId: opts.list, fieldId: opts.field },
      programme: loaded,
    }),
  );
  const run = await sendRows(cli, { cycleId, unitId, concurrency }, prepared);
  const report = path.resolve(reportPath(input));
  fs.writeFileSync(report, renderReportCsv(run.rows));
  if (run.failure !== undefined || run.interrupted) {
    cli.note(
      `已写出部分报告 / partial report written: ${report}（${run.pending} 行未处理 / rows not sent；重新运行同一命令即可继续 / run the same command again to continue）`,
    );
    throw run.failure ?? new Error('导入已中断 / import interrupted');
  }
  const rejectedRows = run.rows.filter((r) => r.status === 'rejected');
  cli.print(
    [
      `导入完成 / import done: ${run.accepted} 已接受 accepted, ${run.rejected} 已拒绝 rejected（共 ${run.rows.length} 行 / rows）`,
      `报告 / report: ${report}`,
      ...(table.ignored.length ? [`已忽略的列 / ignored columns: ${table.ignored.join(', ')}`] : []),
      ...(rejectedRows.length ? ['拒绝 / rejected:', ...rejectedRows.map(rejectionLine)] : []),
    ].join('\n'),
    {
      programme: programmeId,
      cycleId,
      unitId,
      file: path.resolve(input),
      report,
      total: run.rows.length,
      accepted: run.accepted,
      rejected: run.rejected,
      ignoredColumns: table.ignored,
      rows: run.rows,
    },
  );
}

export function registerImportCommand(program: Command, cli: Cli): void {
  program
    .command('import [programme] [file]')
    .description(
      '推荐单位：从 CSV/XLSX 批量推荐，逐行报告，中断后可重跑 / unit: import nominations from CSV or XLSX, re-runnable',
    )
    .option('--unit <unit>', '单位编号 / unit id')
    .option('--list <list>', '文件未填榜单时使用 / list id for rows without one')
    .option('--field <field>', '文件未填领域时使用（属于 --list）/ field id for rows without one (of --list)')
    .option('--template [file]', '写出导入模板（.xlsx 或 .csv）/ write the import template (.xlsx or .csv)')
    .option('--concurrency <n>', '同时提交的请求数（1–10）/ requests in flight (1–10)', '8')
    .option(
      '--data-dir <dir>',
      '附件存储所在的数据目录（同 kczg attach）/ the data folder of the attachment store (as kczg attach)',
      '.kczg',
    )
    .addHelpText(
      'after',
      [
        '',
        `列 / columns: ${IMPORT_COLUMNS.join(', ')}`,
        '  中文表头亦可 / Chinese headings work too: 榜单, 领域, 名称, 统一社会信用代码, 成立日期 …',
        '  申报表各项：以字段编号或名称为表头；声明列填 是/否 / form answers: a column per field (id or label); declarations: 是 or 否',
        '  附件：以附件项编号或名称为表头（如 application-form、申报书（盖章扫描件）），填相对表格的文件路径，多个以 ; 分隔；导入时先上传 / attachments: a column per slot holding paths relative to the sheet, ";"-separated, uploaded first',
        '  key 为空时按行内容生成幂等键：同一文件重跑不会重复推荐 / without a key, one is derived from the row: re-running adds no duplicates',
        '报告 / report: <file>.report.csv（UTF-8 BOM）；文件本身无效时退出码 2 / exit 2 when the file itself is invalid',
      ].join('\n') +
        examples(
          'kczg import national-2023 --template nominations.xlsx',
          'kczg import national-2023 --unit cie nominations.xlsx',
          'kczg import national-2023 --unit cie --list pioneer-tech --field electronics rows.csv --json',
        ),
    )
    .action((id: string | undefined, file: string | undefined, opts: ImportOptions) =>
      runImportCommand(cli, id, file, opts),
    );
}
