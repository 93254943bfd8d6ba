/**
 * A chain through `kczg` on the dev server: the national call runs (national-2023 cut to three
 * units and 先导技术榜's electronics field, started four minutes before its close), `kczg chain
 * open` starts the society's own call for 中国电子学会 from the relay template with the society's
 * members as its roster (a minute before its own close), the members apply, the society's panel
 * reviews, its selection forwards the winners, `kczg chain status` shows them accepted in the
 * national cycle, and there, after the national close, the national review body reviews them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadProgramme } from '../../programmes/loader';
import { dossierFile, tech } from '../support/candidates';
import { nominateArgs, startCycleArgs, type Json } from '../support/cli';
import { eventually } from '../support/eventually';
import { liveStack } from '../support/live-stack';

const NATIONAL = 'e2e-chain-national';
const PART = 'pioneer-tech/electronics';
const suite = liveStack('kczg-chain-');
const kczg = (args: string[]) => suite.cli.run(args);
const ok = (args: string[]) => suite.cli.ok(args);

const writeJson = (name: string, value: unknown) => suite.writeJson(name, value);

/** A preset cut to pioneer-tech/electronics. */
function electronicsOnly(id: string) {
  const programme = structuredClone(loadProgramme(id));
  programme.lists = programme.lists.filter((l) => l.id === 'pioneer-tech');
  programme.lists[0].fields = programme.lists[0].fields?.filter((f) => f.id === 'electronics');
  return programme;
}

function nationalFile(): string {
  const programme = electronicsOnly('national-2023');
  programme.id = NATIONAL;
  programme.roster.units = programme.roster.units.filter((u) => ['cie', 'cmes', 'csae'].includes(u.id));
  return writeJson(`${NATIONAL}.json`, programme);
}

function relayTemplate(): string {
  const programme = electronicsOnly('national-2023-relay');
  programme.id = 'e2e-chain-relay';
  programme.parent = { ...programme.parent!, programme: NATIONAL };
  return writeJson('e2e-chain-relay.json', programme);
}

function membersRoster(): string {
  const file = path.join(suite.dir, 'members.csv');
  fs.writeFileSync(
    file,
    [
      '单位编号,单位名称,推荐渠道,电子邮箱',
      'm-chips,某芯片研究院,related-unit,chips@members.example.org',
      'm-radio,某通信公司,related-unit,radio@members.example.org',
    ].join('\n'),
  );
  return file;
}

describe('a society’s call feeding the national call, through kczg (dev server)', () => {
  const child = { cycleId: '', programme: '', nominations: [] as string[], forwarded: [] as string[] };

  it('opens the society’s call under the running national call; a unit off the roster is refused', async () => {
    await ok(startCycleArgs(NATIONAL, nationalFile(), '2023-11-30 23:56'));
    const stranger = await kczg([
      'chain',
      'open',
      NATIONAL,
      '--unit',
      'nobody',
      '--template',
      relayTemplate(),
    ]);
    expect(stranger).toMatchObject({ code: 2, json: { error: { code: 'UNKNOWN_UNIT' } } });

    const opened = await ok([
      'chain',
      'open',
      NATIONAL,
      '--unit',
      'cie',
      '--template',
      path.join(suite.dir, 'e2e-chain-relay.json'),
      '--roster',
      membersRoster(),
      '--start-at',
      '2023-11-20 23:59',
    ]);
    expect(opened).toMatchObject({ started: true, unitId: 'cie', programmeId: 'e2e-chain-relay-cie' });
    child.cycleId = opened.cycleId;
    child.programme = opened.programmeId;
    const up = await eventually('the national call knows its child', async () => {
      const status = await ok(['chain', 'status', NATIONAL]);
      return status.children.length === 1 ? status : undefined;
    });
    expect(up.children[0]).toMatchObject({ cycleId: child.cycleId, unitId: 'cie' });
  }, 120_000);

  it('members apply, the society reviews and selects, its winners arrive in the national cycle', async () => {
    const relay = path.join(suite.dir, 'e2e-chain-relay.json');
    for (const [i, unit] of ['m-chips', 'm-radio'].entries()) {
      const candidate = writeJson(`candidate-${i}.json`, tech(`学会择优技术${i + 1}`));
      const dossier = dossierFile(
        suite.dir,
        `dossier-${i}`,
        loadProgramme(relay),
        'pioneer-tech',
        'electronics',
      );
      const nominated = await ok([
        ...nominateArgs(child.programme, unit, PART, candidate, `m${i}`),
        '--dossier',
        dossier,
      ]);
      child.nominations.push(nominated.id);
    }
    await eventually(
      'the society’s hand-over to its panel',
      async () =>
        (await kczg(['review', 'status', child.programme, '--body', 'society-experts'])).code === 0
          ? true
          : undefined,
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    const results = child.nominations.map((nominationId, i) => ({
      nominationId,
      rank: i + 1,
      score: 90 - i,
      verdict: 'recommended',
    }));
    await ok([
      'review',
      'complete',
      child.programme,
      '--body',
      'society-experts',
      '--list',
      'pioneer-tech',
      '--field',
      'electronics',
      '--results',
      writeJson('society-results.json', results),
    ]);
    await eventually('the society’s selection', async () =>
      (await ok(['cycle', 'status', child.programme])).stage === 'final-review' ? true : undefined,
    );
    await ok([
      'final',
      'complete',
      child.programme,
      '--results',
      writeJson('society-winners.json', {
        winners: [{ listId: 'pioneer-tech', fieldId: 'electronics', nominationIds: child.nominations }],
      }),
    ]);

    const forwarded = await eventually('the forwarding', async () => {
      const status = await ok(['chain', 'status', child.programme]);
      return status.forwardedAt ? status : undefined;
    });
    expect(forwarded.forwardedAt).toMatch(/\+08:00$/);
    expect(forwarded.refused).toEqual([]);
    expect(forwarded.accepted.map((f: Json) => f.nominationId)).toEqual(child.nominations);
    child.forwarded = forwarded.accepted.map((f: Json) => f.parentNominationId);

    const society = await ok(['nominate', 'status', NATIONAL, '--unit', 'cie']);
    expect(society.nominations.map((n: Json) => n.id)).toEqual(child.forwarded);
    const text = await suite.cli.run(['chain', 'status', NATIONAL], { text: true });
    expect(text.stdout).toContain(`${child.cycleId}（cie）`);
    expect(text.stdout).toContain('接受 2 / accepted, 被拒 0 / refused');
  }, 180_000);

  it('the national review body reviews the forwarded nominations after the national close', async () => {
    const BODY = 'info-tech-consortium';
    const handedOver = await eventually(
      'the national hand-over',
      async () => {
        const result = await kczg(['review', 'status', NATIONAL, '--body', BODY]);
        return result.code === 0 ? result.json : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 2_000 },
    );
    expect(handedOver.parts[0].nominationIds).toEqual(child.forwarded);
    await ok([
      'review',
      'complete',
      NATIONAL,
      '--body',
      BODY,
      '--list',
      'pioneer-tech',
      '--field',
      'electronics',
      '--results',
      writeJson(
        'national-results.json',
        child.forwarded.map((nominationId, i) => ({
          nominationId,
          rank: i + 1,
          score: 88 - i,
          verdict: i === 0 ? 'recommended' : 'not-recommended',
        })),
      ),
    ]);
    const reviewed = await eventually('the national review’s report', async () => {
      const status = await ok(['cycle', 'status', NATIONAL]);
      return status.stage === 'final-review' ? status : undefined;
    });
    expect(reviewed.parts[0]).toMatchObject({ nominations: 2 });
    expect(reviewed.parts[0].reviewBodies[0]).toMatchObject({ bodyId: BODY, shortlisted: 1 });
  }, 300_000);
});
