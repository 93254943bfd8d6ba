/**
 * Issue 14: the scale-out drill (support/scale-out.ts) with one worker on the embedded defaults —
 * the Temporal CLI dev server, PGlite and the data folder — so the default path passes the same
 * drill as the servers (scale-out.test.ts). A file of its own, so Jest runs both side by side: the
 * drill mostly waits for programme time.
 */
import { describeScaleOutDrill } from './support/scale-out';

describeScaleOutDrill('embedded', 1);
