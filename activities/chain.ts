/**
 * Forwarding a child cycle's winners to its parent (domain/chain.ts): each winner becomes a
 * nomination of the child's unit in the parent, through the typed client, so the parent's
 * quota, eligibility and deadline apply as to any unit's submission. Keys derive from the child
 * cycle and the nomination: a retried activity forwards nothing twice. Dossiers travel as they
 * are (attachment references, not copies). The parent's refusals come back as outcomes and are
 * mailed to the child's secretariat, once per cycle (the mail ledger's business key).
 */
import type { Client } from '@temporalio/client';
import { KczgClient, RejectionError } from '../client/api';
import { issueCredential } from '../client/credentials';
import { forwardingKey, parentPartOf } from '../domain/chain';
import { noticeKey } from '../domain/mail-ids';
import type { ChainParent, ReviewBody } from '../domain/programme';
import { cycleStatusQuery, type FinalWinnersEntry, type ForwardOutcome } from '../workflows/messages';
import type { NoticeRequest } from '../workflows/notices';
import { chainRefusalsMail } from './chain-mail';
import { CycleReader } from './cycle-reader';
import type { MailActivities } from './mail';

export interface ChainDeps {
  client: Client;
  mail: Pick<MailActivities, 'sendMail'>;
  /** The secretariat's private key: signs the unit's credential when the parent is keyed. */
  privateKey?: string;
}

export interface ForwardInput {
  childCycleId: string;
  parentCycleId: string;
  parent: ChainParent;
  winners: FinalWinnersEntry[];
}

export interface ChainRefusalsInput {
  childCycleId: string;
  parentCycleId: string;
  programme: NoticeRequest['programme'];
  secretariat: ReviewBody;
  refused: ForwardOutcome[];
  issuedAt: number;
}

/** How long the credential signed for one forwarding run is valid. */
const FORWARDING_CREDENTIAL_MS = 3_600_000;

/** The forwarding alone: what a test or a re-run needs without mail. */
export function createForwarding(deps: Omit<ChainDeps, 'mail'>) {
  const reader = new CycleReader(deps.client);

  /** The unit's credential on a keyed parent (on the parent's programme clock), when a key is at hand. */
  async function credentialFor(input: ForwardInput): Promise<string | undefined> {
    const setup = await reader.setup(input.parentCycleId);
    if (!setup.authPublicKey || !deps.privateKey) return undefined;
    const { clockOffsetMs } = await deps.client.workflow
      .getHandle(input.parentCycleId)
      .query(cycleStatusQuery);
    return issueCredential({
      privateKey: deps.privateKey,
      cycle: input.parentCycleId,
      party: { kind: 'unit', id: input.parent.unit },
      validForMs: FORWARDING_CREDENTIAL_MS,
      now: Date.now() + clockOffsetMs,
    });
  }

  async function forwardToParent(input: ForwardInput): Promise<ForwardOutcome[]> {
    const nominations = new Map((await reader.nominations(input.childCycleId)).map((n) => [n.id, n]));
    const credential = await credentialFor(input);
    const api = new KczgClient(deps.client, credential ? { credential } : {});
    const outcomes: ForwardOutcome[] = [];
    for (const entry of input.winners) {
      const target = parentPartOf(input.parent, entry.listId, entry.fieldId);
      for (const nominationId of entry.nominationIds) {
        const idempotencyKey = forwardingKey(input.childCycleId, nominationId);
        const common = {
          nominationId,
          idempotencyKey,
          listId: entry.listId,
          ...(entry.fieldId !== undefined ? { fieldId: entry.fieldId } : {}),
          parentListId: target.listId,
          ...(target.fieldId !== undefined ? { parentFieldId: target.fieldId } : {}),
        };
        const nomination = nominations.get(nominationId);
        if (!nomination) {
          const message = `本周期中没有推荐 ${nominationId} / no nomination ${nominationId} in ${input.childCycleId}`;
          outcomes.push({ ...common, outcome: 'refused', refusal: { code: 'UNKNOWN_NOMINATION', message } });
          continue;
        }
        try {
          const accepted = await api.nominate(input.parentCycleId, input.parent.unit, {
            idempotencyKey,
            ...target,
            candidate: nomination.candidate,
            ...(nomination.dossier ? { dossier: nomination.dossier } : {}),
          });
          outcomes.push({ ...common, outcome: 'accepted', parentNominationId: accepted.id });
        } catch (error) {
          if (!(error instanceof RejectionError)) throw error;
          const { code, message, field, rule, fix } = error.rejection;
          outcomes.push({ ...common, outcome: 'refused', refusal: { code, message, field, rule, fix } });
        }
      }
    }
    return outcomes;
  }

  return { forwardToParent };
}

export function createChainActivities(deps: ChainDeps) {
  async function mailChainRefusals(input: ChainRefusalsInput): Promise<void> {
    await deps.mail.sendMail({
      businessKey: noticeKey(input.childCycleId, { kind: 'secretariat' }, 'chain-refusals'),
      to: input.secretariat.contacts.map((c) => ({
        name: `${input.secretariat.name.zh} ${c.name}`,
        email: c.email,
      })),
      rendered: chainRefusalsMail({
        secretariat: input.secretariat.name.zh,
        programme: input.programme.name,
        parentCycleId: input.parentCycleId,
        refused: input.refused,
        issuedAt: input.issuedAt,
      }),
    });
  }

  return { ...createForwarding(deps), mailChainRefusals };
}
