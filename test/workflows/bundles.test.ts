/**
 * Linked applications through the workflows on the time-skipping server, Henan's 试点市: a bundle
 * without its co-applications, naming another unit's, or claiming one another bundle holds is
 * refused and nothing changes; a part cannot be withdrawn (nor after its bundle has won); the
 * final selection may not pick a winning bundle's part again; publication shows the bundle with
 * its sub-projects, a losing bundle's parts win on their own, and every project is funded once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Programme } from '../../domain/programme';
import { programmeDeadlines } from '../../domain/timeline';
import { loadProgramme } from '../../programmes/loader';
import { runImport } from '../../client/import';
import { dossierFor } from '../support/candidates';
import type { TestStack } from '../support/stack';
import { finishCycle, rejectionOf, useTimeSkippingStack } from '../support/time-skipping';

/** Henan, with room for two 试点市 per city so that two bundles of one unit can compete for a part. */
const preset = loadProgramme('henan-2023');
const henan: Programme = {
  ...preset,
  lists: preset.lists.map((l) =>
    l.id === 'pilot-city' && l.quota ? { ...l, quota: { ...l.quota, perChannel: { 'city-cast': 2 } } } : l,
  ),
};

const PLATFORM = { listId: 'collaborative-platform', fieldId: 'base-incubation' };

describe('linked applications: Henan 试点市 and its sub-projects', () => {
  const kit = useTimeSkippingStack({ runWorker: false });
  let stack: TestStack;
  let outDir: string;
  beforeAll(() => {
    stack = kit.stack;
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-bundles-'));
  });
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('checks links on filing, keeps parts with their bundle, decides the bundle first', async () => {
    await stack.withWorker(async () => {
      const { api } = stack;
      const deadlines = programmeDeadlines(henan);
      const { cycleId } = await api.startCycle(henan, {
        startAt: deadlines.collectionOpensAt + 3_600_000,
        outDir,
      });
      const offset = (await api.status(cycleId)).clockOffsetMs;
      const nominate = (
        unitId: string,
        key: string,
        part: { listId: string; fieldId?: string },
        answers: Record<string, string> = {},
      ) => {
        const dossier = dossierFor(henan, part.listId, part.fieldId);
        return api.nominate(cycleId, unitId, {
          idempotencyKey: key,
          ...part,
          candidate: { name: `${unitId} ${key}`, city: unitId === 'zhengzhou-cast' ? '郑州市' : '洛阳市' },
          dossier: { ...dossier, answers: { ...dossier.answers, ...answers } },
        });
      };
      const links = (ocop: string, hsl: string, platform: string) => ({
        coOneCityOneProduct: ocop,
        coHundredSocieties: hsl,
        coCollaborativePlatform: platform,
      });

      const zzOcopA = await nominate('zhengzhou-cast', 'zz-ocop-a', { listId: 'one-city-one-product' });
      const zzOcopB = await nominate('zhengzhou-cast', 'zz-ocop-b', { listId: 'one-city-one-product' });
      const zzHsl = await nominate('zhengzhou-cast', 'zz-hsl', { listId: 'hundred-societies' });
      const zzPlatform = await nominate('zhengzhou-cast', 'zz-platform', PLATFORM);
      const lyOcop = await nominate('luoyang-cast', 'ly-ocop', { listId: 'one-city-one-product' });
      const lyHsl = await nominate('luoyang-cast', 'ly-hsl', { listId: 'hundred-societies' });
      const lyPlatform = await nominate('luoyang-cast', 'ly-platform', PLATFORM);

      const pilot = { listId: 'pilot-city' };
      const refused = [
        {
          call: () => nominate('zhengzhou-cast', 'zz-pilot-bad-0', pilot, links('', 'zz-hsl', 'zz-platform')),
          expected: { code: 'INVALID', field: 'dossier.answers.coOneCityOneProduct', rule: 'required' },
        },
        {
          call: () =>
            nominate(
              'zhengzhou-cast',
              'zz-pilot-bad-1',
              pilot,
              links('zz-ocop-never-filed', 'zz-hsl', 'zz-platform'),
            ),
          expected: { code: 'BUNDLE_INCOMPLETE', field: 'dossier.answers.coOneCityOneProduct' },
        },
        {
          call: () =>
            nominate('zhengzhou-cast', 'zz-pilot-bad-2', pilot, links('zz-ocop-b', lyHsl.id, 'zz-platform')),
          expected: {
            code: 'NOT_ALLOWED',
            field: 'dossier.answers.coHundredSocieties',
            rule: 'own-co-applications',
          },
        },
        {
          call: () =>
            nominate('zhengzhou-cast', 'zz-pilot-bad-3', pilot, links('zz-hsl', 'zz-hsl', 'zz-platform')),
          expected: { code: 'BUNDLE_INCOMPLETE', field: 'dossier.answers.coOneCityOneProduct' },
        },
      ];
      for (const { call, expected } of refused) expect(await rejectionOf(call())).toMatchObject(expected);

      // The applicant with two 一市一品 names the second for its bundle, by the key it was filed under.
      const zzBundle = await nominate(
        'zhengzhou-cast',
        'zz-pilot',
        pilot,
        links('zz-ocop-b', 'zz-hsl', zzPlatform.id),
      );
      expect(
        await rejectionOf(
          nominate('zhengzhou-cast', 'zz-pilot-2', pilot, links('zz-ocop-a', 'zz-hsl', 'zz-platform')),
        ),
      ).toMatchObject({ code: 'BUNDLE_CONFLICT', field: 'dossier.answers.coHundredSocieties' });
      const lyBundle = await nominate(
        'luoyang-cast',
        'ly-pilot',
        pilot,
        links('ly-ocop', 'ly-hsl', 'ly-platform'),
      );

      // A sheet import whose bundle row comes first: it is sent once the rows it names are in.
      const row = (n: number, key: string, part: { listId: string; fieldId?: string }, answers = {}) => {
        const dossier = dossierFor(henan, part.listId, part.fieldId);
        const request = {
          idempotencyKey: key,
          ...part,
          candidate: { name: `济源 ${key}`, city: '济源市' },
          dossier: { ...dossier, answers: { ...dossier.answers, ...answers } },
        };
        const linked = part.listId === 'pilot-city' ? { linked: true as const } : {};
        return { row: n, key, ok: true as const, keySource: 'column' as const, request, ...linked };
      };
      const sheet = await runImport(
        [
          row(2, 'jy-pilot', pilot, links('jy-ocop', 'jy-hsl', 'jy-platform')),
          row(3, 'jy-ocop', { listId: 'one-city-one-product' }),
          row(4, 'jy-hsl', { listId: 'hundred-societies' }),
          row(5, 'jy-platform', PLATFORM),
        ],
        { nominate: (request) => api.nominate(cycleId, 'jiyuan-cast', request) },
      );
      expect(sheet).toMatchObject({ accepted: 4, rejected: 0 });

      expect(await rejectionOf(api.withdraw(cycleId, 'zhengzhou-cast', zzOcopB.id))).toMatchObject({
        code: 'BUNDLE_PART',
        field: 'nominationId',
      });
      const zzState = await api.unitState(cycleId, 'zhengzhou-cast');
      expect(zzState.nominations.map((n) => n.idempotencyKey)).toEqual([
        'zz-ocop-a',
        'zz-ocop-b',
        'zz-hsl',
        'zz-platform',
        'zz-pilot',
      ]);
      // Partial pilot-city list: the city is flagged for reviewers, not refused.
      expect(zzState.needsReview).toEqual([
        {
          nominationId: zzBundle.id,
          flags: [expect.objectContaining({ rule: 'notPilotCity', fact: 'city' })],
        },
      ]);

      await stack.sleepUntil(deadlines.collectionClosesAt + 60_000, offset);
      const recommend = (ids: string[]) =>
        ids.map((nominationId, i) => ({ nominationId, rank: i + 1, verdict: 'recommended' as const }));
      const report = (listId: string, ids: string[], fieldId?: string) =>
        api.reportReview(cycleId, 'hast-industry', {
          listId,
          ...(fieldId ? { fieldId } : {}),
          results: recommend(ids),
        });
      await report('pilot-city', [zzBundle.id, lyBundle.id]);
      await report('one-city-one-product', [zzOcopB.id, lyOcop.id, zzOcopA.id]);
      await report('hundred-societies', [zzHsl.id, lyHsl.id]);
      await report(PLATFORM.listId, [zzPlatform.id, lyPlatform.id], PLATFORM.fieldId);
      await stack.sleepUntil(deadlines.preliminaryReviewDueAt + 60_000, offset);
      expect((await api.status(cycleId)).stage).toBe('final-review');

      const twice = await rejectionOf(
        api.finalComplete(cycleId, {
          winners: [
            { listId: 'pilot-city', nominationIds: [zzBundle.id] },
            { listId: 'one-city-one-product', nominationIds: [lyOcop.id, zzOcopB.id] },
          ],
        }),
      );
      expect(twice).toMatchObject({
        code: 'BUNDLE_CONFLICT',
        field: 'winners[1].nominationIds[1]',
        rule: 'sub-project-of-winner',
      });
      expect((await api.audit(cycleId)).filter((e) => e.action === 'final-results')).toEqual([]);

      await api.finalComplete(cycleId, {
        winners: [
          { listId: 'pilot-city', nominationIds: [zzBundle.id] },
          // The winner's other 一市一品 and the losing bundle's parts compete on their own.
          { listId: 'one-city-one-product', nominationIds: [lyOcop.id, zzOcopA.id] },
          { listId: 'hundred-societies', nominationIds: [lyHsl.id] },
          { ...PLATFORM, nominationIds: [lyPlatform.id] },
        ],
      });
      expect(await rejectionOf(api.withdraw(cycleId, 'zhengzhou-cast', zzHsl.id))).toMatchObject({
        code: 'BUNDLE_PART',
      });

      await stack.sleepUntil(deadlines.publicationAt + 60_000, offset);
      expect((await api.status(cycleId)).published?.winners).toBe(5);
      const rows = (listId: string) =>
        (
          JSON.parse(fs.readFileSync(path.join(outDir, `${listId}.json`), 'utf8')) as {
            rows: Array<Record<string, unknown>>;
          }
        ).rows;
      const [bundleRow] = rows('pilot-city');
      expect(bundleRow?.推荐编号).toBe(zzBundle.id);
      for (const part of [zzOcopB, zzHsl, zzPlatform]) expect(bundleRow?.子项目).toContain(part.id);
      expect(rows('one-city-one-product').map((r) => r.推荐编号)).toEqual([lyOcop.id, zzOcopA.id]);

      const funding = JSON.parse(fs.readFileSync(path.join(outDir, 'funding.json'), 'utf8')) as {
        awards: Array<{ nominationId: string; subProjects?: string[] }>;
        totalCny: number;
      };
      const funded = funding.awards.flatMap((a) => [a.nominationId, ...(a.subProjects ?? [])]);
      expect(new Set(funded).size).toBe(funded.length);
      expect(funding.awards.find((a) => a.nominationId === zzBundle.id)?.subProjects).toEqual([
        zzOcopB.id,
        zzHsl.id,
        zzPlatform.id,
      ]);
      expect(funding.totalCny).toBe(500_000 + 2 * 200_000 + 50_000 + 50_000);
      await finishCycle(stack, cycleId);
    });
  });
});
