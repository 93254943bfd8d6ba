/**
 * `npm run servers`: provisions both Temporal servers into the cache and the browser that prints
 * the published lists to PDF (Debian's Chromium and CJK fonts), idempotently, and says where they
 * came from. `--postgres` also builds the Temporal server and schema tool for PostgreSQL (for
 * running workers on several machines). Tests, rehearsals and benchmarks call the same functions
 * on demand.
 */
import { ensureBrowser, ensureDevServer, ensureTestServer } from '../servers/provision';
import { ensureTemporalServer } from '../servers/provision-temporal-server';

async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  const started = Date.now();
  const testServer = await ensureTestServer(log);
  console.log(
    `时间跳跃测试服务器 / time-skipping test server: ${testServer.description} [${testServer.source}]`,
  );
  const devServer = await ensureDevServer(log);
  console.log(`开发服务器 / dev server: ${devServer.description} [${devServer.source}]`);
  const browser = await ensureBrowser(log);
  console.log(`PDF 打印浏览器 / PDF browser: ${browser.description} [${browser.source}]`);
  if (process.argv.includes('--postgres')) {
    const server = await ensureTemporalServer(log);
    console.log(
      `Temporal 服务器（PostgreSQL）/ Temporal server for PostgreSQL: ${server.version} (${server.dir}) [${server.source}]`,
    );
  }
  console.log(`用时 / took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
