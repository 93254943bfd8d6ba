/**
 * A programme naming a preset as its parent is checked when it loads: the unit it recommends as
 * must be on the parent's roster, each of its lists and fields must map onto one of the parent's,
 * and a programme cannot be its own parent. Errors name the JSON path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProgrammeInput } from '../../domain/programme';
import { loadProgramme, ProgrammeFileError } from '../../programmes/loader';

const relay = loadProgramme('national-2023-relay');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-chain-parent-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function loadVariant(name: string, change: (p: ProgrammeInput) => void) {
  const programme: ProgrammeInput = structuredClone(relay);
  change(programme);
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(programme));
  return () => loadProgramme(file);
}

describe('a parent reference', () => {
  it('national-2023-relay loads with national-2023 as its parent', () => {
    expect(relay.parent).toEqual(
      expect.objectContaining({ programme: 'national-2023', unit: 'cie', lists: {}, fields: {} }),
    );
  });

  it.each([
    [
      'a unit off the parent roster',
      'parent.unit',
      (p: ProgrammeInput) => (p.parent = { ...p.parent!, unit: 'nobody' }),
    ],
    [
      'a list the parent lacks',
      'parent.lists',
      (p: ProgrammeInput) => (p.lists = [{ ...p.lists[1], id: 'society-only' }]),
    ],
    [
      'a mapping onto a field the parent lacks',
      'parent.lists',
      (p: ProgrammeInput) => (p.parent = { ...p.parent!, fields: { electronics: 'quantum' } }),
    ],
    [
      'itself as parent',
      'parent.programme',
      (p: ProgrammeInput) => {
        p.id = 'national-2023';
        p.parent = { ...p.parent!, programme: 'national-2023' };
      },
    ],
  ])('refuses %s at %s', (name, where, change) => {
    const load = loadVariant(name.replace(/\W+/g, '-'), change);
    expect(load).toThrow(ProgrammeFileError);
    try {
      load();
    } catch (error) {
      expect((error as ProgrammeFileError).path).toBe(where);
    }
  });

  it('a mapping that renames a list onto the parent’s loads', () => {
    const load = loadVariant('renamed', (p) => {
      p.lists = [{ ...p.lists[1], id: 'society-firms' }];
      p.parent = { ...p.parent!, lists: { 'society-firms': 'emerging-enterprise' } };
    });
    expect(load().parent?.lists).toEqual({ 'society-firms': 'emerging-enterprise' });
  });
});
