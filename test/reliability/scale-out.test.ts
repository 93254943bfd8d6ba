/**
 * Issue 14, "Done when": two `kczg worker` processes with separate, empty data folders share a
 * national-2023 cycle on a Temporal server on PostgreSQL, with kczg's records in PostgreSQL and
 * its files in versitygw (S3); 2,000 nominations arrive; workers are SIGKILLed mid-intake, at the
 * close and during the publication. Every acknowledged nomination is held once, every due notice
 * delivered once (by Message-ID at the SMTP outbox), the published lists are read back through
 * another worker's configuration, and a prior winner is refused the next year. The drill itself
 * is support/scale-out.ts; scale-out-embedded.test.ts runs it on the embedded defaults.
 */
import { ScaleOutRun, useScaleOutDrill } from './support/scale-out';

describe('2 workers on Temporal-on-PostgreSQL, PostgreSQL records and S3 files share a cycle through SIGKILLs (issue 14)', () => {
  const { drill, workers } = useScaleOutDrill('servers', 2);

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
