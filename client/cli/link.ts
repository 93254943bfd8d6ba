/** `kczg link issue`: a sign-in link to the portal for one party of one cycle (secretariat). */
import type { Command } from 'commander';
import { cycleIdOf, examples, InputError, type Cli } from './context';

function invalid(field: string, message: string, fix: string): InputError {
  return new InputError({
    code: 'INVALID',
    field,
    rule: field === 'hours' ? 'range' : 'required',
    message,
    fix,
  });
}

export function registerLinkCommands(program: Command, cli: Cli): void {
  const link = program
    .command('link')
    .description('秘书处：门户登录链接 / secretariat: portal sign-in links');
  link
    .command('issue')
    .description('为一方签发登录链接 / issue a sign-in link for one party of one cycle')
    .requiredOption('--party <party>', 'unit:<id> | body:<id> | expert:<body>/<id> | final | secretariat')
    .requiredOption('--cycle <programme>', '方案编号或周期编号 / programme or cycle id')
    .option('--hours <n>', '有效小时数 / valid for hours', '72')
    .addHelpText(
      'after',
      `\n需要 / needs KCZG_AUTH_PRIVATE_KEY; 门户地址 / portal address KCZG_PORTAL_URL (default http://127.0.0.1:8080)` +
        examples('kczg link issue --party unit:cie --cycle national-2023 --hours 72'),
    )
    .action(async (opts: { party: string; cycle: string; hours: string }) => {
      const [{ parseParty }, { signInUrl, DEFAULT_PORTAL_URL }, { rfc3339Beijing }] = await Promise.all([
        import('../../domain/credentials'),
        import('../../portal/links'),
        import('../instants'),
      ]);
      const party = parseParty(opts.party);
      if (!party)
        throw invalid(
          'party',
          `无效的一方 / unknown party "${opts.party}"`,
          'unit:<id> | body:<id> | expert:<body>/<id> | final | secretariat',
        );
      const hours = Number(opts.hours);
      if (!Number.isFinite(hours) || hours <= 0 || hours > 24 * 90) {
        throw invalid(
          'hours',
          `--hours 应为 1–2160 / must be between 1 and 2160, got "${opts.hours}"`,
          '--hours 72',
        );
      }
      const privateKey = process.env.KCZG_AUTH_PRIVATE_KEY;
      if (!privateKey)
        throw invalid(
          'KCZG_AUTH_PRIVATE_KEY',
          '缺少签名私钥 / KCZG_AUTH_PRIVATE_KEY is not set',
          'kczg auth keygen',
        );
      const cycle = cycleIdOf(opts.cycle);
      const portalUrl = process.env.KCZG_PORTAL_URL ?? DEFAULT_PORTAL_URL;
      const { url, expiresAt } = signInUrl({ privateKey, portalUrl, cycle, party, hours });
      cli.print(url, { url, party: opts.party, cycle, expiresAt: rfc3339Beijing(expiresAt) });
    });
}
