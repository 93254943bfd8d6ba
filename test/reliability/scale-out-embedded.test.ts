/**
 * Issue 14: the scale-out drill (support/scale-out.ts) with one worker on the embedded defaults —
 * the Temporal CLI dev server, PGlite and the data folder — so the default path passes the same
 * drill as the servers (scale-out.test.ts). A file of its own, so Jest runs both side by side: the
 * drill mostly waits for programme time.
 */
import { ScaleOutRun, useScaleOutDrill } from './support/scale-out';

describe('1 worker on the embedded defaults runs the same drill through SIGKILLs (issue 14)', () => {
  const { drill, workers } = useScaleOutDrill('embedded', 1);

  it('holds every acknowledged nomination once, delivers every due notice once, publishes where another worker reads it, and refuses a prior winner the next year', async () => {
    const run = await ScaleOutRun.start(drill, workers);
    const intake = await run.intakeWithKill();
    expect(intake.outcomes.filter((o) => o.acknowledged === undefined)).toEqual([]);
    await run.closeWithKill();
    const winners = await run.review();
    expect(winners.length).toBeGreaterThan(0);
    await run.publicationWithKill(winners);
    const nextCycle = await run.nextYear(winners);
    await run.expectMailOnce(nextCycle);
    run.report(intake);
    drill.passed();
  }, 900_000);
});
