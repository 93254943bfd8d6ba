/**
 * Hostile and malformed files (issue 7, item 4), without a server. Random mutations of the
 * national-2023 preset (a key deleted, a type changed, random or hostile values, impossible
 * dates, dangling review-body ids, reversed stages, prototype-pollution keys) go through
 * validateProgramme and, written to a temp file, through loadProgramme; random rosters through
 * loadRoster; random import sheets through client/import.ts's pure row parsing. Each either
 * succeeds with a genuinely valid result or fails with the file's own error type naming the
 * file, the place, the problem and what was expected: never another exception.
 *
 * fast-check prints the seed and path of a failing run; replay it with FC_SEED=<seed>.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ImportFileError, IMPORT_COLUMNS, parseCsv, prepareRows, tableFromRows } from '../../client/import';
import { candidateSchema, programmeSchema, unitSchema, type Programme } from '../../domain/programme';
import { rejectionCodes } from '../../domain/rejections';
import { loadProgramme, ProgrammeFileError, validateProgramme } from '../../programmes/loader';
import { loadRoster, withRoster } from '../../programmes/roster';

const PRESET_FILE = path.resolve(__dirname, '..', '..', 'programmes', 'presets', 'national-2023.json');
const PRESET: unknown = JSON.parse(fs.readFileSync(PRESET_FILE, 'utf8'));
const programme = loadProgramme('national-2023');

/** Bounded runs; FC_SEED replays a reported failure. */
const fcParams = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
});

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-hostile-files-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let fileCounter = 0;
function tempFile(ext: string, content: string | Buffer): string {
  const file = path.join(dir, `f${++fileCounter}${ext}`);
  fs.writeFileSync(file, content);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Hostile values

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    ' ',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '\u0000',
    'a\u0000b',
    '\u202e反转',
    '\r\n',
    'line\nbreak',
    '😀👨‍👩‍👧‍👦',
    '😀'.repeat(300),
    'x'.repeat(70_000),
    '2023-02-30',
    '2023-02-30 10:00',
    '<script>alert(1)</script>',
    '=HYPERLINK("http://x")',
    'NaN',
    'null',
    'undefined',
  ),
);

/** An object with own `__proto__` / `constructor` keys, as JSON.parse makes them. */
const protoKeyObject = fc
  .record({
    key: fc.constantFrom('__proto__', 'constructor', 'prototype'),
    value: fc.oneof(fc.constant({ polluted: 'yes' }), fc.constant({ prototype: { polluted: 'yes' } })),
  })
  .map(({ key, value }) => JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value)}}`) as unknown);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -0,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    null,
    undefined,
    true,
    false,
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.array(hostileString, { maxLength: 3 }),
  protoKeyObject,
);

function assertNoPollution(): void {
  const probe: Record<string, unknown> = {};
  expect(probe.polluted).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
}

// ---------------------------------------------------------------------------------------------
// Programme mutations

type Segment = string | number;

/** Every path in the JSON tree below the root. */
function pathsOf(node: unknown, prefix: Segment[] = []): Segment[][] {
  if (node === null || typeof node !== 'object') return [];
  const entries: [Segment, unknown][] = Array.isArray(node)
    ? node.map((v, i): [Segment, unknown] => [i, v])
    : Object.entries(node as Record<string, unknown>);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

function getAt(root: unknown, at: Segment[]): unknown {
  return at.reduce<unknown>((node, s) => (node as Record<Segment, unknown>)[s], root);
}

function parentOf(root: unknown, at: Segment[]): Record<Segment, unknown> {
  return getAt(root, at.slice(0, -1)) as Record<Segment, unknown>;
}

/** The loader's notation: lists[2].quota.default, quota.perChannel["a b"]. */
function jsonPath(at: Segment[]): string {
  return at
    .map((s, i) =>
      typeof s === 'number'
        ? `[${s}]`
        : i === 0
          ? s
          : /^[A-Za-z_$][\w$]*$/.test(s)
            ? `.${s}`
            : `[${JSON.stringify(s)}]`,
    )
    .join('');
}

const ALL_PATHS = pathsOf(PRESET);
const OBJECT_PATHS = ALL_PATHS.filter((p) => {
  const v = getAt(PRESET, p);
  return v !== null && typeof v === 'object' && !Array.isArray(v);
});
const DATE_PATHS = ALL_PATHS.filter((p) => {
  const v = getAt(PRESET, p);
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
});
const DATE_TIME_PATHS = ALL_PATHS.filter((p) => {
  const v = getAt(PRESET, p);
  return typeof v === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(v);
});
/** Review-body references: lists[i].reviewBodies[k] and lists[i].fields[j].reviewBodies[k]. */
const BODY_REF_PATHS = ALL_PATHS.filter(
  (p) => p.length >= 2 && p[p.length - 2] === 'reviewBodies' && p[0] === 'lists',
);
const BODY_IDS = (PRESET as { reviewBodies: { id: string }[] }).reviewBodies.map((b) => b.id);

/** Stage points in the order they must keep (pairs that must not be reversed). */
const STAGE_PAIRS: [Segment[], Segment[]][] = [
  [
    ['stages', 'collection', 'opens'],
    ['stages', 'collection', 'closes'],
  ],
  [
    ['stages', 'collection', 'closes'],
    ['stages', 'preliminaryReview', 'due'],
  ],
  [
    ['stages', 'preliminaryReview', 'due'],
    ['stages', 'finalReview', 'due'],
  ],
  [
    ['stages', 'finalReview', 'due'],
    ['stages', 'publication', 'on'],
  ],
  [
    ['stages', 'promotion', 'from'],
    ['stages', 'promotion', 'until'],
  ],
];

const IMPOSSIBLE_DATES = [
  '2021-02-30',
  '2021-02-31',
  '2021-04-31',
  '2023-02-29',
  '2021-13-01',
  '2021-00-10',
  '2021-09-00',
  '2021-9-1',
  '20210901',
  '2021/09/01',
  '',
];
const IMPOSSIBLE_DATE_TIMES = [
  '2023-02-30 10:00',
  '2023-11-31 24:00',
  '2023-02-29 09:00',
  '2023-11-30 25:00',
  '2023-11-30 24:01',
  '2023-11-30 23:60',
  '2023-11-30T10:00',
  '2023-11-30',
  '2023-13-01 00:00',
  '',
];

type Mutation =
  | { kind: 'delete'; at: Segment[] }
  | { kind: 'set'; at: Segment[]; value: unknown }
  | { kind: 'retype'; at: Segment[] }
  | { kind: 'badDate'; at: Segment[]; value: string }
  | { kind: 'dangling'; at: Segment[]; id: string }
  | { kind: 'reverse'; pair: [Segment[], Segment[]] }
  | { kind: 'protoKey'; at: Segment[]; key: string; value: unknown };

const anyPath = fc.constantFrom(...ALL_PATHS);
const danglingId = fc
  .oneof(
    fc.constantFrom('no-such-body', 'ittn-2', '__proto__', 'constructor', 'toString', ''),
    fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
  )
  .filter((id) => !BODY_IDS.includes(id));

const mutationArb: Record<Mutation['kind'], fc.Arbitrary<Mutation>> = {
  delete: anyPath.map((at): Mutation => ({ kind: 'delete', at })),
  set: fc.record({ at: anyPath, value: hostileValue }).map((m): Mutation => ({ kind: 'set', ...m })),
  retype: anyPath.map((at): Mutation => ({ kind: 'retype', at })),
  badDate: fc
    .oneof(
      fc.record({ at: fc.constantFrom(...DATE_PATHS), value: fc.constantFrom(...IMPOSSIBLE_DATES) }),
      fc.record({
        at: fc.constantFrom(...DATE_TIME_PATHS),
        value: fc.constantFrom(...IMPOSSIBLE_DATE_TIMES),
      }),
    )
    .map((m): Mutation => ({ kind: 'badDate', ...m })),
  dangling: fc
    .record({ at: fc.constantFrom(...BODY_REF_PATHS), id: danglingId })
    .map((m): Mutation => ({ kind: 'dangling', ...m })),
  reverse: fc.constantFrom(...STAGE_PAIRS).map((pair): Mutation => ({ kind: 'reverse', pair })),
  protoKey: fc
    .record({
      at: fc.constantFrom(...OBJECT_PATHS),
      key: fc.constantFrom('__proto__', 'constructor', 'prototype'),
      value: hostileValue,
    })
    .map((m): Mutation => ({ kind: 'protoKey', ...m })),
};
const anyMutation = fc.oneof(...Object.values(mutationArb));

function retyped(value: unknown): unknown {
  if (typeof value === 'string') return 123;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return {};
  if (value === null) return 0;
  return [];
}

function apply(root: unknown, m: Mutation): void {
  switch (m.kind) {
    case 'delete': {
      const parent = parentOf(root, m.at);
      const key = m.at[m.at.length - 1];
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return;
    }
    case 'set':
    case 'badDate':
      parentOf(root, m.at)[m.at[m.at.length - 1]] = m.value;
      return;
    case 'retype':
      parentOf(root, m.at)[m.at[m.at.length - 1]] = retyped(getAt(root, m.at));
      return;
    case 'dangling':
      parentOf(root, m.at)[m.at[m.at.length - 1]] = m.id;
      return;
    case 'reverse': {
      const [a, b] = m.pair;
      const va = getAt(root, a);
      parentOf(root, a)[a[a.length - 1]] = getAt(root, b);
      parentOf(root, b)[b[b.length - 1]] = va;
      return;
    }
    case 'protoKey':
      // An own, enumerable key, as JSON.parse creates it (a plain assignment would set the prototype).
      Object.defineProperty(getAt(root, m.at), m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return;
  }
}

function mutated(mutations: Mutation[]): unknown {
  const root = structuredClone(PRESET);
  for (const m of mutations) {
    // A path may be gone after an earlier deletion or replacement: skip that mutation.
    const at = m.kind === 'reverse' ? m.pair[0] : m.at;
    try {
      if (m.kind === 'reverse' ? getAt(root, m.pair[1]) === undefined : false) continue;
      if (at.length > 1 && (parentOf(root, at) === null || typeof parentOf(root, at) !== 'object')) continue;
      if (m.kind === 'protoKey') {
        const target = getAt(root, m.at);
        if (target === null || typeof target !== 'object' || Array.isArray(target)) continue;
      }
    } catch {
      continue;
    }
    apply(root, m);
  }
  return root;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };
function attempt<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The contract of every refusal: the loader's own error, naming file, place, problem, expectation. */
function expectProgrammeFileError(
  error: unknown,
  file: string,
  where: 'non-empty' | 'location-or-whole-file' | 'syntax-or-schema' = 'non-empty',
): ProgrammeFileError {
  if (!(error instanceof ProgrammeFileError)) {
    throw new Error(
      `expected a ProgrammeFileError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
  }
  expect(error.file).toBe(file);
  expect(error.problem.trim()).not.toBe('');
  expect(error.expected.trim()).not.toBe('');
  const syntax =
    where === 'location-or-whole-file' ||
    (where === 'syntax-or-schema' && /invalid JSON/.test(error.problem));
  if (syntax) expect(error.path).toMatch(/^$|^line \d+, column \d+$/);
  else if (where === 'non-empty') expect(error.path.trim()).not.toBe('');
  expect(error.message).toContain(file);
  return error;
}

/** Independent checks of what zod cannot see, for a programme the loader accepted. */
function expectGenuinelyValid(p: Programme): void {
  expect(programmeSchema.safeParse(p).success).toBe(true);
  const bodies = new Set(p.reviewBodies.map((b) => b.id));
  for (const list of p.lists) {
    for (const id of [...(list.reviewBodies ?? []), ...(list.fields ?? []).flatMap((f) => f.reviewBodies)]) {
      expect(bodies.has(id)).toBe(true);
    }
  }
  const realDate = (s: string) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  };
  for (const list of p.lists) {
    for (const rule of [...list.eligibility, ...(list.fields ?? []).flatMap((f) => f.eligibility ?? [])]) {
      if ('date' in rule)
        expect({ date: rule.date, real: realDate(rule.date) }).toEqual({ date: rule.date, real: true });
    }
  }
  const s = p.stages;
  const ms = (t: string) => {
    const [date, time] = t.split(' ');
    expect(realDate(date)).toBe(true);
    return (
      Date.parse(`${date}T${time === '24:00' ? '00:00' : time}:00+08:00`) +
      (time === '24:00' ? 86_400_000 : 0)
    );
  };
  expect(ms(s.collection.opens)).toBeLessThan(ms(s.collection.closes));
  expect(ms(s.collection.closes)).toBeLessThanOrEqual(ms(s.preliminaryReview.due));
  expect(ms(s.preliminaryReview.due)).toBeLessThanOrEqual(ms(s.finalReview.due));
  expect(ms(s.finalReview.due)).toBeLessThanOrEqual(ms(s.publication.on));
  expect(ms(s.promotion.from)).toBeLessThan(ms(s.promotion.until));
  for (const node of [p, ...p.lists, ...p.roster.units, p.stages]) {
    expect(Object.getPrototypeOf(node)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(node, '__proto__')).toBe(false);
  }
}

describe('programme files: random mutations of national-2023', () => {
  it('the unmutated preset is valid (the baseline every mutation starts from)', () => {
    expectGenuinelyValid(validateProgramme(structuredClone(PRESET), 'preset.json'));
  });

  it('any mix of mutations: a valid programme, or a ProgrammeFileError naming file, path, problem and expectation', () => {
    fc.assert(
      fc.property(fc.array(anyMutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const raw = mutated(mutations);
        const result = attempt(() => validateProgramme(raw, 'mutated.json'));
        if (result.ok) expectGenuinelyValid(result.value);
        else expectProgrammeFileError(result.error, 'mutated.json');
        assertNoPollution();
      }),
      fcParams(600),
    );
  });

  it('a changed type anywhere is refused at exactly that path', () => {
    fc.assert(
      fc.property(mutationArb.retype, (m) => {
        const result = attempt(() => validateProgramme(mutated([m]), 'retyped.json'));
        expect(result.ok).toBe(false);
        if (!result.ok)
          expect(expectProgrammeFileError(result.error, 'retyped.json').path).toBe(
            jsonPath(m.kind === 'retype' ? m.at : []),
          );
      }),
      fcParams(300),
    );
  });

  it('an impossible date or date-time (2023-02-30, 24:01, 13th month…) is refused at its path', () => {
    fc.assert(
      fc.property(mutationArb.badDate, (m) => {
        const result = attempt(() => validateProgramme(mutated([m]), 'dates.json'));
        const at = m.kind === 'badDate' ? m.at : [];
        if (result.ok) {
          throw new Error(`accepted ${jsonPath(at)} = "${m.kind === 'badDate' ? m.value : ''}"`);
        }
        expect(expectProgrammeFileError(result.error, 'dates.json').path).toBe(jsonPath(at));
      }),
      fcParams(200),
    );
  });

  it('a dangling review-body id is refused at the reference', () => {
    fc.assert(
      fc.property(mutationArb.dangling, (m) => {
        const result = attempt(() => validateProgramme(mutated([m]), 'bodies.json'));
        expect(result.ok).toBe(false);
        if (!result.ok) {
          const error = expectProgrammeFileError(result.error, 'bodies.json');
          // An id that is not even an id ("" or "__proto__") is a schema error at the same place.
          expect(error.path).toBe(jsonPath(m.kind === 'dangling' ? m.at : []));
        }
      }),
      fcParams(200),
    );
  });

  it('reversed stages are refused at a stage', () => {
    fc.assert(
      fc.property(fc.array(mutationArb.reverse, { minLength: 1, maxLength: 3 }), (ms) => {
        const raw = mutated(ms);
        const order = STAGE_PAIRS.every(
          ([a, b]) => getAt(raw, a) === getAt(PRESET, a) && getAt(raw, b) === getAt(PRESET, b),
        );
        const result = attempt(() => validateProgramme(raw, 'stages.json'));
        if (order) return; // swapped twice: back to the preset
        expect(result.ok).toBe(false);
        if (!result.ok)
          expect(expectProgrammeFileError(result.error, 'stages.json').path).toMatch(/^stages\./);
      }),
      fcParams(100),
    );
  });

  it('the same mutations written to a .json file: loadProgramme agrees with validateProgramme', () => {
    fc.assert(
      fc.property(fc.array(anyMutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (mutations, bom) => {
        const raw = mutated(mutations);
        const text = JSON.stringify(raw, null, 2);
        const file = tempFile('.json', (bom ? '\uFEFF' : '') + text);
        const loaded = attempt(() => loadProgramme(file));
        const direct = attempt(() => validateProgramme(JSON.parse(text), file));
        if (loaded.ok) {
          expectGenuinelyValid(loaded.value);
          expect(direct).toEqual(loaded);
        } else {
          const error = expectProgrammeFileError(loaded.error, file);
          expect(direct.ok).toBe(false);
          if (!direct.ok) expect((direct.error as ProgrammeFileError).path).toBe(error.path);
        }
        assertNoPollution();
      }),
      fcParams(150),
    );
  });

  it('corrupted file text (truncated, spliced, binary, empty) is a ProgrammeFileError, never a SyntaxError', () => {
    const original = fs.readFileSync(PRESET_FILE, 'utf8');
    const corruption = fc.oneof(
      fc.nat({ max: original.length - 1 }).map((k) => original.slice(0, k)),
      fc
        .record({ k: fc.nat({ max: original.length - 1 }), s: hostileString.filter((s) => s.length < 50) })
        .map(({ k, s }) => original.slice(0, k) + s + original.slice(k + 1)),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom('', '\uFEFF', 'null', '[]', '"programme"', '42', '{"__proto__":{"polluted":"yes"}}'),
    );
    fc.assert(
      fc.property(corruption, (content) => {
        const file = tempFile('.json', content);
        const result = attempt(() => loadProgramme(file));
        if (result.ok) {
          expectGenuinelyValid(result.value);
        } else {
          // A syntax error names "line L, column C" when the parser gives a position; V8 gives none
          // for some ("Unexpected end of JSON input"). Valid JSON of the wrong shape gets its JSON
          // path, or none when the document itself is not an object.
          expectProgrammeFileError(result.error, file, 'syntax-or-schema');
        }
        assertNoPollution();
      }),
      fcParams(200),
    );
  });

  it('a missing file, a folder named .json and an unknown preset are ProgrammeFileErrors too', () => {
    const missing = path.join(dir, 'missing.json');
    expectProgrammeFileError(
      captured(() => loadProgramme(missing)),
      missing,
      'location-or-whole-file',
    );
    const folder = path.join(dir, 'folder.json');
    fs.mkdirSync(folder);
    expectProgrammeFileError(
      captured(() => loadProgramme(folder)),
      folder,
      'location-or-whole-file',
    );
    expectProgrammeFileError(
      captured(() => loadProgramme('__proto__')),
      '__proto__',
      'location-or-whole-file',
    );
  });
});

function captured(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Rosters

const CHANNEL_IDS = programme.channels.map((c) => c.id);
const ROSTER_HEADERS: Record<string, string[]> = {
  id: ['id', '编号', '单位编号', 'ID', ' Id '],
  name: ['name', '名称', '单位名称'],
  channels: ['channels', '渠道', '推荐渠道'],
  email: ['email', '邮箱', '电子邮箱'],
  contact: ['contact', '联系人'],
};

const GOOD_ROSTER_CELLS: Record<string, fc.Arbitrary<string>> = {
  id: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,12}$/),
  name: fc.constantFrom('中国电子学会', '河南省科学技术协会', 'Unit, "quoted"', '多行\n名称'),
  channels: fc
    .array(
      fc.oneof(
        fc.constantFrom(...CHANNEL_IDS),
        fc.constantFrom(...programme.channels.map((c) => c.name.zh)),
        fc.constantFrom(...CHANNEL_IDS.map((c) => c.toUpperCase())),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .chain((ids) => fc.constantFrom(';', '、', '；', ' ; ').map((sep) => ids.join(sep))),
  email: fc.constantFrom('kjxh@units.example.org', 'a.b@c.example.org'),
  contact: fc.constantFrom('', '王晓明', 'Contact\r\nBcc: x@y.z'),
};
const BAD_ROSTER_CELL = fc.oneof(
  hostileString.filter((s) => s.length < 300),
  fc.constantFrom('no-such-channel', 'UPPER', 'a@b', '@x.y', '', ' ', '__proto__', 'toString'),
);
/** Built once per column: arbitraries are costly to construct inside chain(). */
const ROSTER_CELLS: Map<string, fc.Arbitrary<string>> = new Map(
  ['id', 'name', 'channels', 'email', 'contact', 'junk', '__proto__', 'constructor', 'toString'].map(
    (column) => [
      column,
      fc.oneof(
        {
          weight: 4,
          arbitrary: Object.hasOwn(GOOD_ROSTER_CELLS, column) ? GOOD_ROSTER_CELLS[column] : fc.string(),
        },
        { weight: 2, arbitrary: BAD_ROSTER_CELL },
      ),
    ],
  ),
);
const rosterCell = (column: string): fc.Arbitrary<string> => ROSTER_CELLS.get(column) ?? fc.string();

function csvField(value: string, quote: boolean): string {
  return quote || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const rosterCsv = fc
  .record({
    columns: fc.shuffledSubarray(['id', 'name', 'channels', 'email', 'contact', 'junk'], { minLength: 0 }),
    extraHeader: fc.option(fc.constantFrom('__proto__', 'constructor', 'toString', 'id'), { nil: undefined }),
    rowCount: fc.nat({ max: 6 }),
    quoteAll: fc.boolean(),
    newline: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
    trailing: fc.constantFrom('', '\n', '\n\n', ',,,\n', '"unclosed'),
  })
  .chain(({ columns, extraHeader, rowCount, quoteAll, newline, bom, trailing }) => {
    const cols = extraHeader ? [...columns, extraHeader] : columns;
    const header = fc.tuple(
      ...cols.map((c) => fc.constantFrom(...(Object.hasOwn(ROSTER_HEADERS, c) ? ROSTER_HEADERS[c] : [c]))),
    );
    const row = fc.tuple(...cols.map((c) => rosterCell(c)));
    return fc
      .tuple(header, fc.array(row, { minLength: rowCount, maxLength: rowCount }))
      .map(
        ([h, rows]) =>
          (bom ? '\uFEFF' : '') +
          [h, ...rows].map((cells) => cells.map((c) => csvField(c, quoteAll)).join(',')).join(newline) +
          trailing,
      );
  });

describe('rosters: random CSV through loadRoster', () => {
  it('gives valid units that fit the programme, or a ProgrammeFileError naming row and column', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 5, arbitrary: rosterCsv }, { weight: 1, arbitrary: hostileString }),
        async (text) => {
          const file = tempFile('.csv', text);
          const result = await loadRoster(file, programme).then(
            (units) => ({ ok: true as const, units }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          if (result.ok) {
            const ids = result.units.map((u) => u.id);
            expect(new Set(ids).size).toBe(ids.length);
            for (const unit of result.units) {
              expect(unitSchema.safeParse(unit).success).toBe(true);
              for (const c of unit.channels) expect(CHANNEL_IDS).toContain(c);
              expect(Object.getPrototypeOf(unit)).toBe(Object.prototype);
            }
            expect(() => withRoster(programme, result.units)).not.toThrow();
          } else {
            const error = expectProgrammeFileError(result.error, file);
            expect(error.path).toMatch(/^row \d+(, column (id|name|channels|email|contact))?$/);
          }
          assertNoPollution();
        },
      ),
      fcParams(300),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Import sheets (client/import.ts): pure row parsing

const IMPORT_CONTEXT = { programmeId: 'national-2023', unitId: 'cie' };
const importCell = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      'pioneer-tech',
      'electronics',
      '量子通信芯片',
      '是',
      '否',
      '2015-03-01',
      '2015年3月1日',
      'mainland',
      '香港',
      'good',
      'a@b.example.org',
    ),
  },
  { weight: 2, arbitrary: hostileString.filter((s) => s.length < 400) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '2023-02-30',
      '2023/2/29',
      '2023-13-01',
      'constructor',
      '__proto__',
      'toString',
      'x'.repeat(201),
      'k'.repeat(250),
    ),
  },
);
const importTable = fc
  .record({
    header: fc.array(
      fc.oneof(
        fc.constantFrom(...IMPORT_COLUMNS),
        fc.constantFrom('榜单', '名称', '领域 fieldId', '幂等键', '__proto__', 'constructor', '', 'junk'),
      ),
      { maxLength: 10 },
    ),
    rows: fc.array(fc.array(importCell, { maxLength: 12 }), { maxLength: 8 }),
  })
  .map(({ header, rows }) => [header, ...rows]);

function expectStableRejection(rejection: { code: string; message: string; field?: string }): void {
  expect(rejectionCodes).toContain(rejection.code);
  expect(rejection.message.trim()).not.toBe('');
}

describe('import sheets: client/import.ts row parsing', () => {
  it('parseCsv: any text gives rows of strings, or an ImportFileError (INVALID)', () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileString, fc.string({ unit: fc.constantFrom('"', ',', '\n', '\r', 'a', '名') })),
        (text) => {
          const result = attempt(() => parseCsv(text, 'sheet.csv'));
          if (result.ok) {
            for (const row of result.value) for (const cell of row) expect(typeof cell).toBe('string');
          } else {
            expect(result.error).toBeInstanceOf(ImportFileError);
            expectStableRejection((result.error as ImportFileError).rejection);
          }
        },
      ),
      fcParams(400),
    );
  });

  it('tableFromRows + prepareRows: every row is a well-formed request or a rejection with a stable code', () => {
    fc.assert(
      fc.property(
        importTable,
        fc.option(fc.constantFrom('pioneer-tech', 'tech-manager-pioneer'), { nil: undefined }),
        (rows, listId) => {
          const table = attempt(() => tableFromRows(rows, 'sheet.csv', listId ? { listId } : {}));
          if (!table.ok) {
            expect(table.error).toBeInstanceOf(ImportFileError);
            expectStableRejection((table.error as ImportFileError).rejection);
            return;
          }
          const prepared = attempt(() =>
            prepareRows(table.value, { ...IMPORT_CONTEXT, defaults: { listId } }),
          );
          if (!prepared.ok) throw prepared.error;
          expect(prepared.value).toHaveLength(table.value.rows.length);
          const keys = new Set<string>();
          for (const row of prepared.value) {
            if (row.ok) {
              const { request } = row;
              expect(typeof request.idempotencyKey).toBe('string');
              expect(request.idempotencyKey.length).toBeGreaterThan(0);
              expect(request.idempotencyKey.length).toBeLessThanOrEqual(200);
              expect(keys.has(request.idempotencyKey)).toBe(false);
              keys.add(request.idempotencyKey);
              expect(typeof request.listId).toBe('string');
              expect(request.listId).not.toBe('');
              expect(request.fieldId === undefined || typeof request.fieldId === 'string').toBe(true);
              expect(candidateSchema.safeParse(request.candidate).success).toBe(true);
              expect(Object.getPrototypeOf(request.candidate)).toBe(Object.prototype);
              for (const key of ['__proto__', 'constructor']) {
                expect(Object.prototype.hasOwnProperty.call(request.candidate, key)).toBe(false);
              }
            } else {
              expectStableRejection(row.rejection);
              expect(row.rejection.field ?? '').not.toBe('');
            }
          }
          // Re-runnable: the same sheet gives the same keys.
          expect(
            prepareRows(table.value, { ...IMPORT_CONTEXT, defaults: { listId } }).map((r) => r.ok && r.key),
          ).toEqual(prepared.value.map((r) => r.ok && r.key));
          assertNoPollution();
        },
      ),
      fcParams(400),
    );
  });
});
