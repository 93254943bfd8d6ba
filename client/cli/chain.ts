/**
 * `kczg chain …`: cycles that feed other cycles (a society's own call feeding the national one).
 * `open` starts a child of a running cycle for one of its units, from a template; `status` shows
 * what a cycle forwarded to its parent and what each of its children forwarded to it.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { ChainStatus } from '../chain-api';
import type { ForwardOutcome } from '../../workflows/messages';
import { cycleIdOf, examples, InputError, parseInstant, type Cli } from './context';

interface OpenOptions {
  unit: string;
  template?: string;
  roster?: string;
  startAt?: string;
  out?: string;
}

/** The template for a parent: the one given, else the only preset naming the parent's programme. */
async function templateFor(parentProgramme: string, name: string | undefined) {
  const { listPresetIds, loadProgramme } = await import('../../programmes/loader');
  if (name) return loadProgramme(name);
  const feeding = listPresetIds()
    .map((id) => loadProgramme(id))
    .filter((p) => p.parent?.programme === parentProgramme);
  if (feeding.length === 1) return feeding[0];
  throw new InputError({
    code: 'INVALID',
    field: 'template',
    rule: 'required',
    message: `没有唯一以 ${parentProgramme} 为上级的预置模板（找到 ${feeding.length} 个）/ no single preset names ${parentProgramme} as its parent (${feeding.length} found)`,
    fix: '用 --template 指定模板（预置 id 或 .json 文件）/ name one with --template (a preset id or a .json file)',
  });
}

function registerOpen(chain: Command, cli: Cli): void {
  chain
    .command('open <parent>')
    .description(
      '为上级周期的一个推荐单位开启下级征集（如学会自己的征集）/ open a child cycle for one unit of a running cycle',
    )
    .requiredOption(
      '--unit <unit>',
      '上级名册中的单位，作为下级的秘书处 / the parent unit that runs the child',
    )
    .option('--template <preset>', '下级方案模板 / the child programme template (preset id or .json)')
    .option('--roster <file>', '下级的申报单位名册（CSV 或 XLSX）/ the child’s own units (CSV or XLSX)')
    .option('--start-at <beijing>', '演练：以此北京时间作为当前时间 / rehearse from this programme time')
    .option('--out <dir>', '发布目录（工作进程侧）/ publication folder (worker side)')
    .addHelpText(
      'after',
      examples(
        'kczg chain open national-2023 --unit cie',
        'kczg chain open national-2023 --unit cmes --template national-2023-relay --roster members.xlsx',
      ),
    )
    .action(async (parent: string, opts: OpenOptions) => {
      const parentCycleId = cycleIdOf(parent);
      const startAt = opts.startAt ? await parseInstant(opts.startAt, 'startAt') : undefined;
      const result = await cli.withApi(async (api) => {
        const { programme: parentProgramme } = await api.reader.setup(parentCycleId);
        const template = await templateFor(parentProgramme.id, opts.template);
        const { loadRoster } = await import('../../programmes/roster');
        const units = opts.roster ? await loadRoster(opts.roster, template) : undefined;
        return api.chain.open(parentCycleId, opts.unit, template, {
          ...(units ? { units } : {}),
          ...(startAt !== undefined ? { startAt } : {}),
          ...(opts.out ? { outDir: path.resolve(opts.out) } : {}),
          ...(process.env.KCZG_AUTH_PUBLIC_KEY ? { authPublicKey: process.env.KCZG_AUTH_PUBLIC_KEY } : {}),
        });
      });
      const { cycleId, started, programme } = result;
      cli.print(
        `${started ? '已开启 / started' : '已在运行 / already running'}: ${cycleId}（上级 / parent ${parentCycleId}，推荐单位 / as unit ${opts.unit}，${programme.roster.units.length} 个申报单位 / units）`,
        { cycleId, started, parentCycleId, unitId: opts.unit, programmeId: programme.id },
      );
    });
}

function outcomeLines(accepted: ForwardOutcome[], refused: ForwardOutcome[], indent: string): string[] {
  const part = (f: ForwardOutcome) => `${f.parentListId}${f.parentFieldId ? `/${f.parentFieldId}` : ''}`;
  return [
    ...accepted.map(
      (f) => `${indent}✓ ${f.nominationId} → ${f.parentNominationId}（${part(f)}）已接受 / accepted`,
    ),
    ...refused.map(
      (f) =>
        `${indent}✗ ${f.nominationId}（${part(f)}）被拒 / refused: ${f.refusal?.code} ${f.refusal?.message ?? ''}`,
    ),
  ];
}

async function statusText(status: ChainStatus): Promise<string> {
  const { formatDeadline } = await import('../../domain/calendar');
  const lines = [`${status.cycleId}`];
  if (status.parent) {
    const closes = status.parent.collectionClosesAt;
    lines.push(
      `上级 / parent: ${status.parent.cycleId}，推荐单位 / as unit ${status.parent.unitId}${closes ? `，上级征集截止 / parent closes ${formatDeadline(closes)}` : ''}`,
      status.forwardedAt === undefined
        ? '尚未择优推荐 / nothing forwarded yet'
        : `已推荐 / forwarded ${formatDeadline(status.forwardedAt)}: 接受 ${status.accepted.length} / accepted, 被拒 ${status.refused.length} / refused`,
      ...outcomeLines(status.accepted, status.refused, '  '),
    );
  }
  if (status.children.length > 0) lines.push(`下级 / children: ${status.children.length}`);
  for (const child of status.children) {
    lines.push(
      `  ${child.cycleId}（${child.unitId}）终评截止 / selection due ${formatDeadline(child.deadlines.finalReviewDueAt)}: ${
        child.forwardedAt === undefined
          ? '尚未推荐 / nothing forwarded yet'
          : `接受 ${child.accepted.length} / accepted, 被拒 ${child.refused.length} / refused`
      }`,
      ...outcomeLines(child.accepted, child.refused, '    '),
    );
  }
  if (!status.parent && status.children.length === 0) lines.push('不在推荐链中 / not part of a chain');
  return lines.join('\n');
}

function registerStatus(chain: Command, cli: Cli): void {
  chain
    .command('status <cycle>')
    .description(
      '推荐链：已推荐、已接受、被拒及原因（按下级）/ forwarded, accepted, refused with reasons, per child',
    )
    .addHelpText(
      'after',
      examples('kczg chain status national-2023', 'kczg chain status national-2023-relay --json'),
    )
    .action(async (id: string) => {
      const status = await cli.withApi((api) => api.chain.status(cycleIdOf(id)));
      cli.print(await statusText(status), status);
    });
}

export function registerChainCommands(program: Command, cli: Cli): void {
  const chain = program.command('chain').description('推荐链：下级征集向上级择优推荐 / chains of cycles');
  registerOpen(chain, cli);
  registerStatus(chain, cli);
}
