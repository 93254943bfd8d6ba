/**
 * Long activities heartbeat on a clock while they run (activities/heartbeat.ts), so the cycle can
 * give them a 10-second heartbeat timeout: a killed worker's broadcast is retried within seconds.
 * Runs the wrapper in the SDK's activity environment, which records each heartbeat.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { heartbeating } from '../../activities/heartbeat';

describe('heartbeating activities', () => {
  it('heartbeats while a long activity runs, and returns its result', async () => {
    const env = new MockActivityEnvironment();
    let heartbeats = 0;
    let firstHeartbeat!: () => void;
    const heartbeatSeen = new Promise<void>((resolve) => (firstHeartbeat = resolve));
    env.on('heartbeat', () => {
      heartbeats++;
      firstHeartbeat();
    });
    // Does no heartbeating of its own: it finishes only once the wrapper has heartbeaten for it.
    const broadcast = heartbeating(async (units: string[]) => {
      await heartbeatSeen;
      return units.length;
    });
    await expect(env.run(broadcast, ['cie', 'buaa-cast'])).resolves.toBe(2);
    expect(heartbeats).toBeGreaterThanOrEqual(1);
  });
});
