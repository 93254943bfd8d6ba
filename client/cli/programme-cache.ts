/**
 * `loadProgramme` for a command that must start fast (`kczg plan`): validating a programme loads
 * zod and the programme schema, most of such a command's start-up. What the loader returned for a
 * file is kept in the cache folder (servers/provision.ts's, `programmes/`) under a key made of the
 * file's bytes and the build of the validating code (size and time of every compiled file in
 * domain/ and programmes/), so an edited programme or a rebuilt kczg is validated again. Any
 * problem (no such preset, an invalid file, an unreadable cache) goes to the loader itself.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Programme } from '../../domain/programme';
import { cacheRoot } from '../../servers/provision';

const LOADER_DIR = path.dirname(require.resolve('../../programmes/loader'));
const DOMAIN_DIR = path.dirname(require.resolve('../../domain/programme'));

/** The file loadProgramme reads for a preset id or a path (programmes/loader.ts's rule). */
function programmeFile(idOrPath: string): string | undefined {
  if (idOrPath.endsWith('.json') || idOrPath.includes('/') || idOrPath.includes(path.sep)) {
    return path.resolve(idOrPath);
  }
  return [path.join(LOADER_DIR, 'presets'), path.resolve(LOADER_DIR, '..', '..', 'programmes', 'presets')]
    .map((dir) => path.join(dir, `${idOrPath}.json`))
    .find((file) => fs.existsSync(file));
}

/** The build of the code that validates: changes whenever any of it is rebuilt or edited. */
function validatorBuild(): string {
  return [LOADER_DIR, DOMAIN_DIR]
    .flatMap((dir) =>
      fs
        .readdirSync(dir)
        .filter((name) => /\.(js|ts)$/.test(name))
        .sort()
        .map((name) => {
          const stat = fs.statSync(path.join(dir, name));
          return `${dir}/${name}:${stat.size}:${stat.mtimeMs}`;
        }),
    )
    .join('\n');
}

/** Every build leaves keys no later run asks for: keep the newest few. */
function pruneOldest(dir: string, keep = 20): void {
  const entries = fs
    .readdirSync(dir)
    .map((name) => ({ file: path.join(dir, name), at: fs.statSync(path.join(dir, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { file } of entries.slice(keep)) fs.rmSync(file, { force: true });
}

async function validated(idOrPath: string): Promise<Programme> {
  const { loadProgramme } = await import('../../programmes/loader');
  return loadProgramme(idOrPath);
}

export async function loadProgrammeFast(idOrPath: string): Promise<Programme> {
  const file = programmeFile(idOrPath);
  if (!file || !fs.existsSync(file)) return validated(idOrPath);
  let cached: string;
  try {
    const key = createHash('sha256').update(fs.readFileSync(file)).update(validatorBuild()).digest('hex');
    cached = path.join(cacheRoot(), 'programmes', `${key.slice(0, 32)}.json`);
    if (fs.existsSync(cached)) return JSON.parse(fs.readFileSync(cached, 'utf8')) as Programme;
  } catch {
    return validated(idOrPath);
  }
  const programme = await validated(idOrPath);
  try {
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, JSON.stringify(programme));
    fs.renameSync(partial, cached);
    pruneOldest(path.dirname(cached));
  } catch {
    // A read-only cache only costs the next run the validation.
  }
  return programme;
}
