/**
 * Every activity the workflows call, built from their dependencies (the samples' factory style):
 * tests and the worker pass real ones (a loopback SMTP server, a temp folder, a real client).
 */
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { CycleReader } from './cycle-reader';
import { createConfirmationActivities } from './confirmations';
import { createEntityActivities } from './entities';
import { allHeartbeating } from './heartbeat';
import { createMailActivities, type MailDeps } from './mail';
import { createNoticeActivities } from './notify';
import { createPublishActivities } from './publish';
import { WinnersRegistry } from './registry';

export interface ActivityDeps {
  client: Client;
  taskQueue: string;
  mail: MailDeps;
  registry: WinnersRegistry;
  /** Default folder for published lists. */
  outDir: string;
  /** Link shown in e-mails (platform address). */
  url?: string;
}

export function createActivities(deps: ActivityDeps) {
  const notices = createNoticeActivities({
    mail: createMailActivities(deps.mail),
    client: deps.client,
    url: deps.url,
    undeliverableDir: join(deps.mail.ledgerDir, 'undeliverable'),
  });
  const entities = createEntityActivities({
    client: deps.client,
    taskQueue: deps.taskQueue,
    notices,
    priorWinners: (_programmeId, year) => deps.registry.priorTo(year),
  });
  const publication = createPublishActivities({
    reader: new CycleReader(deps.client),
    registry: deps.registry,
    outDir: deps.outDir,
  });
  // `undeliverable` is for the confirming activity, not an activity itself.
  const confirmations = createConfirmationActivities({ client: deps.client, notices });
  return {
    sendNotice: notices.sendNotice,
    ...allHeartbeating({ ...entities, ...confirmations, ...publication }),
  };
}
