import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readWinnersFile, WinnersRegistry } from '../../activities/registry';
import { openStorage } from '../../storage';
import { openRecords, type OpenRecords } from '../../storage/records';
import { WinnersStore } from '../../storage/winners';

describe('winners registry', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-registry-'));
  let records: OpenRecords;

  beforeAll(async () => {
    records = await openRecords({ backend: 'pglite' });
  }, 60_000);
  afterAll(async () => {
    await records?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports an earlier year from a CSV with Chinese headings, and records each row once', async () => {
    const csv = path.join(dir, '2021.csv');
    fs.writeFileSync(
      csv,
      '\uFEFF年份,方案,榜单,领域,名称,统一社会信用代码\r\n2021,national-2021,pioneer-tech,electronics,"量子芯片, 二代",TECH-1\r\n2021,national-2021,emerging-enterprise,,新锐科技,\r\n',
    );
    const entries = await readWinnersFile(csv);
    expect(entries).toEqual([
      {
        year: 2021,
        programmeId: 'national-2021',
        listId: 'pioneer-tech',
        fieldId: 'electronics',
        name: '量子芯片, 二代',
        identity: 'TECH-1',
        source: 'import:2021.csv#2',
      },
      {
        year: 2021,
        programmeId: 'national-2021',
        listId: 'emerging-enterprise',
        name: '新锐科技',
        source: 'import:2021.csv#3',
      },
    ]);
    const registry = new WinnersRegistry(new WinnersStore(records.db));
    expect(await registry.record(entries)).toBe(2);
    expect(await registry.record(entries)).toBe(0);
    expect(await registry.priorTo(2022)).toHaveLength(2);
    expect(await registry.priorTo(2021)).toHaveLength(0);
  });

  it("`kczg registry import --data-dir` (the old winners.json path) records into that folder's storage", async () => {
    const dataDir = path.join(dir, 'data');
    const entries = [
      { year: 2020, programmeId: 'p', listId: 'l', name: '旧榜单', source: 'import:old.csv#2' },
    ];
    expect(await new WinnersRegistry(path.join(dataDir, 'registry', 'winners.json')).record(entries)).toBe(1);
    expect(fs.existsSync(path.join(dataDir, 'registry', 'winners.json'))).toBe(false);
    const storage = await openStorage({ dataDir, env: {} });
    try {
      expect(await storage.winners.list()).toEqual(entries);
    } finally {
      await storage.close();
    }
  }, 60_000);

  it('names the row of a winner without a list', async () => {
    const csv = path.join(dir, 'bad.csv');
    fs.writeFileSync(csv, 'year,listId,name\n2021,,无榜单\n');
    await expect(readWinnersFile(csv)).rejects.toThrow('row 2');
  });
});
