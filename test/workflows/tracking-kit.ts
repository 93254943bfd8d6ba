/**
 * One keyed service-team project (产业科技服务团) on the time-skipping stack, started at its
 * publication as the cycle would start it, for the tracking tests: the project's clock offset,
 * its typed client as any party, its mail keys and a skip to a programme instant.
 */
import { KczgClient } from '../../client/api';
import { generateAuthKeyPair, issueCredential } from '../../client/credentials';
import type { Party } from '../../domain/credentials';
import type { ReportedFigure } from '../../domain/deliverables';
import type { AttachmentRef } from '../../domain/dossier';
import { noticeKey, projectMailId } from '../../domain/mail-ids';
import type { Programme } from '../../domain/programme';
import { projectWorkflowId } from '../../workflows/ids';
import { projectInputs } from '../../workflows/project/start';
import { useTimeSkippingStack } from '../support/time-skipping';

const DAY = 24 * 3_600_000;

/** Every target of 产业科技服务团 at its notice's threshold (transfers short of 5). */
export const FULL_FIGURES = {
  'achievements-evaluated': 52,
  'problems-analysed': 31,
  'transfers-contracted': 3,
  'innovation-organisations': 1,
  cases: 2,
  'press-reports': 2,
};

export function figuresWith(evidence: AttachmentRef[]) {
  return (values: Record<string, number>): ReportedFigure[] =>
    Object.entries(values).map(([target, value]) => ({ target, value, evidence }));
}

export function useTrackedProject(options: {
  programme: Programme;
  cycleId: string;
  projectId: string;
  ownerId: string;
  publishedAt: number;
}) {
  const { programme, cycleId, projectId, ownerId, publishedAt } = options;
  const kit = useTimeSkippingStack();
  const keys = generateAuthKeyPair();
  let offset = 0;
  const as = (party: Party) =>
    new KczgClient(kit.stack.env.client, {
      credential: issueCredential({
        privateKey: keys.privateKey,
        cycle: cycleId,
        party,
        validForMs: 3_650 * DAY,
      }),
    }).project;

  beforeAll(async () => {
    offset = publishedAt - (await kit.stack.env.currentTimeMs());
    const [input] = projectInputs({
      cycleId,
      programme,
      winners: [{ listId: 'service-team', fieldId: 'industry-team', nominationIds: [projectId] }],
      publishedAt,
      clockOffsetMs: offset,
      authPublicKey: keys.publicKey,
    });
    await kit.stack.env.client.workflow.start('projectWorkflow', {
      workflowId: projectWorkflowId(cycleId, projectId),
      taskQueue: kit.stack.api.taskQueue,
      args: [input],
    });
  });

  return {
    kit,
    as,
    /** Programme time minus the server's, set once the project runs. */
    offset: () => offset,
    skipTo: (at: number) => kit.stack.sleepUntil(at, offset),
    unitMail: (id: string) => noticeKey(cycleId, { kind: 'unit', id: ownerId }, projectMailId(projectId, id)),
    secretariatMail: (id: string) =>
      noticeKey(cycleId, { kind: 'secretariat' }, projectMailId(projectId, id)),
  };
}
