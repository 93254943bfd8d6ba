/**
 * `kczg dossiers export`: a cycle's dossiers — all (secretariat), a review body's parts, or one
 * unit's nominations — as a folder with an index sheet and the attachments; every attachment
 * read is audited under the reading party (the credential's party when one is given).
 */
import type { Command } from 'commander';
import type { ExportScope } from '../dossier-export';
import { withAttachmentStore } from './attach';
import { cycleIdOf, examples, InputError, type Cli } from './context';

interface ExportOptions {
  cycle: string;
  body?: string;
  unit?: string;
  out: string;
  dataDir: string;
}

/** The scope the options ask for, and who reads: the credential's party when there is one. */
async function scopeAndReader(
  cli: Cli,
  opts: ExportOptions,
): Promise<{ scope: ExportScope; reader: string }> {
  if (opts.body && opts.unit) {
    throw new InputError({
      code: 'INVALID',
      field: 'body',
      rule: 'one-scope',
      message: '--body 与 --unit 只能选一个 / give --body or --unit, not both',
      fix: '--body info-tech-consortium，或 / or --unit cie',
    });
  }
  const asked: ExportScope | undefined = opts.body
    ? { kind: 'body', id: opts.body }
    : opts.unit
      ? { kind: 'unit', id: opts.unit }
      : undefined;
  const token = cli.options.credential ?? process.env.KCZG_CREDENTIAL;
  const [{ readClaims, partyLabel }, { scopeLabel }] = await Promise.all([
    import('../../domain/credentials'),
    import('../dossier-export'),
  ]);
  const party = token ? readClaims(token)?.party : undefined;
  if (!party) {
    const scope = asked ?? { kind: 'secretariat' };
    return { scope, reader: scopeLabel(scope) };
  }
  if (party.kind === 'secretariat') return { scope: asked ?? { kind: 'secretariat' }, reader: 'secretariat' };
  const own: { kind: 'body' | 'unit'; id: string } | undefined =
    party.kind === 'body' || party.kind === 'unit' ? { kind: party.kind, id: party.id } : undefined;
  if (!own || (asked && scopeLabel(asked) !== scopeLabel(own))) {
    throw new InputError({
      code: 'NOT_ALLOWED',
      field: asked?.kind ?? 'credential',
      rule: 'party',
      message: `凭证持有方 ${partyLabel(party)} 不能导出 ${asked ? scopeLabel(asked) : '全部'} 的推荐材料 / ${partyLabel(party)} may not export ${asked ? scopeLabel(asked) : 'all'} dossiers`,
      fix: own
        ? `导出本方的 / export your own: --${own.kind} ${own.id}`
        : '请秘书处导出 / ask the secretariat',
    });
  }
  return { scope: own, reader: partyLabel(party) };
}

async function exportCommand(cli: Cli, opts: ExportOptions): Promise<void> {
  const { scope, reader } = await scopeAndReader(cli, opts);
  const { exportDossiers } = await import('../dossier-export');
  const report = await cli.withApi((api) =>
    withAttachmentStore(opts.dataDir, (store) =>
      exportDossiers({
        source: api.reader,
        store,
        cycleId: cycleIdOf(opts.cycle),
        scope,
        reader,
        outDir: opts.out,
      }),
    ),
  );
  cli.print(
    [
      `已导出 / exported ${report.nominations.length} 项推荐、${report.attachments} 个附件 / nominations and attachments to ${report.outDir}`,
      `索引 / index: ${report.index}`,
      `读取方 / read as: ${report.reader}（每次读取均已记录 / every read is audited）`,
    ].join('\n'),
    report,
  );
}

export function registerDossierCommands(program: Command, cli: Cli): void {
  const dossiers = program.command('dossiers').description('推荐材料 / dossiers');
  dossiers
    .command('export')
    .description(
      '导出推荐材料：索引表与附件 / export dossiers: an index sheet and the attachments, every read audited',
    )
    .requiredOption('--cycle <programme>', '方案或周期编号 / programme or cycle id, e.g. national-2023')
    .option('--body <body>', '评审机构：只导出其评审的榜单 / review body: the parts it reviews')
    .option('--unit <unit>', '推荐单位：只导出本单位的推荐 / unit: its own nominations')
    .requiredOption('--out <dir>', '输出目录 / output folder')
    .option('--data-dir <dir>', '存储所在的数据目录 / the data folder holding the storage', '.kczg')
    .addHelpText(
      'after',
      '\n输出 / output: <out>/index.xlsx, <out>/<list>/<nomination-id>/<file>' +
        examples(
          'kczg dossiers export --cycle national-2023 --body info-tech-consortium --out dossiers/',
          'kczg dossiers export --cycle national-2023 --out all-dossiers/ --json',
        ),
    )
    .action((opts: ExportOptions) => exportCommand(cli, opts));
}
