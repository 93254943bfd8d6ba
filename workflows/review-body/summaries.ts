/**
 * A review body reads its nominations' summaries itself when the hand-over could not carry them
 * (ReviewBodyInput.summariesToFetch: a payload is limited to 2 MB, about 10,000 summaries), page by
 * page of whole units, each page well inside an activity result's limit.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { summaryPages } from '../../domain/assignment';
import type { ReviewPartState } from '../messages';
import { ENTITY_WORK } from '../activity-options';
import type { ExpertPanel } from './experts';

const { nominationSummaries } = proxyActivities<ReturnType<typeof createActivities>>(ENTITY_WORK);

/** About 400 KB of summaries per page. */
const NOMINATIONS_PER_PAGE = 2_000;

export async function readSummaries(
  cycleId: string,
  parts: ReviewPartState[],
  panel: ExpertPanel,
): Promise<void> {
  const pages = summaryPages(
    parts.flatMap((p) => p.nominationIds),
    NOMINATIONS_PER_PAGE,
  );
  panel.summariesPending = pages.reduce((n, page) => n + page.nominationIds.length, 0);
  for (const page of pages) {
    panel.addSummaries(await nominationSummaries({ cycleId, ...page }));
    panel.summariesPending -= page.nominationIds.length;
  }
}
