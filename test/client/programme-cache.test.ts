/**
 * `kczg plan`'s programme loading: what the loader validated is reused while the file and the
 * validating code stay the same, and never stands in for a file that changed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProgrammeFast } from '../../client/cli/programme-cache';
import { loadProgramme, ProgrammeFileError } from '../../programmes/loader';

let dir: string;
const cacheEntries = () =>
  fs.existsSync(path.join(dir, 'cache', 'programmes'))
    ? fs.readdirSync(path.join(dir, 'cache', 'programmes'))
    : [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-programme-cache-'));
  process.env.KCZG_CACHE_DIR = path.join(dir, 'cache');
});

afterEach(() => {
  delete process.env.KCZG_CACHE_DIR;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('loadProgrammeFast', () => {
  it('gives what loadProgramme gives, the first time and from the cache', async () => {
    const expected = loadProgramme('national-2023');
    expect(await loadProgrammeFast('national-2023')).toEqual(expected);
    expect(cacheEntries()).toHaveLength(1);
    expect(await loadProgrammeFast('national-2023')).toEqual(expected);
    expect(cacheEntries()).toHaveLength(1);
  });

  it('validates an edited file again: an edit that breaks it is refused, not served from the cache', async () => {
    const file = path.join(dir, 'mine.json');
    const programme = structuredClone(loadProgramme('national-2023'));
    fs.writeFileSync(file, JSON.stringify(programme));
    expect((await loadProgrammeFast(file)).id).toBe('national-2023');
    programme.lists[0].quota = { scope: 'field', default: -1 } as never;
    fs.writeFileSync(file, JSON.stringify(programme));
    await expect(loadProgrammeFast(file)).rejects.toBeInstanceOf(ProgrammeFileError);
  });

  it('an unknown preset or a missing file is the loader’s own error', async () => {
    await expect(loadProgrammeFast('no-such-preset')).rejects.toBeInstanceOf(ProgrammeFileError);
    await expect(loadProgrammeFast(path.join(dir, 'missing.json'))).rejects.toBeInstanceOf(
      ProgrammeFileError,
    );
    expect(cacheEntries()).toHaveLength(0);
  });
});
