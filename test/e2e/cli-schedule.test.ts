/**
 * Years recur, through `kczg` on the dev server: `schedule open-next` creates the Schedule that
 * opens a programme's next year (dates a year on; a second call leaves the first), `schedule
 * trigger` fires it now (Temporal's handle.trigger(), instead of waiting for the date), the
 * Schedule's workflow starts next year's cycle under its own id, and that cycle refuses the
 * earlier year's winner from the registry in storage while it accepts another enterprise.
 * `schedule list` and `schedule delete` close the loop; the opened cycle outlives its Schedule.
 *
 * The programme is national-2023 cut to two units; the 2023 winner is recorded in the registry as
 * publication records it (the full-cycle e2e publishes a real list before its next year).
 */
import fs from 'node:fs';
import path from 'node:path';
import { WinnersRegistry } from '../../activities/registry';
import { loadProgramme } from '../../programmes/loader';
import { dossierFile, enterprise } from '../support/candidates';
import { nominateArgs } from '../support/cli';
import { eventually } from '../support/eventually';
import { liveStack } from '../support/live-stack';

const PROGRAMME = 'e2e-sched-2023';
const NEXT_YEAR = 'e2e-sched-2024';
const suite = liveStack('kczg-schedule-');
const kczg = (args: string[]) => suite.cli.run(args);
const ok = (args: string[]) => suite.cli.ok(args);

function programmeFile(): string {
  const programme = structuredClone(loadProgramme('national-2023'));
  programme.id = PROGRAMME;
  programme.roster.units = programme.roster.units.filter((u) => ['cie', 'csae'].includes(u.id));
  const file = path.join(suite.dir, `${PROGRAMME}.json`);
  fs.writeFileSync(file, JSON.stringify(programme, null, 2));
  return file;
}

describe('kczg schedule: next year opened by a Temporal Schedule', () => {
  let file = '';
  beforeAll(async () => {
    file = programmeFile();
    await new WinnersRegistry(suite.stack.storage.winners).record([
      {
        year: 2023,
        programmeId: PROGRAMME,
        listId: 'emerging-enterprise',
        name: '新锐科技',
        identity: 'USCC-新锐科技',
        source: `published/${PROGRAMME}`,
      },
    ]);
  });

  it('open-next creates one Schedule with the next year’s dates; creating it again leaves it', async () => {
    const args = [
      'schedule',
      'open-next',
      PROGRAMME,
      '--programme-file',
      file,
      '--at',
      '2030-01-02 09:00',
      '--start-at',
      '2024-11-01 09:00',
    ];
    const first = await ok(args);
    expect(first).toMatchObject({
      created: true,
      programmeId: NEXT_YEAR,
      cycleId: `kczg:${NEXT_YEAR}`,
      from: PROGRAMME,
      at: '2030-01-02T09:00:00+08:00',
      stages: {
        collection: { opens: '2024-10-07 00:00', closes: '2024-12-02 24:00' },
        finalReview: { due: '2025-02-05 24:00' },
      },
    });
    expect(first.notes.join('\n')).toContain('顺延至工作日');
    const again = await ok(args);
    expect(again).toMatchObject({ created: false, scheduleId: first.scheduleId, actions: 0 });
    const listed = await eventually('the Schedule listed', async () => {
      const all = await ok(['schedule', 'list']);
      return all.length > 0 ? all : undefined;
    });
    expect(listed).toEqual([expect.objectContaining({ programmeId: NEXT_YEAR, from: PROGRAMME })]);
  });

  it('trigger opens the year now: the cycle refuses the 2023 winner and accepts another enterprise', async () => {
    const triggered = await ok(['schedule', 'trigger', NEXT_YEAR]);
    expect(triggered.programmeId).toBe(NEXT_YEAR);
    const status = await eventually(
      'next year’s cycle',
      async () => {
        const result = await kczg(['cycle', 'status', NEXT_YEAR]);
        return result.code === 0 && result.json.stage === 'collection' ? result.json : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(status.cycleId).toBe(`kczg:${NEXT_YEAR}`);
    const dossier = dossierFile(
      suite.dir,
      'enterprise-dossier',
      loadProgramme('national-2023'),
      'emerging-enterprise',
    );
    const nominate = (name: string, key: string) => {
      fs.writeFileSync(path.join(suite.dir, `${key}.json`), JSON.stringify(enterprise(name, '2015-06-01')));
      return kczg([
        ...nominateArgs(NEXT_YEAR, 'csae', 'emerging-enterprise', path.join(suite.dir, `${key}.json`), key),
        '--dossier',
        dossier,
      ]);
    };
    const winner = await nominate('新锐科技', 'csae-2024-1');
    expect(winner).toMatchObject({
      code: 2,
      json: { error: { code: 'NOT_ELIGIBLE', rule: 'notPriorWinner', field: 'candidate.identity' } },
    });
    expect(winner.json.error.message).toContain('2023');
    expect(await nominate('新创科技', 'csae-2024-2')).toMatchObject({
      code: 0,
      json: { unitId: 'csae', listId: 'emerging-enterprise' },
    });
  });

  it('delete removes the Schedule; the opened cycle stays', async () => {
    const fired = await ok(['schedule', 'list']);
    expect(fired[0].actions).toBeGreaterThanOrEqual(1);
    expect(await ok(['schedule', 'delete', NEXT_YEAR])).toEqual({
      scheduleId: `kczg:open:${NEXT_YEAR}`,
      deleted: true,
    });
    await eventually('the Schedule gone', async () =>
      (await ok(['schedule', 'list'])).length === 0 ? true : undefined,
    );
    expect(await kczg(['schedule', 'trigger', NEXT_YEAR])).toMatchObject({
      code: 2,
      json: { error: { code: 'INVALID', rule: 'schedule' } },
    });
    expect((await ok(['cycle', 'status', NEXT_YEAR])).stage).toBe('collection');
    expect((await kczg(['cycle', 'cancel', NEXT_YEAR, '--reason', '测试结束'])).code).toBe(0);
  });
});
