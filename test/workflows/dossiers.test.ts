/**
 * A nomination to a part with an application form carries a dossier that passes it: a missing,
 * altered or mistyped one is refused with INVALID and changes nothing; a good one is stored and
 * read back in the unit state; amendments replace it (or keep it) until the close, and nothing
 * changes after.
 */
import { beijingToEpochMs } from '../../domain/calendar';
import type { Dossier } from '../../domain/dossier';
import { loadProgramme } from '../../programmes/loader';
import type { NominateRequest } from '../../workflows/messages';
import { dossierFor, enterprise } from '../support/candidates';
import { finishCycle, rejectionOf, useTimeSkippingStack } from '../support/time-skipping';

describe('dossiers on nominations', () => {
  const kit = useTimeSkippingStack();

  it('refuses a bad dossier with INVALID and no change, stores a good one, and freezes it at the close', async () => {
    const { stack } = kit;
    const api = stack.api;
    const programme = { ...loadProgramme('national-2023'), id: 'dossiers-2023' };
    const { cycleId } = await api.startCycle(programme, { startAt: beijingToEpochMs('2023-11-20 10:00') });
    const offset = (await api.status(cycleId)).clockOffsetMs;
    const good = dossierFor(programme, 'emerging-enterprise');
    let sent = 0;
    const request = (dossier?: unknown): NominateRequest => ({
      idempotencyKey: `cmes-${++sent}`,
      listId: 'emerging-enterprise',
      candidate: enterprise('新锐科技', '2018-05-01'),
      ...(dossier === undefined ? {} : { dossier: dossier as Dossier }),
    });
    const altered = {
      ...good,
      declarations: good.declarations.map((d) =>
        d.id === 'no-accident' ? { ...d, text: d.text.replace('未发生', '基本未发生') } : d,
      ),
    };
    const cases: Array<[what: string, dossier: unknown, field: string, rule: string]> = [
      ['no dossier', undefined, 'dossier', 'required'],
      [
        'a missing declaration',
        { ...good, declarations: good.declarations.filter((d) => d.id !== 'good-standing') },
        'dossier.declarations.good-standing',
        'missing-declaration',
      ],
      ['an altered declaration', altered, 'dossier.declarations.no-accident', 'altered-declaration'],
      [
        'an answer of the wrong type',
        { ...good, answers: { ...good.answers, employees: '十二' } },
        'dossier.answers.employees',
        'type',
      ],
      [
        'an unknown answer',
        { ...good, answers: { ...good.answers, motto: '创新' } },
        'dossier.answers.motto',
        'unknown-key',
      ],
      [
        'a bad credit code',
        { ...good, answers: { ...good.answers, orgCode: '91350100M000100Y44' } },
        'dossier.answers.orgCode',
        'uscc',
      ],
    ];
    for (const [what, dossier, field, rule] of cases) {
      expect([what, await rejectionOf(api.nominate(cycleId, 'cmes', request(dossier)))]).toEqual([
        what,
        expect.objectContaining({ code: 'INVALID', field, rule }),
      ]);
    }
    const untouched = await api.unitState(cycleId, 'cmes');
    expect(untouched.nominations).toEqual([]);
    expect(untouched.usage.find((u) => u.listId === 'emerging-enterprise')?.used).toBe(0);

    const accepted = await api.nominate(cycleId, 'cmes', request(good));
    expect(accepted.dossier).toEqual(good);
    expect((await api.unitState(cycleId, 'cmes')).nominations).toEqual([
      expect.objectContaining({ id: accepted.id, dossier: good }),
    ]);

    // Amending: a bad dossier is refused and the stored one stays; none given keeps it; a new one replaces it.
    const amend = (dossier?: Dossier) =>
      api.amend(cycleId, 'cmes', {
        nominationId: accepted.id,
        candidate: enterprise('新锐科技', '2018-05-01'),
        ...(dossier ? { dossier } : {}),
      });
    expect(await rejectionOf(amend(altered))).toMatchObject({ code: 'INVALID', rule: 'altered-declaration' });
    expect((await amend()).dossier).toEqual(good);
    const corrected = { ...good, answers: { ...good.answers, employees: 42 } };
    expect((await amend(corrected)).dossier).toEqual(corrected);

    await stack.sleepUntil(beijingToEpochMs('2023-12-01 00:01'), offset);
    const later = { ...good, answers: { ...good.answers, employees: 43 } };
    expect(await rejectionOf(amend(later))).toMatchObject({ code: 'COLLECTION_CLOSED' });
    expect((await api.unitState(cycleId, 'cmes')).nominations[0].dossier).toEqual(corrected);

    await finishCycle(stack, cycleId);
  });
});
