/**
 * `kczg nominate --dossier` as a unit runs it against the dev server: without a dossier, or with
 * an altered declaration, the nomination is refused (exit 2, INVALID, the dossier field) and
 * nothing is stored; with the dossier its form asks for it is accepted and shown by `nominate
 * status`; `nominate amend --dossier` replaces it; `--dossier-template` prints what to fill in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadProgramme } from '../../programmes/loader';
import { startCycleArgs } from '../support/cli';
import { dossierFile, dossierFor, enterprise } from '../support/candidates';
import { liveStack } from '../support/live-stack';

const PROGRAMME = 'dossier-cli-2023';
const suite = liveStack('kczg-dossier-cli-');
const kczg = (args: string[]) => suite.cli.run(args);

describe('kczg nominate --dossier', () => {
  const programme = { ...loadProgramme('national-2023'), id: PROGRAMME };
  const part = ['--unit', 'cmes', '--list', 'emerging-enterprise'];
  const nominate = (key: string, ...extra: string[]) =>
    kczg([
      'nominate',
      PROGRAMME,
      ...part,
      '--candidate',
      path.join(suite.dir, 'c.json'),
      '--key',
      key,
      ...extra,
    ]);

  beforeAll(async () => {
    const programmeFile = path.join(suite.dir, `${PROGRAMME}.json`);
    fs.writeFileSync(programmeFile, JSON.stringify(programme));
    fs.writeFileSync(path.join(suite.dir, 'c.json'), JSON.stringify(enterprise('新锐科技', '2018-05-01')));
    expect((await kczg(startCycleArgs(PROGRAMME, programmeFile, '2023-11-20 10:00'))).code).toBe(0);
  });

  it('refuses a missing or altered dossier, accepts and shows a good one, and amends it', async () => {
    const good = dossierFor(programme, 'emerging-enterprise');
    const altered = path.join(suite.dir, 'altered.json');
    fs.writeFileSync(
      altered,
      JSON.stringify({
        ...good,
        declarations: [{ ...good.declarations[0], text: '大致如此' }, ...good.declarations.slice(1)],
      }),
    );
    const refusals = [await nominate('cmes-1'), await nominate('cmes-2', '--dossier', altered)];
    expect(
      refusals.map((r) => [r.code, r.json?.error?.code, r.json?.error?.field, r.json?.error?.rule]),
    ).toEqual([
      [2, 'INVALID', 'dossier', 'required'],
      [2, 'INVALID', `dossier.declarations.${good.declarations[0].id}`, 'altered-declaration'],
    ]);
    expect((await kczg(['nominate', 'status', PROGRAMME, '--unit', 'cmes'])).json.nominations).toEqual([]);

    const accepted = await nominate(
      'cmes-3',
      '--dossier',
      dossierFile(suite.dir, 'good', programme, 'emerging-enterprise'),
    );
    expect(accepted).toMatchObject({ code: 0, json: { dossier: good } });
    const status = await kczg(['nominate', 'status', PROGRAMME, '--unit', 'cmes']);
    expect(status.json.nominations).toEqual([
      expect.objectContaining({ id: accepted.json.id, dossier: good }),
    ]);

    const corrected = { ...good, answers: { ...good.answers, employees: 42 } };
    const correctedFile = path.join(suite.dir, 'corrected.json');
    fs.writeFileSync(correctedFile, JSON.stringify(corrected));
    const amended = await kczg([
      'nominate',
      'amend',
      PROGRAMME,
      '--unit',
      'cmes',
      '--nomination',
      accepted.json.id,
      '--candidate',
      path.join(suite.dir, 'c.json'),
      '--dossier',
      correctedFile,
    ]);
    expect(amended).toMatchObject({ code: 0, json: { dossier: corrected } });
  });

  it('prints the dossier template of a list: its answers and its declarations word for word', async () => {
    const printed = await kczg([
      'nominate',
      PROGRAMME,
      '--list',
      'emerging-enterprise',
      '--dossier-template',
    ]);
    expect(printed.code).toBe(0);
    const { declarations, answers, attachments } = dossierFor(programme, 'emerging-enterprise');
    expect(printed.json).toEqual({ answers, declarations, attachments: [] });
    expect(attachments.length).toBeGreaterThan(0);
  });
});
