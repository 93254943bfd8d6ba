/**
 * The `kczg` program: global options, the command groups, and how a run ends (output flushed,
 * then the exit code: 0 success, 2 input rejected, 1 anything else).
 */
import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './admin';
import { registerAttachCommand } from './attach';
import { registerAuditCommand } from './audit';
import { registerChainCommands } from './chain';
import { Cli } from './context';
import { registerCycleCommands } from './cycle';
import { registerDossierCommands } from './dossiers';
import { reportFailure } from './failure';
import { registerImportCommand } from './import-command';
import { registerLinkCommands } from './link';
import { registerMailCommands } from './mail';
import { registerNominateCommands } from './nominate';
import { flushOutput, ignoreClosedPipes, writeStderr, writeStdout } from './output';
import { registerProjectCommands } from './project';
import { registerReviewCommands } from './review';
import { registerRunCommands } from './run';
import { registerScheduleCommands } from './schedule';
import { registerServeCommand } from './serve';

export function buildProgram(): { program: Command; cli: Cli } {
  const program = new Command()
    .name('kczg')
    .description('“科创中国”榜单遴选周期服务 / runs 科创中国 ranking-list cycles on Temporal')
    .option('--json', '只输出一个 JSON 文档 / print exactly one JSON document')
    .option(
      '--verbose',
      '在 stderr 输出更多日志（或 KCZG_LOG_LEVEL）/ more logs on stderr (or KCZG_LOG_LEVEL)',
    )
    .option(
      '--address <host:port>',
      'Temporal 地址 / Temporal address (default: TEMPORAL_ADDRESS or profile)',
    )
    .option('--namespace <ns>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or profile)')
    .option('--profile <name>', 'envconfig 配置 / temporal.toml profile')
    .option(
      '--credential <token>',
      '本方凭证（默认 KCZG_CREDENTIAL）/ your party’s credential (default: KCZG_CREDENTIAL)',
    )
    .addHelpText(
      'after',
      '\n日志 / logs: JSON lines on stderr, level warn; --verbose = info; KCZG_LOG_LEVEL=trace|debug|info|warn|error|silent',
    )
    .showHelpAfterError()
    // Help and usage errors go through the same flushed writes, and end the run like any command.
    .configureOutput({ writeOut: writeStdout, writeErr: writeStderr })
    .exitOverride();
  const cli = new Cli(program);
  registerRunCommands(program, cli);
  registerCycleCommands(program, cli);
  registerChainCommands(program, cli);
  registerNominateCommands(program, cli);
  registerImportCommand(program, cli);
  registerReviewCommands(program, cli);
  registerProjectCommands(program, cli);
  registerAuditCommand(program, cli);
  registerScheduleCommands(program, cli);
  registerAttachCommand(program, cli);
  registerDossierCommands(program, cli);
  registerMailCommands(program, cli);
  registerAdminCommands(program, cli);
  registerLinkCommands(program, cli);
  registerServeCommand(program, cli);
  return { program, cli };
}

/** Parses and runs one command line; exits once everything written has left the process. */
export async function runCli(argv: string[]): Promise<never> {
  ignoreClosedPipes();
  const { program, cli } = buildProgram();
  let code = 0;
  try {
    await program.parseAsync(argv);
  } catch (error) {
    // Commander has printed its own message (help, usage error) already.
    code = error instanceof CommanderError ? error.exitCode : reportFailure(error, cli.options.json === true);
  }
  await flushOutput();
  // Explicit: a connection or timer a command left behind must not keep the process alive.
  process.exit(code);
}
