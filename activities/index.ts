/**
 * Every activity the workflows call, built from their dependencies (the samples' factory style):
 * tests and the worker pass real ones (a loopback SMTP server, storage opened once per process,
 * a real client).
 */
import type { Client } from '@temporalio/client';
import type { Storage } from '../storage';
import { createChainActivities } from './chain';
import { CycleReader } from './cycle-reader';
import { createConfirmationActivities } from './confirmations';
import { createEntityActivities } from './entities';
import { allHeartbeating } from './heartbeat';
import { createMailActivities, type MailConfig } from './mail';
import { createNoticeActivities } from './notify';
import { createPublishActivities } from './publish';
import type { SignInLinkConfig } from './sign-in-links';
import { WinnersRegistry } from './registry';

export interface ActivityDeps {
  client: Client;
  taskQueue: string;
  mail: MailConfig;
  /** Records (mail ledger, failures, winners) and files (published lists). */
  storage: Pick<Storage, 'ledger' | 'winners' | 'files'>;
  /** Link shown in e-mails (platform address). */
  url?: string;
  /** Sign-in links into the portal in e-mails (KCZG_PORTAL_URL and the secretariat's key). */
  signInLinks?: SignInLinkConfig;
  /** Review bodies get their summaries inline up to this size, else read them (entities-review.ts). */
  inlineSummaryBytes?: number;
}

export function createActivities(deps: ActivityDeps) {
  const registry = new WinnersRegistry(deps.storage.winners);
  const notices = createNoticeActivities({
    mail: createMailActivities({ ...deps.mail, ledger: deps.storage.ledger }),
    client: deps.client,
    url: deps.url,
    signInLinks: deps.signInLinks,
    failures: deps.storage.ledger,
  });
  const entities = createEntityActivities({
    client: deps.client,
    taskQueue: deps.taskQueue,
    notices,
    ...(deps.inlineSummaryBytes === undefined ? {} : { inlineSummaryBytes: deps.inlineSummaryBytes }),
    priorWinners: (_programmeId, year) => registry.priorTo(year),
  });
  const publication = createPublishActivities({
    reader: new CycleReader(deps.client),
    registry,
    files: deps.storage.files,
  });
  // `undeliverable` is for the confirming activity, not an activity itself.
  const confirmations = createConfirmationActivities({ client: deps.client, notices });
  const chain = createChainActivities({
    client: deps.client,
    mail: createMailActivities({ ...deps.mail, ledger: deps.storage.ledger }),
    privateKey: deps.signInLinks?.privateKey,
  });
  return {
    sendNotice: notices.sendNotice,
    ...allHeartbeating({ ...entities, ...confirmations, ...publication, ...chain }),
  };
}
