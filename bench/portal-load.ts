/**
 * The portal under intake: kczg's portal built in-process (portal/server.ts) on its own client
 * connection to the bench's dev server, listening on loopback, and one reader asking a unit's main
 * page over real HTTP — the API (GET /api/v1/cycles/:programme/units/:unit) and the page
 * (/u/:programme/:unit) in turn — with a unit's bearer credential, while the nominations flow.
 * The cycle runs without a key of its own; the portal verifies with a key pair made for the run.
 */
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { KczgClient } from '../client/api';
import { generateAuthKeyPair, issueCredential } from '../client/credentials';
import { parseParty, type Party } from '../domain/credentials';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../portal/config';
import { buildPortal } from '../portal/server';
import { sleep, summarise, type LatencySummary } from './stats';

export interface PortalReads {
  api: LatencySummary;
  page: LatencySummary;
  /** Answers other than 200, and transport errors. */
  errors: number;
}

/** Starts the portal and the reader; stop() ends both and returns the latencies. */
export async function startPortalReads(
  client: Client,
  cycleId: string,
  programmeId: string,
  unitId: string,
  everyMs = 100,
): Promise<{ stop(): Promise<PortalReads> }> {
  const keys = generateAuthKeyPair();
  const app = await buildPortal({
    api: new KczgClient(client),
    config: {
      secret: 'bench-portal-secret-0123456789abcdef0123456789',
      secureCookies: false,
      authPublicKey: keys.publicKey,
      sessionIdleMs: SESSION_IDLE_MS,
      sessionAbsoluteMs: SESSION_ABSOLUTE_MS,
      signInPerMinute: 20,
      requestsPerMinute: 1_000_000,
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const token = issueCredential({
    privateKey: keys.privateKey,
    cycle: cycleId,
    party: parseParty(`unit:${unitId}`) as Party,
    validForMs: 24 * 3_600_000,
    now: Date.now(),
  });
  const headers = { authorization: `Bearer ${token}` };
  const latencies = { api: [] as number[], page: [] as number[] };
  let errors = 0;
  let stopped = false;
  const get = async (which: 'api' | 'page', url: string) => {
    const sent = performance.now();
    try {
      const answer = await fetch(url, { headers });
      await answer.arrayBuffer();
      if (answer.status === 200) latencies[which].push(performance.now() - sent);
      else errors++;
    } catch {
      errors++;
    }
  };
  const reader = (async () => {
    while (!stopped) {
      await get('api', `${base}/api/v1/cycles/${programmeId}/units/${unitId}`);
      await sleep(everyMs);
      await get('page', `${base}/u/${programmeId}/${unitId}`);
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await reader;
      await app.close();
      return { api: summarise(latencies.api), page: summarise(latencies.page), errors };
    },
  };
}
