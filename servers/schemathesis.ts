/**
 * Schemathesis (PyPI) for the API fuzz test: a Python virtual environment under the kczg cache
 * (cacheRoot()/schemathesis/<version>), made once with `python3 -m venv` and `pip install`, reused
 * on every later run and guarded by the same lock as the Temporal servers, so concurrent callers
 * build it once. Nothing is installed outside that folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cacheRoot, hasCommand, ProvisionError, runLogged, withLock, type Log } from './provision';

export const SCHEMATHESIS_VERSION = '4.32.5';

/** The `st` executable of the cached environment, made on first use. */
export async function ensureSchemathesis(log: Log = () => undefined): Promise<string> {
  const dir = path.join(cacheRoot(), 'schemathesis', SCHEMATHESIS_VERSION);
  const executable = path.join(dir, 'bin', 'st');
  const marker = path.join(dir, '.complete');
  if (fs.existsSync(marker)) return executable;
  const python = process.env.KCZG_PYTHON ?? 'python3';
  if (!hasCommand(python, ['-c', 'import venv, ensurepip'])) {
    throw new ProvisionError(
      `需要 Python 3.9+ 及 venv 模块以安装 schemathesis / schemathesis needs ${python} with the venv module (Debian: apt-get install python3-venv; or set KCZG_PYTHON)`,
    );
  }
  return withLock(dir, log, async () => {
    if (fs.existsSync(marker)) return executable;
    fs.rmSync(dir, { recursive: true, force: true });
    log(`创建 Python 环境 / creating a Python environment in ${dir}`);
    await runLogged(python, ['-m', 'venv', dir], { log, what: 'python3 -m venv' });
    log(`安装 / installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI (once) …`);
    await runLogged(
      path.join(dir, 'bin', 'pip'),
      ['install', '--disable-pip-version-check', '--no-input', `schemathesis==${SCHEMATHESIS_VERSION}`],
      { log, what: `pip install schemathesis==${SCHEMATHESIS_VERSION}` },
    );
    if (!fs.existsSync(executable))
      throw new ProvisionError(`安装后未找到 / not found after installing: ${executable}`);
    fs.writeFileSync(marker, new Date().toISOString());
    log(`schemathesis ${SCHEMATHESIS_VERSION} 已就绪 / ready: ${executable}`);
    return executable;
  });
}
