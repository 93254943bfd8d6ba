/**
 * A recommending unit's commands: `kczg nominate` (and its `--template`), `nominate amend`,
 * `nominate withdraw` (also `kczg withdraw`), `nominate complete` (the unit is done), and
 * `nominate status` (its nominations and remaining quota).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Candidate } from '../../domain/programme';
import type { Dossier } from '../../domain/dossier';
import {
  CANDIDATE_FIELDS_HELP,
  candidateTemplate,
  dossierTemplate,
  formGuide,
  withoutSchemaKey,
} from './candidate-template';
import { cycleIdOf, examples, InputError, readJsonFile, required, type Cli } from './context';
import { programmeOf } from './live-cycle';
import { textTable } from '../text-table';
import type { UnitState } from '../../workflows/messages';

interface NominateOptions {
  unit?: string;
  list?: string;
  field?: string;
  candidate?: string;
  dossier?: string;
  key?: string;
  template?: string | true;
  dossierTemplate?: string | true;
}

/**
 * A unit subcommand's options, --unit required. `nominate` declares --unit and --candidate
 * itself, and Commander gives an option to the first command that knows it (global options may
 * come anywhere), so `nominate amend … --unit cie` finds its --unit on `nominate`: read both.
 */
function unitOptions(command: Command) {
  const opts = command.optsWithGlobals<{
    unit?: string;
    nomination?: string;
    candidate?: string;
    dossier?: string;
  }>();
  return { ...opts, unit: required(opts.unit, 'unit', '--unit cie') };
}

/** `<parent> <name> <programme>`: a unit's subcommand, with its (required) --unit. */
function unitSubcommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(`${name} <programme>`)
    .description(description)
    .option('--unit <unit>', '单位编号（必填）/ unit id (required)');
}

const readCandidate = (file: string) => withoutSchemaKey(readJsonFile(file, 'candidate')) as Candidate;
/** A dossier file, sent as it is: the cycle checks it against the part's form. */
const dossierOption = (file?: string) => (file ? { dossier: readJsonFile(file, 'dossier') as Dossier } : {});

function printTemplate(cli: Cli, target: string | true): void {
  if (target === true) {
    const template = candidateTemplate(process.cwd());
    cli.print(JSON.stringify(template, null, 2), template);
    return;
  }
  const file = path.resolve(target);
  fs.writeFileSync(file, `${JSON.stringify(candidateTemplate(path.dirname(file)), null, 2)}\n`);
  cli.print(`已写出候选文件示例 / candidate example written: ${file}`, { template: file });
}

async function printDossierTemplate(
  cli: Cli,
  target: string | true,
  part: { programme?: string; list?: string; field?: string },
): Promise<void> {
  const example = 'kczg nominate national-2023 --list emerging-enterprise --dossier-template dossier.json';
  const programme = await programmeOf(cli, required(part.programme, 'programme', example));
  const listId = required(part.list, 'list', '--list emerging-enterprise');
  let template: Dossier;
  let guide: string;
  try {
    template = dossierTemplate(programme, listId, part.field);
    guide = formGuide(programme, listId, part.field);
  } catch (error) {
    throw new InputError({
      code: 'UNKNOWN_LIST',
      field: 'list',
      message: (error as Error).message,
      fix: '选择有申报表的榜单（领域）/ choose a list (and field) with a form',
    });
  }
  if (target === true) {
    cli.print(`${JSON.stringify(template, null, 2)}\n\n${guide}`, template);
    return;
  }
  const file = path.resolve(target);
  fs.writeFileSync(file, `${JSON.stringify(template, null, 2)}\n`);
  cli.print(`已写出申报书模板 / dossier template written: ${file}\n\n${guide}`, { template: file });
}

function registerNominate(program: Command, cli: Cli): Command {
  return program
    .command('nominate [programme]')
    .description('推荐单位：提交推荐 / unit: submit a nomination')
    .option('--unit <unit>', '单位编号（必填）/ unit id (required)')
    .option('--list <list>', '榜单（必填）/ list id (required)')
    .option('--field <field>', '领域 / field id')
    .option('--candidate <file>', '候选信息 JSON（必填）/ candidate JSON file (required)')
    .option(
      '--dossier <file>',
      '申报书 JSON（榜单有申报表时必填）/ dossier JSON file (required where the list has a form)',
    )
    .option('--key <key>', '幂等键（必填，重试时复用）/ idempotency key (required), reuse it on retry')
    .option('--template [file]', '输出候选文件示例 / print (or write) an example candidate file')
    .option(
      '--dossier-template [file]',
      '输出该榜单（领域）的申报书模板 / print (or write) the dossier template of --list (and --field)',
    )
    .addHelpText(
      'after',
      `\n${CANDIDATE_FIELDS_HELP}` +
        examples(
          'kczg nominate --template candidate.json',
          'kczg nominate national-2023 --list pioneer-tech --field electronics --dossier-template dossier.json',
          'kczg nominate national-2023 --unit cie --list pioneer-tech --field electronics --candidate candidate.json --dossier dossier.json --key cie-001',
        ),
    )
    .action(async (id: string | undefined, opts: NominateOptions) => {
      if (opts.template !== undefined) return printTemplate(cli, opts.template);
      if (opts.dossierTemplate !== undefined)
        return printDossierTemplate(cli, opts.dossierTemplate, { programme: id, ...opts });
      const example =
        'kczg nominate national-2023 --unit cie --list pioneer-tech --candidate c.json --key cie-001';
      const programme = required(id, 'programme', example);
      const unit = required(opts.unit, 'unit', '--unit cie');
      const listId = required(opts.list, 'list', '--list pioneer-tech');
      const candidate = readCandidate(required(opts.candidate, 'candidate', '--candidate candidate.json'));
      const idempotencyKey = required(opts.key, 'key', '--key cie-001');
      const nomination = await cli.withApi((api) =>
        api.nominate(cycleIdOf(programme), unit, {
          idempotencyKey,
          listId,
          ...(opts.field ? { fieldId: opts.field } : {}),
          candidate,
          ...dossierOption(opts.dossier),
        }),
      );
      cli.print(`已接受 / accepted: ${nomination.id}`, nomination);
    });
}

function registerAmend(nominate: Command, cli: Cli): void {
  unitSubcommand(
    nominate,
    'amend',
    '推荐单位：修改已提交的推荐（征集截止前）/ unit: replace a nomination’s candidate, before the close',
  )
    .option('--nomination <id>', '推荐编号（必填）/ nomination id (required)')
    .option('--candidate <file>', '新的候选信息 JSON（必填）/ the corrected candidate JSON file (required)')
    .option(
      '--dossier <file>',
      '新的申报书 JSON（省略则保留原申报书）/ the corrected dossier (omitted: kept)',
    )
    .addHelpText(
      'after',
      examples(
        'kczg nominate amend national-2023 --unit cie --nomination cie.3 --candidate candidate.json --dossier dossier.json',
      ),
    )
    .action(async (id: string, _opts: unknown, command: Command) => {
      const { unit, ...opts } = unitOptions(command);
      const nominationId = required(opts.nomination, 'nomination', '--nomination cie.3');
      const candidate = readCandidate(required(opts.candidate, 'candidate', '--candidate candidate.json'));
      const nomination = await cli.withApi((api) =>
        api.amend(cycleIdOf(id), unit, { nominationId, candidate, ...dossierOption(opts.dossier) }),
      );
      cli.print(`已修改 / amended: ${nomination.id}`, nomination);
    });
}

function withdrawCommand(parent: Command, cli: Cli, usage: string): void {
  unitSubcommand(parent, 'withdraw', '推荐单位：撤回推荐 / unit: withdraw a nomination')
    .option('--nomination <id>', '推荐编号（必填）/ nomination id (required)')
    .addHelpText('after', examples(`${usage} national-2023 --unit cie --nomination cie.3`))
    .action(async (id: string, _opts: unknown, command: Command) => {
      const { unit, ...opts } = unitOptions(command);
      const nominationId = required(opts.nomination, 'nomination', '--nomination cie.3');
      const nomination = await cli.withApi((api) => api.withdraw(cycleIdOf(id), unit, nominationId));
      cli.print(`已撤回 / withdrawn: ${nomination.id}`, nomination);
    });
}

function registerComplete(nominate: Command, cli: Cli): void {
  unitSubcommand(
    nominate,
    'complete',
    '推荐单位：报送完毕（不再收到提醒，秘书处汇总显示已完成）/ unit: we are done (no more reminders; the digest shows it)',
  )
    .addHelpText('after', examples('kczg nominate complete national-2023 --unit cie'))
    .action(async (id: string, _opts: unknown, command: Command) => {
      const { unit } = unitOptions(command);
      const state = await cli.withApi((api) => api.markComplete(cycleIdOf(id), unit));
      cli.print(
        `已报送完毕 / marked complete: ${state.unitName}（已推荐 ${state.nominations.length} 项 / ${state.nominations.length} nominated）`,
        state,
      );
    });
}

/** What reviewers must check for a nomination the reference data could not decide, if anything. */
function reviewNote(state: UnitState, nominationId: string): string {
  const flagged = (state.needsReview ?? []).find((r) => r.nominationId === nominationId);
  return flagged ? flagged.flags.map((f) => f.message).join('；') : '';
}

function registerUnitStatus(nominate: Command, cli: Cli): void {
  unitSubcommand(
    nominate,
    'status',
    '推荐单位：本单位的推荐与剩余名额 / unit: its nominations and remaining quota',
  )
    .addHelpText('after', examples('kczg nominate status national-2023 --unit cie --json'))
    .action(async (id: string, _opts: unknown, command: Command) => {
      const { unit } = unitOptions(command);
      const state = await cli.withApi((api) => api.unitState(cycleIdOf(id), unit));
      const part = (p: { listId: string; fieldId?: string }) =>
        `${p.listId}${p.fieldId ? `/${p.fieldId}` : ''}`;
      cli.print(
        [
          `${state.unitName}（${state.unitId}）· ${state.open ? '征集中 / open' : '已截止 / closed'}${state.complete ? ' · 已报送完毕 / complete' : ''}`,
          '',
          ...textTable(
            ['榜单 / part', '已用 / used', '名额 / quota', '剩余 / left'],
            state.usage.map((u) => [part(u), String(u.used), String(u.limit), String(u.remaining)]),
          ),
          '',
          ...textTable(
            ['推荐编号 / id', '榜单 / part', '名称 / name', '待核对 / needs review'],
            state.nominations.map((n) => [n.id, part(n), n.candidate.name, reviewNote(state, n.id)]),
          ),
        ].join('\n'),
        state,
      );
    });
}

export function registerNominateCommands(program: Command, cli: Cli): void {
  const nominate = registerNominate(program, cli);
  registerAmend(nominate, cli);
  withdrawCommand(nominate, cli, 'kczg nominate withdraw');
  registerComplete(nominate, cli);
  registerUnitStatus(nominate, cli);
  // The original spelling, kept for scripts that use it.
  withdrawCommand(program, cli, 'kczg withdraw');
}
