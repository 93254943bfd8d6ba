/**
 * A keyed service-teams cycle run to publication on the time-skipping stack, so that publication
 * starts one project workflow per winner: two units (cie, cmes) each win the 产业科技服务团 field
 * (half-yearly and final reports; most targets need evidence). The driver acts under the
 * secretariat's credential, which the workflows accept for every party.
 */
import { KczgClient } from '../../client/api';
import type { Programme } from '../../domain/programme';
import { programmeDeadlines } from '../../domain/timeline';
import { loadProgramme } from '../../programmes/loader';
import { dossierFor } from '../support/candidates';
import type { TestStack } from '../support/stack';
import { eventually } from '../support/time-skipping';
import { credential, keys } from './portal-kit';

export const LIST = 'service-team';
export const FIELD = 'industry-team';

export interface PublishedCycle {
  programme: Programme;
  cycleId: string;
  /** The project ids publication started, in order: cie's, then cmes's. */
  projects: string[];
  clockOffsetMs: number;
}

export async function publishServiceTeams(stack: TestStack, programmeId: string): Promise<PublishedCycle> {
  const base = loadProgramme('service-teams-2023');
  const programme: Programme = {
    ...base,
    id: programmeId,
    roster: { ...base.roster, units: base.roster.units.slice(0, 3) },
  };
  const deadlines = programmeDeadlines(programme);
  const { cycleId } = await stack.api.startCycle(programme, {
    startAt: deadlines.collectionOpensAt + 3_600_000,
    authPublicKey: keys.publicKey,
  });
  const secretariat = new KczgClient(stack.env.client, { credential: credential(cycleId, 'secretariat') });
  const { clockOffsetMs } = await secretariat.status(cycleId);
  const nominations = [];
  for (const unit of ['cie', 'cmes']) {
    nominations.push(
      await secretariat.nominate(cycleId, unit, {
        idempotencyKey: `${unit}-team`,
        listId: LIST,
        fieldId: FIELD,
        candidate: { name: `${unit} 产业科技服务团` },
        dossier: dossierFor(programme, LIST, FIELD),
      }),
    );
  }
  const ids = nominations.map((n) => n.id);
  await stack.sleepUntil(deadlines.collectionClosesAt + 60_000, clockOffsetMs);
  const field = programme.lists.find((l) => l.id === LIST)?.fields?.find((f) => f.id === FIELD);
  await secretariat.reportReview(cycleId, field?.reviewBodies?.[0] ?? '', {
    listId: LIST,
    fieldId: FIELD,
    results: ids.map((nominationId, i) => ({
      nominationId,
      rank: i + 1,
      score: 90 - i,
      verdict: 'recommended' as const,
    })),
  });
  await stack.sleepUntil(deadlines.preliminaryReviewDueAt + 60_000, clockOffsetMs);
  await secretariat.finalComplete(cycleId, {
    winners: [{ listId: LIST, fieldId: FIELD, nominationIds: ids }],
  });
  await stack.sleepUntil(deadlines.publicationAt + 60_000, clockOffsetMs);
  const projects = await eventually('projects started', async () => {
    const started = await stack.api.project.projectIds(cycleId);
    return started.length === ids.length ? started : undefined;
  });
  return { programme, cycleId, projects, clockOffsetMs };
}
