import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { programmeDeadlines } from '../../domain/timeline';
import { listPresetIds, loadProgramme, ProgrammeFileError } from '../../programmes/loader';

const PRESETS = ['baoding-2023', 'henan-2023', 'national-2022', 'national-2023', 'service-teams-2023'];
/** A society's own call feeding national-2023: one channel, so the roster checks below do not fit it. */
const CHILD_PRESETS = ['national-2023-relay'];

describe('presets', () => {
  it("lists the five programmes and the relaying society's call", () => {
    expect(listPresetIds()).toEqual([...PRESETS, ...CHILD_PRESETS].sort());
  });

  it.each(PRESETS)('%s loads, has its id and a sample roster of 8–20 units covering every channel', (id) => {
    const p = loadProgramme(id);
    expect(p.id).toBe(id);
    expect(p.roster.sample).toBe(true);
    expect(p.roster.units.length).toBeGreaterThanOrEqual(8);
    expect(p.roster.units.length).toBeLessThanOrEqual(20);
    const covered = new Set(p.roster.units.flatMap((u) => u.channels));
    expect([...covered].sort()).toEqual(p.channels.map((c) => c.id).sort());
    expect(p.roster.units.some((u) => u.channels.length >= 2)).toBe(true);
    expect(p.roster.units.every((u) => /@[a-z0-9.-]*example\.org$/.test(u.email))).toBe(true);
  });

  it.each([...PRESETS, ...CHILD_PRESETS])('%s records what it assumed', (id) => {
    expect(loadProgramme(id).assumptions.length).toBeGreaterThan(0);
  });

  it('national-2023 collection closes at 2023-11-30T16:00:00Z, national-2022 at 2022-10-31T16:00:00Z', () => {
    expect(programmeDeadlines(loadProgramme('national-2023')).collectionClosesAt).toBe(
      Date.parse('2023-11-30T16:00:00Z'),
    );
    expect(programmeDeadlines(loadProgramme('national-2022')).collectionClosesAt).toBe(
      Date.parse('2022-10-31T16:00:00Z'),
    );
  });

  it('national-2022 encodes the notice: 5+1 fields, quotas 3 per field / 5 / 2, two 另行组织 lists, two bodies for 绿色低碳', () => {
    const p = loadProgramme('national-2022');
    const list = (id: string) => p.lists.find((l) => l.id === id)!;
    expect(list('pioneer-tech').fields!.map((f) => f.name.zh)).toEqual([
      '电子信息',
      '生物医药',
      '装备制造',
      '先进材料',
      '绿色低碳',
      '产业基础',
    ]);
    expect(list('pioneer-tech').quota).toMatchObject({ scope: 'field', default: 3 });
    expect(list('emerging-enterprise').quota!.default).toBe(5);
    for (const id of ['integrated-innovation-org', 'entrepreneurship-pioneer', 'tech-manager-pioneer']) {
      expect(list(id).quota!.default).toBe(2);
    }
    for (const id of ['international-cooperation', 'open-source']) {
      expect(list(id)).toMatchObject({ separatelyOrganised: true });
      expect(list(id).quota).toBeUndefined();
    }
    expect(list('pioneer-tech').fields!.find((f) => f.id === 'green-low-carbon')!.reviewBodies).toHaveLength(
      2,
    );
    expect(p.quotaCombination).toBe('sum');
  });

  it('loads a preset by path as well as by id', () => {
    const file = path.join(__dirname, '..', '..', 'programmes', 'presets', 'national-2023.json');
    expect(loadProgramme(file)).toEqual(loadProgramme('national-2023'));
  });
});

describe('malformed programme files give a ProgrammeFileError naming file and path', () => {
  let dir: string;
  const base = JSON.parse(
    fs.readFileSync(path.join(__dirname, '..', '..', 'programmes', 'presets', 'national-2023.json'), 'utf8'),
  );
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-loader-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function write(name: string, content: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  }
  function mutated(change: (p: typeof base) => void): string {
    const copy = structuredClone(base);
    change(copy);
    return JSON.stringify(copy, null, 2);
  }
  function errorOf(file: string): ProgrammeFileError {
    try {
      loadProgramme(file);
    } catch (err) {
      expect(err).toBeInstanceOf(ProgrammeFileError);
      return err as ProgrammeFileError;
    }
    throw new Error(`${file} loaded without error`);
  }

  it.each<[string, string, string, RegExp]>([
    ['bad JSON', '{\n  "id": "x",\n  "year": 2023,,\n}', 'line 3, column 16', /JSON/],
    ['wrong type', mutated((p) => (p.lists[2].quota.default = 'two')), 'lists[2].quota.default', /number/],
    [
      'missing field',
      mutated((p) => delete p.stages.collection.closes),
      'stages.collection.closes',
      /string/,
    ],
    ['bad id', mutated((p) => (p.lists[0].id = 'Pioneer Tech')), 'lists[0].id', /lower-case/],
    [
      'unknown rule',
      mutated((p) => (p.lists[1].eligibility[0] = { rule: 'foundedRecently' })),
      'lists[1].eligibility[0].rule',
      /foundedWithinYears/,
    ],
    [
      'unknown review body',
      mutated((p) => (p.lists[3].reviewBodies = ['nobody'])),
      'lists[3].reviewBodies[0]',
      /reviewBodies/,
    ],
    [
      'unknown field review body',
      mutated((p) => (p.lists[0].fields[4].reviewBodies[1] = 'nobody')),
      'lists[0].fields[4].reviewBodies[1]',
      /reviewBodies/,
    ],
    [
      'unknown unit channel',
      mutated((p) => p.roster.units[2].channels.push('guild')),
      'roster.units[2].channels[2]',
      /channel id/,
    ],
    [
      'unknown quota channel',
      mutated((p) => (p.lists[1].quota.perChannel = { guild: 9 })),
      'lists[1].quota.perChannel.guild',
      /channel id/,
    ],
    ['duplicate list id', mutated((p) => (p.lists[3].id = p.lists[1].id)), 'lists[3].id', /unique/],
    ['list without quota', mutated((p) => delete p.lists[1].quota), 'lists[1].quota', /separatelyOrganised/],
    [
      'list without review bodies',
      mutated((p) => delete p.lists[1].reviewBodies),
      'lists[1].reviewBodies',
      /review body/,
    ],
    [
      'collection closes before it opens',
      mutated((p) => (p.stages.collection.closes = '2023-10-06 24:00')),
      'stages.collection.closes',
      /after stages\.collection\.opens/,
    ],
    [
      'collection opens as it closes',
      mutated((p) => (p.stages.collection.closes = '2023-10-07 00:00')),
      'stages.collection.closes',
      /after stages\.collection\.opens/,
    ],
    [
      'preliminary review due before collection closes',
      mutated((p) => (p.stages.preliminaryReview.due = '2023-11-30 23:59')),
      'stages.preliminaryReview.due',
      /at or after stages\.collection\.closes/,
    ],
    [
      'final review before preliminary',
      mutated((p) => (p.stages.finalReview.due = '2023-12-01 24:00')),
      'stages.finalReview.due',
      /preliminaryReview/,
    ],
    [
      'publication before final review',
      mutated((p) => (p.stages.publication.on = '2024-01-31 12:00')),
      'stages.publication.on',
      /finalReview/,
    ],
    [
      'impossible date',
      mutated((p) => (p.stages.finalReview.due = '2024-02-30 24:00')),
      'stages.finalReview.due',
      /YYYY-MM-DD HH:mm/,
    ],
  ])('%s', (name, content, where, expected) => {
    const file = write(`${name.replace(/\W+/g, '-')}.json`, content);
    const err = errorOf(file);
    expect(err.file).toBe(file);
    expect(err.path).toBe(where);
    expect(err.expected).toMatch(expected);
    expect(err.message).toContain(file);
    expect(err.message).toContain(where);
    expect(err.message).toContain(err.problem);
    expect(err.message).toContain(err.expected);
    expect(err.message).toMatch(/^方案文件 .* \/ programme file /);
  });

  it('accepts the collection closing exactly when the preliminary review is due', () => {
    const file = write(
      'equal.json',
      mutated((p) => (p.stages.preliminaryReview.due = p.stages.collection.closes)),
    );
    expect(loadProgramme(file).id).toBe('national-2023');
  });

  it('accepts a UTF-8 byte order mark', () => {
    const file = write('bom.json', `\uFEFF${JSON.stringify(base)}`);
    expect(loadProgramme(file).id).toBe('national-2023');
  });

  it('refuses a separately organised list that has a quota', () => {
    const file = write(
      'separate.json',
      mutated((p) => Object.assign(p.lists[3], { separatelyOrganised: true })),
    );
    expect(errorOf(file)).toMatchObject({ path: 'lists[3].quota' });
  });

  it('refuses a city rule naming a city list the programme does not define', () => {
    const file = write(
      'city-list.json',
      mutated((p) => (p.lists[2].eligibility[4].orIn = ['innovation-driven-cities', 'no-such-list'])),
    );
    expect(errorOf(file)).toMatchObject({
      path: 'lists[2].eligibility[4].orIn[1]',
      problem: expect.stringContaining('no-such-list'),
      expected: expect.stringContaining('innovation-driven-cities'),
    });
  });

  it('refuses a rule source that is not a seed file, naming the path', () => {
    const file = write(
      'bad-source.json',
      mutated((p) => (p.lists[1].eligibility[0].source.seed = '../secrets')),
    );
    expect(errorOf(file)).toMatchObject({ path: 'lists[1].eligibility[0].source.seed' });
  });

  it('names a missing file and an unknown preset', () => {
    const missing = path.join(dir, 'nope.json');
    expect(errorOf(missing)).toMatchObject({ file: missing, path: '' });
    expect(errorOf('national-1999')).toMatchObject({
      file: 'national-1999',
      expected: expect.stringContaining('national-2023'),
    });
  });
});
