/**
 * Issue 14, "Done when": two `kczg worker` processes with separate, empty data folders share a
 * national-2023 cycle on a Temporal server on PostgreSQL, with kczg's records in PostgreSQL and
 * its files in versitygw (S3); 2,000 nominations arrive; workers are SIGKILLed mid-intake, at the
 * close and during the publication. Every acknowledged nomination is held once, every due notice
 * delivered once (by Message-ID at the SMTP outbox), the published lists are read back through
 * another worker's configuration, and a prior winner is refused the next year. The drill itself
 * is support/scale-out.ts; scale-out-embedded.test.ts runs it on the embedded defaults.
 */
import { describeScaleOutDrill } from './support/scale-out';

describeScaleOutDrill('servers', 2);
