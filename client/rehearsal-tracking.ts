/**
 * The rehearsal's tracking year: every project publication started reports against its targets,
 * in four groups (by project order): on time and complete; late (after the overdue notice and the
 * secretariat's escalation) and one target short; rejected with a reason, then resubmitted; and one
 * target short but reduced by the secretariat ("可适当抵减"). The secretariat verifies every
 * report and records acceptance; the outcomes land in `<outDir>/tracking/`.
 */
import path from 'node:path';
import { deliverablesOf, type AcceptanceOutcome, type ReportedFigure } from '../domain/deliverables';
import type { AttachmentRef } from '../domain/dossier';
import type { Programme, Target } from '../domain/programme';
import { projectSchedule } from '../domain/schedule-tracking';
import type { ProjectState } from '../workflows/project/messages';
import type { AttachmentStore } from '../storage/attachments';
import type { KczgClient } from './api';
import { progressRows, writeProgress } from './project-export';
import { generateAttachmentPdf } from './rehearsal-attachments';

export interface TrackingYearOptions {
  /** Lets programme time pass until `at` (the rehearsal's time-skipping clock). */
  sleepUntil(at: number): Promise<void>;
  /** Stored evidence for one figure (the rehearsal stores a generated PDF). */
  evidence(projectId: string, targetId: string): Promise<AttachmentRef[]>;
}

export interface TrackingYearReport {
  projects: number;
  reports: number;
  outcomes: Record<AcceptanceOutcome, number>;
  dir: string;
}

/** Evidence as the rehearsal's dossiers have it: a small generated PDF, stored like any upload. */
export function storedEvidence(store: AttachmentStore): TrackingYearOptions['evidence'] {
  return async (projectId, targetId) => {
    const bytes = await generateAttachmentPdf(`Evidence ${projectId}: ${targetId}`, [`project ${projectId}`]);
    return [(await store.put({ bytes, name: `${targetId}.pdf`, slot: 'evidence' })).ref];
  };
}

type Group = 'on-time' | 'late' | 'rejected' | 'reduced';
const GROUPS: readonly Group[] = ['on-time', 'late', 'rejected', 'reduced'];
const DAY = 86_400_000;

interface Tracked {
  state: ProjectState;
  group: Group;
  targets: Target[];
  /** When a late report goes: just after the escalation of each due. */
  lateAt: Map<string, number>;
}

/** The cumulative figure of a target at the n-th of `of` reports; the last one short for some groups. */
function figureAt(target: Target, n: number, of: number, group: Group, first: boolean): number {
  const value = Math.ceil((target.threshold * n) / of);
  const short = n === of && first && (group === 'late' || group === 'reduced');
  return short ? Math.max(0, target.threshold - 1) : value;
}

async function figuresFor(
  t: Tracked,
  dueIndex: number,
  options: TrackingYearOptions,
): Promise<ReportedFigure[]> {
  const of = t.state.dues.length;
  return Promise.all(
    t.targets.map(async (target, k) => {
      const value = figureAt(target, dueIndex + 1, of, t.group, k === 0);
      const evidence =
        target.evidenceRequired && value > 0 ? await options.evidence(t.state.projectId, target.id) : [];
      return { target: target.id, value, evidence };
    }),
  );
}

async function report(
  api: KczgClient,
  cycleId: string,
  t: Tracked,
  dueIndex: number,
  options: TrackingYearOptions,
) {
  const { projectId, owner } = t.state;
  const figures = await figuresFor(t, dueIndex, options);
  const { reportId } = await api.project.submitReport(cycleId, projectId, owner.unitId, figures);
  if (t.group === 'rejected' && dueIndex === 0) {
    await api.project.verifyReport(cycleId, projectId, {
      reportId,
      decision: 'reject',
      reason: '佐证材料未经平台确认，请补充后重报 / evidence not confirmed on the platform',
    });
    const again = await api.project.submitReport(cycleId, projectId, owner.unitId, figures);
    await api.project.verifyReport(cycleId, projectId, { reportId: again.reportId, decision: 'accept' });
    return 2;
  }
  await api.project.verifyReport(cycleId, projectId, { reportId, decision: 'accept' });
  return 1;
}

async function tracked(api: KczgClient, cycleId: string, programme: Programme): Promise<Tracked[]> {
  const states = await api.project.states(cycleId);
  return states.map((state, i) => {
    const { events } = projectSchedule(programme, {
      listId: state.listId,
      fieldId: state.fieldId,
      unitId: state.owner.unitId,
      publishedAt: state.publishedAt,
    });
    const lateAt = new Map(
      state.dues.map((d) => [
        d.id,
        (events.find((e) => e.id === `report:${d.id}:escalation`)?.at ?? d.at + 7 * DAY) + 3_600_000,
      ]),
    );
    return {
      state,
      group: GROUPS[i % GROUPS.length],
      targets: deliverablesOf(programme, state.listId, state.fieldId)?.targets ?? [],
      lateAt,
    };
  });
}

export async function runTrackingYear(
  api: KczgClient,
  cycleId: string,
  outDir: string,
  options: TrackingYearOptions,
): Promise<TrackingYearReport> {
  const { programme } = await api.reader.setup(cycleId);
  const projects = await tracked(api, cycleId, programme);
  const moments = projects.flatMap((t) =>
    t.state.dues.flatMap((due, index) => [
      { at: t.group === 'late' ? (t.lateAt.get(due.id) as number) : due.at - 2 * DAY, t, index },
    ]),
  );
  let reports = 0;
  for (const { at, t, index } of moments.sort((a, b) => a.at - b.at)) {
    await options.sleepUntil(at);
    reports += await report(api, cycleId, t, index, options);
  }
  for (const t of projects.filter((p) => p.group === 'reduced' && p.targets[0])) {
    const target = t.targets[0];
    await api.project.recordWaiver(cycleId, t.state.projectId, {
      target: target.id,
      threshold: Math.max(0, target.threshold - 1),
      reason:
        '实现重大技术转移转化并取得重大成效，适当抵减 / reduced for a major transfer with major results',
    });
  }
  const outcomes: Record<AcceptanceOutcome, number> = { 通过: 0, 部分通过: 0, 不通过: 0 };
  for (const t of projects)
    outcomes[(await api.project.recordAcceptance(cycleId, t.state.projectId)).outcome]++;
  const dir = path.join(outDir, 'tracking');
  const finalStates = await api.project.states(cycleId);
  const rows = progressRows(programme, finalStates);
  await writeProgress(path.join(dir, 'progress.xlsx'), `${programme.name.zh} 任务进展与验收`, rows);
  await writeProgress(path.join(dir, 'progress.csv'), '', rows);
  await writeProgress(path.join(dir, 'progress.json'), '', rows);
  return { projects: projects.length, reports, outcomes, dir };
}
