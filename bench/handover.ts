/**
 * The close of collection and the hand-over to review, watched through the cycle's status: from
 * the close to the stage reading preliminary-review, and to every accepted nomination being with
 * a review body. Used by intake (each kczg round closes its cycle) and by scale (at 50,000).
 */
import type { KczgClient } from '../client/api';
import { sleep, summarise, type LatencySummary } from './stats';

export interface HandOverWatch {
  /** Seconds from the close to the stage reading preliminary-review. */
  toReviewStageSeconds?: number;
  /** Seconds from the close to every nomination counted in a review part. */
  seconds?: number;
  handedOver: number;
  /** Nominations handed over per second (handedOver ÷ seconds). */
  perSecond?: number;
  /** Status answers that showed the hand-over running (fanOut), and that showed review with no nominations and no progress. */
  progressSeen: number;
  emptyReviewSeen: number;
  statusQuery: LatencySummary & { errors: number };
}

/**
 * Polls the status every `everyMs` from `closeAt` (real time; the close takes effect then) until
 * `expected` nominations are handed over, or `capMs` has passed.
 */
export async function watchHandOver(
  api: KczgClient,
  cycleId: string,
  expected: number,
  closeAt: number,
  options: { everyMs?: number; capMs?: number } = {},
): Promise<HandOverWatch> {
  const latencies: number[] = [];
  let errors = 0;
  let reviewStageAt: number | undefined;
  let handOverAt: number | undefined;
  let handedOver = 0;
  let progressSeen = 0;
  let emptyReviewSeen = 0;
  const giveUpAt = closeAt + (options.capMs ?? 15 * 60_000);
  while (Date.now() < giveUpAt) {
    const sent = performance.now();
    try {
      const status = await api.status(cycleId);
      latencies.push(performance.now() - sent);
      const inReview = status.stage !== 'collection' && status.stage !== 'collection-pending';
      if (inReview) reviewStageAt ??= Date.now();
      handedOver = status.parts.reduce((n, p) => n + p.nominations, 0);
      if (status.fanOut) progressSeen++;
      else if (inReview && handedOver === 0) emptyReviewSeen++;
      if (inReview && handedOver >= expected && !status.fanOut) {
        handOverAt = Date.now();
        break;
      }
    } catch {
      errors++;
    }
    await sleep(options.everyMs ?? 250);
  }
  const seconds = handOverAt === undefined ? undefined : Math.max(0.001, (handOverAt - closeAt) / 1000);
  return {
    toReviewStageSeconds: reviewStageAt === undefined ? undefined : (reviewStageAt - closeAt) / 1000,
    seconds,
    handedOver,
    perSecond: seconds === undefined ? undefined : handedOver / seconds,
    progressSeen,
    emptyReviewSeen,
    statusQuery: { ...summarise(latencies), errors },
  };
}

/**
 * Brings the collection deadline forward to `leadMs` from now (kczg's extend update, as the
 * secretariat would); returns when the close takes effect (real time): the extend returns once
 * every unit has been told, and the close falls at the new deadline, not before.
 */
export async function closeCollectionSoon(
  api: KczgClient,
  cycleId: string,
  clockOffsetMs: number,
  leadMs = 10_000,
): Promise<{ closeAt: number; extendSeconds: number }> {
  const until = Date.now() + clockOffsetMs + leadMs;
  const sent = performance.now();
  await api.extend(cycleId, {
    scope: { kind: 'stage', stage: 'collection' },
    until,
    reason: '基准测试：提前截止 / benchmark: close now',
  });
  return {
    closeAt: Math.max(Date.now(), until - clockOffsetMs),
    extendSeconds: (performance.now() - sent) / 1000,
  };
}
