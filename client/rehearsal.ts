/**
 * `kczg rehearse`: a programme's whole year on the time-skipping server, in about a minute.
 * Synthetic units and nominations (some ineligible, some over quota), the real reminder plan
 * over the loopback SMTP outbox, one review body that never reports, final review and real
 * publication. Everything it leaves (published lists, .eml outbox, audit) lands in `outDir`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { formatBeijing } from '../domain/calendar';
import type { AttachmentRef } from '../domain/dossier';
import { formFor } from '../domain/forms';
import { sampleDossier } from '../domain/forms-sample';
import type { Candidate, Form, Programme, Unit } from '../domain/programme';
import { fundedParts } from '../domain/funding';
import { combinedQuota, quotaPartsOf } from '../domain/quota';
import { programmeDeadlines, type Deadlines } from '../domain/timeline';
import { listOutbox } from '../mail/outbox';
import { startStack } from '../servers/stack';
import type { Log } from '../servers/provision';
import { forEachConcurrently } from '../activities/cycle-reader';
import type { AttachmentStore } from '../storage/attachments';
import { KczgClient, RejectionError } from './api';
import { auditToCsv } from './audit';
import { generateAttachmentPdf, rehearsalAttachmentStore } from './rehearsal-attachments';
import {
  bundleYear,
  bundlesFirst,
  bundlesLast,
  cycleBundles,
  FiledKeys,
  renderBundleYear,
  type BundleYearReport,
} from './rehearsal-bundles';
import { runExpertReview } from './rehearsal-review';
import { runTrackingYear, storedEvidence, type TrackingYearReport } from './rehearsal-tracking';
import { exportDossiers } from './dossier-export';
import type { AuditEntry, FinalWinnersEntry } from '../workflows/messages';
import { writePublicSnapshot } from '../portal/snapshot';

/**
 * The attachments of one synthetic dossier. By default (storedPdfs) a small generated PDF per
 * required slot, stored through the attachment store like any upload.
 */
export type RehearsalAttachments = (
  form: Form,
  nomination: { unitId: string; listId: string; fieldId?: string; serial: number },
) => Promise<AttachmentRef[]>;

export interface RehearsalOptions {
  programme: Programme;
  nominations: number;
  outDir: string;
  log: Log;
  attachments?: RehearsalAttachments;
}

export interface RehearsalReport {
  programmeId: string;
  accepted: number;
  rejected: Record<string, number>;
  escalated: string[];
  winners: number;
  messages: number;
  outDir: string;
  publishedDir: string;
  stage: string;
  wallSeconds: number;
  timeline: AuditEntry[];
  /** The year after publication, for lists with deliverables. */
  tracking: TrackingYearReport;
  /** Linked applications (Henan 试点市): which bundles won with which sub-projects. */
  bundles: BundleYearReport;
}

/** How many nominations the unit may hold over all lists (per-channel quotas included). */
function unitCapacity(programme: Programme, unit: Unit): number {
  return programme.lists
    .flatMap((list) => quotaPartsOf(programme, list.id))
    .reduce((n, part) => n + combinedQuota(programme, unit, part.listId, part.fieldId), 0);
}

/** Enough synthetic units, spread over the channels, to hold `wanted` nominations within quota. */
function rehearsalRoster(programme: Programme, wanted: number): Unit[] {
  const units = [...programme.roster.units];
  const capacities = programme.channels.map((c) =>
    unitCapacity(programme, { id: 'probe', name: 'probe', channels: [c.id], email: 'probe@example.org' }),
  );
  const perUnit = Math.max(1, capacities.reduce((a, b) => a + b, 0) / capacities.length);
  const needed = Math.ceil((wanted * 1.1) / perUnit);
  for (let i = units.length; i < needed; i++) {
    const channel = programme.channels[i % programme.channels.length].id;
    units.push({
      id: `synthetic-${String(i).padStart(4, '0')}`,
      name: `演练单位 ${i} (synthetic)`,
      channels: [channel],
      email: `unit${i}@units.example.org`,
    });
  }
  return units;
}

/** A candidate that meets the usual rules of the list, or breaks one when `ineligible`. */
function syntheticCandidate(
  programme: Programme,
  listId: string,
  serial: number,
  ineligible: boolean,
): Candidate {
  const list = programme.lists.find((l) => l.id === listId);
  const name = `${list?.name.zh ?? listId} 候选 ${serial}`;
  const orgType = list?.eligibility.find((r) => r.rule === 'orgTypeIn');
  const focus = list?.eligibility.find((r) => r.rule === 'focusFieldIn');
  const category = list?.eligibility.find((r) => r.rule === 'categoryIn');
  // A list closed to pilot cities (Henan 试点市) needs a city that is not one.
  const notPilot = list?.eligibility.some((r) => r.rule === 'notPilotCity');
  return {
    name,
    identity: `SYN-${programme.year}-${serial}`,
    region: 'mainland',
    city: notPilot ? '演练市' : programme.pilotCities[0],
    foundedOn: ineligible ? `${programme.year - 30}-01-01` : `${programme.year - 3}-06-01`,
    birthDate: ineligible ? '1960-01-01' : `${programme.year - 30}-01-01`,
    enterpriseFoundedOn: `${programme.year - 2}-03-01`,
    orgType: orgType && 'values' in orgType ? orgType.values[0] : undefined,
    focusFields: focus && 'values' in focus ? [focus.values[0]] : undefined,
    category: category && 'values' in category ? category.values[0] : undefined,
    classified: ineligible,
    standing: 'good',
    certified: !ineligible,
  };
}

/** One real PDF per required slot (every preset's required slots take PDF), stored and referenced. */
function storedPdfs(store: AttachmentStore): RehearsalAttachments {
  return async (form, { unitId, listId, fieldId, serial }) => {
    const refs = [];
    for (const slot of form.attachments.filter((a) => a.required)) {
      const title = `Rehearsal dossier ${serial}: ${slot.id}`;
      const bytes = await generateAttachmentPdf(title, [
        `unit ${unitId}`,
        `part ${listId}/${fieldId ?? '-'}`,
      ]);
      refs.push((await store.put({ bytes, name: `${slot.id}-${serial}.pdf`, slot: slot.id })).ref);
    }
    return refs;
  };
}

/** The running rehearsal: its client, cycle and programme clock. */
interface Run {
  api: KczgClient;
  cycleId: string;
  programme: Programme;
  sleepUntil(at: number): Promise<void>;
  log: Log;
  attachments: RehearsalAttachments;
  /** The rehearsal's output folder: score sheets and dossiers land beside the published lists. */
  outDir: string;
}

/**
 * Nominations: each unit fills its parts up to its channels' quotas (a list-wide quota spread over
 * the list's fields); every 20th breaks a rule, every unit tries one over quota.
 */
async function nominateAll(
  run: Run,
  wanted: number,
): Promise<{ accepted: number; rejected: Record<string, number> }> {
  const { api, cycleId, programme } = run;
  const attempts: Array<{ unit: Unit; listId: string; fieldId?: string; serial: number }> = [];
  let serial = 0;
  const parts = programme.lists.flatMap((list) => quotaPartsOf(programme, list.id));
  for (const unit of programme.roster.units) {
    for (const part of parts) {
      const list = programme.lists.find((l) => l.id === part.listId);
      const fields = list?.fields ?? [];
      const quota = combinedQuota(programme, unit, part.listId, part.fieldId);
      const extra = part === parts[0] ? 1 : 0;
      for (let i = 0; i < quota + extra && serial < wanted; i++) {
        const fieldId = part.fieldId ?? fields[serial % Math.max(fields.length, 1)]?.id;
        attempts.push({ unit, listId: part.listId, fieldId, serial: ++serial });
      }
    }
  }
  run.log(`提交 ${attempts.length} 项推荐 / submitting ${attempts.length} nominations…`);
  const rejected: Record<string, number> = {};
  let accepted = 0;
  const filed = new FiledKeys();
  const nominate = async ({ unit, listId, fieldId, serial: n }: (typeof attempts)[number]) => {
    try {
      const list = programme.lists.find((l) => l.id === listId);
      const form = list && formFor(list, fieldId);
      const attachments =
        form && (await run.attachments(form, { unitId: unit.id, listId, fieldId, serial: n }));
      const dossier = form && sampleDossier(form, { n, attachments });
      const key = `rehearsal-${n}`;
      await api.nominate(cycleId, unit.id, {
        idempotencyKey: key,
        listId,
        ...(fieldId ? { fieldId } : {}),
        candidate: syntheticCandidate(programme, listId, n, n % 20 === 0),
        ...(dossier
          ? {
              dossier: {
                ...dossier,
                answers: { ...dossier.answers, ...filed.coApplicationAnswers(programme, unit.id, listId) },
              },
            }
          : {}),
      });
      filed.add(unit.id, listId, key);
      accepted++;
    } catch (error) {
      if (!(error instanceof RejectionError)) throw error;
      rejected[error.rejection.code] = (rejected[error.rejection.code] ?? 0) + 1;
    }
  };
  // A bundle names its co-applications, so they are filed first.
  for (const batch of bundlesLast(programme, attempts)) await forEachConcurrently(batch, 16, nominate);
  run.log(
    `接受 ${accepted} 项，拒绝 ${JSON.stringify(rejected)} / accepted ${accepted}, rejected ${JSON.stringify(rejected)}`,
  );
  return { accepted, rejected };
}

/** Preliminary review: every body but the last runs its expert review and confirms its shortlist; returns those that did. */
async function reviewAllButOne(run: Run, deadlines: Deadlines): Promise<string[]> {
  const { api, cycleId } = run;
  await run.sleepUntil(deadlines.collectionClosesAt + 60_000);
  const status = await api.status(cycleId);
  const bodies = [
    ...new Set(status.parts.flatMap((p) => (p.nominations > 0 ? p.reviewBodies.map((b) => b.bodyId) : []))),
  ];
  // The silent body is one that reviews no funded list when there is one, so funded lists reach winners.
  const funded = new Set(fundedParts(run.programme).map((f) => f.listId));
  const reviewsFunded = (bodyId: string) =>
    status.parts.some((p) => funded.has(p.listId) && p.reviewBodies.some((b) => b.bodyId === bodyId));
  const silent = [...bodies].reverse().find((b) => !reviewsFunded(b)) ?? bodies[bodies.length - 1];
  await run.sleepUntil(deadlines.preliminaryReviewDueAt - 86_400_000);
  const reporting = bodies.filter((b) => b !== silent);
  await runExpertReview(api, cycleId, reporting, run.outDir);
  run.log(
    `初评：${bodies.length - 1} 个机构按时报送，${silent ?? '-'} 未报送 / preliminary review: one body silent`,
  );
  return reporting;
}

/**
 * Final review: up to ten of each shortlist, within the slots of every funded list or field; a
 * field with two bodies (2022 绿色低碳) has one shortlist.
 */
async function finalReview(run: Run, bodies: string[]): Promise<BundleYearReport> {
  const { api, cycleId } = run;
  const winners = new Map<string, FinalWinnersEntry>();
  for (const bodyId of bodies) {
    for (const part of (await api.reviewState(cycleId, bodyId)).parts) {
      const key = `${part.listId}/${part.fieldId ?? ''}`;
      const entry = winners.get(key) ?? {
        listId: part.listId,
        ...(part.fieldId ? { fieldId: part.fieldId } : {}),
        nominationIds: [],
      };
      const shortlist = (part.results ?? [])
        .filter((r) => r.verdict === 'recommended')
        .map((r) => r.nominationId);
      entry.nominationIds = [...new Set([...entry.nominationIds, ...shortlist])].slice(0, 10);
      if (entry.nominationIds.length > 0) winners.set(key, entry);
    }
  }
  const bundles = await cycleBundles(api, cycleId, run.programme);
  const selection = bundlesFirst(run.programme, bundles, [...winners.values()]);
  await api.finalComplete(cycleId, { winners: selection });
  return bundleYear(bundles, selection);
}

export async function rehearse(options: RehearsalOptions): Promise<RehearsalReport> {
  const started = Date.now();
  const { log } = options;
  const outDir = path.resolve(options.outDir);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const programme: Programme = {
    ...options.programme,
    roster: { sample: true, units: rehearsalRoster(options.programme, options.nominations) },
  };
  const deadlines = programmeDeadlines(programme);

  log(`启动嵌入式环境 / starting the embedded stack (time-skipping Temporal server, loopback SMTP, worker)…`);
  const stack = await startStack({ mode: 'time-skipping', dataDir: outDir, log });
  const api = new KczgClient(stack.env.client);
  try {
    return await stack.withWorker(async () => {
      const { cycleId } = await api.startCycle(programme, {
        startAt: deadlines.collectionOpensAt,
        outDir: path.join(outDir, 'published'),
      });
      const offset = (await api.status(cycleId)).clockOffsetMs;
      const attachmentStore = rehearsalAttachmentStore(stack.storage);
      const run: Run = {
        api,
        cycleId,
        programme,
        log,
        attachments: options.attachments ?? storedPdfs(attachmentStore),
        outDir,
        async sleepUntil(at) {
          const remaining = at - ((await stack.env.currentTimeMs()) + offset);
          if (remaining > 0) await stack.env.sleep(remaining);
        },
      };
      log(`周期已开始 / cycle ${cycleId} started; ${programme.roster.units.length} 个推荐单位 / units`);
      await run.sleepUntil(
        deadlines.collectionOpensAt + (deadlines.collectionClosesAt - deadlines.collectionOpensAt) / 2,
      );
      const { accepted, rejected } = await nominateAll(run, options.nominations);
      const reported = await reviewAllButOne(run, deadlines);
      await run.sleepUntil(deadlines.preliminaryReviewDueAt + 60_000);
      const bundles = await finalReview(run, reported);
      for (const line of renderBundleYear(bundles)) log(line);
      await run.sleepUntil(deadlines.publicationAt + 60_000);
      // Before promotion ends: the tracking year's first reports fall due within it.
      const tracking = await runTrackingYear(api, cycleId, outDir, {
        sleepUntil: run.sleepUntil,
        evidence: storedEvidence(attachmentStore),
      });
      await run.sleepUntil(deadlines.promotionUntil + 60_000);
      const final = await api.status(cycleId);
      const audit = await api.audit(cycleId);
      fs.writeFileSync(path.join(outDir, 'audit.json'), `${JSON.stringify(audit, null, 2)}\n`);
      fs.writeFileSync(path.join(outDir, 'audit.csv'), auditToCsv(audit));
      await exportDossiers({
        source: api.reader,
        store: attachmentStore,
        cycleId,
        scope: { kind: 'secretariat' },
        reader: 'secretariat',
        outDir: path.join(outDir, 'dossiers'),
      });
      await writePublicSnapshot({
        api,
        files: stack.storage.files,
        programme,
        cycleId,
        dir: path.join(outDir, 'site'),
      });
      return {
        programmeId: programme.id,
        accepted,
        rejected,
        escalated: final.escalated,
        winners: final.published?.winners ?? 0,
        messages: (await listOutbox(stack.outboxDir)).length,
        outDir,
        publishedDir: final.published?.outDir ?? '',
        stage: final.stage,
        wallSeconds: Math.round((Date.now() - started) / 100) / 10,
        timeline: audit,
        tracking,
        bundles,
      };
    });
  } finally {
    await stack.shutdown();
  }
}

export function renderTimeline(report: RehearsalReport): string {
  const lines = report.timeline.map((e) => `  ${formatBeijing(e.at)}  ${e.action.padEnd(14)} ${e.detail}`);
  return [
    `演练完成 / rehearsal of ${report.programmeId} finished in ${report.wallSeconds} s (stage: ${report.stage})`,
    '时间线（北京时间）/ timeline (Beijing time):',
    ...lines,
    `推荐：接受 ${report.accepted}，拒绝 ${
      Object.entries(report.rejected)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '0'
    }`,
    `入选 / winners: ${report.winners}; 邮件 / messages: ${report.messages}; 升级 / escalated: ${report.escalated.join(', ') || '-'}`,
    ...(report.tracking.projects > 0
      ? [
          `任务跟踪 / tracking: ${report.tracking.projects} 个项目，${report.tracking.reports} 份报告；${Object.entries(
            report.tracking.outcomes,
          )
            .map(([outcome, n]) => `${outcome} ${n}`)
            .join('，')} → ${report.tracking.dir}`,
        ]
      : []),
    ...renderBundleYear(report.bundles),
    `输出 / outputs: ${report.outDir} (published/, dossiers/, score-sheets/, outbox/, audit.json, audit.csv, site/index.html)`,
  ].join('\n');
}
