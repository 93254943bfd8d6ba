import { dateYearOn, deadlineYearOn, nextProgrammeId, nextYearProgramme } from '../../domain/next-year';
import { programmeSchema } from '../../domain/programme';
import { loadProgramme } from '../../programmes/loader';

describe('next year’s programme', () => {
  it.each([
    ['service-teams-2023', 2023, 'service-teams-2024'],
    ['national-2023', 2023, 'national-2024'],
    ['my-call', 2023, 'my-call-2024'],
  ])('id %s (%i) → %s', (id, year, next) => {
    expect(nextProgrammeId(id, year)).toBe(next);
  });

  it.each([
    ['2023-03-01', '2024-03-01'],
    ['2024-02-29', '2025-02-28'],
    ['2023-12-31', '2024-12-31'],
  ])('date %s → %s', (date, next) => {
    expect(dateYearOn(date)).toBe(next);
  });

  it.each([
    // Thursday → Saturday 2024-11-30: moved to Monday, time kept.
    ['2023-11-30 24:00', '2024-12-02 24:00', true],
    // Wednesday 2024-01-31 → Friday 2025-01-31, inside the 2025 Spring Festival: after it.
    ['2024-01-31 24:00', '2025-02-05 24:00', true],
    // A working day a year on stays.
    ['2023-12-30 24:00', '2024-12-30 24:00', false],
    // The notice set it on a Saturday (2022-12-31): its style keeps the date.
    ['2022-12-31 24:00', '2023-12-31 24:00', false],
  ])('deadline %s → %s', (value, next, moved) => {
    expect(deadlineYearOn(value)).toEqual({ value: next, moved });
  });

  it('national-2023 → national-2024: names, stages, rules a year on, still a valid programme', () => {
    const source = loadProgramme('national-2023');
    const { programme, notes } = nextYearProgramme(source);
    expect(programmeSchema.parse(programme)).toEqual(programme);
    expect(programme).toMatchObject({ id: 'national-2024', year: 2024 });
    expect(programme.name.zh).toContain('2024年');
    expect(programme.stages).toEqual({
      collection: { opens: '2024-10-07 00:00', closes: '2024-12-02 24:00' },
      preliminaryReview: { due: '2024-12-30 24:00' },
      finalReview: { due: '2025-02-05 24:00' },
      publication: { on: '2025-02-28 10:00' },
      promotion: { from: '2024-10-01 00:00', until: '2025-04-30 24:00' },
    });
    expect(notes).toHaveLength(2);
    const rules = (p: typeof source) => p.lists.flatMap((l) => l.eligibility ?? []);
    expect(rules(programme).filter((r) => r.rule === 'notPriorWinner')).toEqual(
      rules(source)
        .filter((r) => r.rule === 'notPriorWinner')
        .map((r) =>
          r.rule === 'notPriorWinner' && r.years ? { ...r, years: r.years.map((y) => y + 1) } : r,
        ),
    );
    expect(programme.roster).toEqual(source.roster);
  });

  it('henan: the age limit moves with the year; a deadline the notice set on a Saturday keeps its date', () => {
    const { programme } = nextYearProgramme(loadProgramme('henan-2023'));
    const bornAfter = programme.lists.flatMap((l) => l.eligibility ?? []).find((r) => r.rule === 'bornAfter');
    expect(bornAfter).toMatchObject({ date: '1988-10-30' });
    expect(programme.stages.finalReview.due).toBe('2023-12-31 24:00');
  });
});
