/**
 * A candidate that the reference data cannot decide (a city missing from the partial pilot-city
 * and 创新驱动示范市 lists) is accepted and flagged for reviewers in the unit's state, with the
 * rule and the notice's sentence; a city the lists name is not flagged.
 */
import { beijingToEpochMs } from '../../domain/calendar';
import type { Candidate } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';
import { useTimeSkippingStack } from '../support/time-skipping';
import { dossierFor } from '../support/candidates';

const org = (name: string, city: string): Candidate => ({
  name,
  orgType: '新型研发机构',
  focusFields: ['装备制造'],
  foundedOn: '2020-01-01',
  city,
});

describe('review flags in the unit state', () => {
  const kit = useTimeSkippingStack();

  it('flags a city missing from a partial list and leaves a listed city unflagged', async () => {
    const api = kit.stack.api;
    const programme = loadProgramme('national-2023');
    const { cycleId } = await api.startCycle(programme, { startAt: beijingToEpochMs('2023-11-20 10:00') });
    const flagged = await api.nominate(cycleId, 'cie', {
      idempotencyKey: 'org-ningbo',
      listId: 'integrated-innovation-org',
      candidate: org('宁波某研究院', '宁波市'),
      dossier: dossierFor(programme, 'integrated-innovation-org'),
    });
    const listed = await api.nominate(cycleId, 'cie', {
      idempotencyKey: 'org-baoding',
      listId: 'integrated-innovation-org',
      candidate: org('保定某研究院', '保定市'),
      dossier: dossierFor(programme, 'integrated-innovation-org'),
    });

    const state = await api.unitState(cycleId, 'cie');
    expect(state.nominations.map((n) => n.id).sort()).toEqual([flagged.id, listed.id].sort());
    expect(state.needsReview).toHaveLength(1);
    expect(state.needsReview[0].nominationId).toBe(flagged.id);
    expect(state.needsReview[0].flags[0]).toMatchObject({
      rule: 'pilotCityMember',
      fact: 'city',
      source: { seed: expect.stringMatching(/^001/) },
    });
  });
});
