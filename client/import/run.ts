/** Sending the prepared rows and the per-row report. */
import type { Rejection } from '../../domain/rejections';
import { csvCell } from '../../activities/publish';
import type { Nomination, NominateRequest } from '../../workflows/messages';
import { RejectionError } from '../api';
import type { PreparedRow, RowBase } from './rows';

export type RowStatus = 'accepted' | 'rejected' | 'pending';

export interface ImportRowResult {
  row: number;
  status: RowStatus;
  key?: string;
  listId?: string;
  fieldId?: string;
  name?: string;
  nominationId?: string;
  code?: string;
  field?: string;
  rule?: string;
  reason?: string;
  fix?: string;
}

export interface ImportRun {
  rows: ImportRowResult[];
  accepted: number;
  rejected: number;
  pending: number;
  /** Set when sending stopped on an error that is not a rejection (server unreachable…). */
  failure?: unknown;
  /** Set when stopped by `shouldStop` (Ctrl-C). */
  interrupted: boolean;
}

/** What the unit may still nominate to one quota part (a list, or a field of it). */
export interface QuotaRoom {
  listId: string;
  /** Set when the quota counts per field. */
  fieldId?: string;
  remaining: number;
}

export interface RunOptions {
  nominate: (request: NominateRequest) => Promise<Nomination>;
  /** Requests in flight at once (a unit workflow takes them one by one; the server caps 10). */
  concurrency?: number;
  /**
   * The unit's room per quota part before the import (from its state). With it, the rows of a
   * part that could take its last places are sent one after another, so the quota goes to the
   * rows that come first in the file, not to whichever request arrives first.
   */
  room?: QuotaRoom[];
  /** Idempotency keys the unit already holds: those rows take no new place. */
  existingKeys?: ReadonlySet<string>;
  onProgress?: (progress: { done: number; total: number; accepted: number; rejected: number }) => void;
  shouldStop?: () => boolean;
}

function rejected(base: RowBase, rejection: Rejection): ImportRowResult {
  return {
    ...base,
    status: 'rejected',
    code: rejection.code,
    ...(rejection.field ? { field: rejection.field } : {}),
    ...(rejection.rule ? { rule: rejection.rule } : {}),
    reason: rejection.message,
    ...(rejection.fix ? { fix: rejection.fix } : {}),
  };
}

/** Places taken per quota part during a run: accepted, and possibly about to be. */
class QuotaTracker {
  private readonly parts = new Map<QuotaRoom, { accepted: number; inFlight: number }>();

  constructor(private readonly options: Pick<RunOptions, 'room' | 'existingKeys'>) {}

  /** The part a request takes a place in; none for a retried key or an unlimited part. */
  partOf(
    request: NominateRequest,
  ): { room: QuotaRoom; part: { accepted: number; inFlight: number } } | undefined {
    if (this.options.existingKeys?.has(request.idempotencyKey)) return undefined;
    const room = this.options.room?.find(
      (r) => r.listId === request.listId && (r.fieldId === undefined || r.fieldId === request.fieldId),
    );
    if (!room) return undefined;
    const part = this.parts.get(room) ?? { accepted: 0, inFlight: 0 };
    this.parts.set(room, part);
    return { room, part };
  }

  /** The part's last places may still go to rows in flight: wait for them before sending more. */
  mustWait(request: NominateRequest): boolean {
    const found = this.partOf(request);
    if (!found) return false;
    const { room, part } = found;
    return (
      part.inFlight > 0 && part.accepted < room.remaining && part.accepted + part.inFlight >= room.remaining
    );
  }
}

/** Every row's result before sending: pending, or its local rejection. */
function initialResults(prepared: PreparedRow[]): ImportRowResult[] {
  return prepared.map((p) => {
    const base: RowBase = {
      row: p.row,
      ...(p.key ? { key: p.key } : {}),
      ...(p.listId ? { listId: p.listId } : {}),
      ...(p.fieldId ? { fieldId: p.fieldId } : {}),
      ...(p.name ? { name: p.name } : {}),
    };
    return p.ok ? { ...base, status: 'pending' } : rejected(base, p.rejection);
  });
}

/** Sends the prepared rows, `concurrency` at a time, in file order (bundles last); rejections are per row. */
export async function runImport(prepared: PreparedRow[], options: RunOptions): Promise<ImportRun> {
  const results = initialResults(prepared);
  const todo = prepared.flatMap((p, i) => (p.ok ? [{ p, i }] : []));
  const total = todo.length;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, 10));
  let done = 0;
  let failure: unknown;
  let interrupted = false;
  const counts = () => ({
    accepted: results.filter((r) => r.status === 'accepted').length,
    rejected: results.filter((r) => r.status === 'rejected').length,
  });
  const quota = new QuotaTracker(options);

  const send = async (request: NominateRequest, i: number) => {
    const part = quota.partOf(request)?.part;
    if (part) part.inFlight++;
    try {
      const nomination = await options.nominate(request);
      results[i] = { ...results[i], status: 'accepted', nominationId: nomination.id };
      if (part) part.accepted++;
    } catch (error) {
      if (!(error instanceof RejectionError)) {
        failure ??= error;
        return;
      }
      results[i] = rejected(results[i], error.rejection);
    } finally {
      if (part) part.inFlight--;
    }
    done++;
    options.onProgress?.({ done, total, ...counts() });
  };

  // Rows are sent in file order; at most `concurrency` at once. Rows naming co-applications go
  // once every other row is answered: the rows they name must be nominations by then.
  const inFlight = new Set<Promise<void>>();
  const dispatch = async (rows: typeof todo) => {
    for (const { p, i } of rows) {
      if (!p.ok) continue;
      for (;;) {
        if (failure !== undefined) return;
        if (options.shouldStop?.()) {
          interrupted = true;
          return;
        }
        if (inFlight.size < concurrency && !quota.mustWait(p.request)) break;
        await Promise.race(inFlight);
      }
      const task: Promise<void> = send(p.request, i).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await Promise.all(inFlight);
  };
  const linked = ({ p }: (typeof todo)[number]) => p.ok && p.linked === true;
  await dispatch(todo.filter((t) => !linked(t)));
  if (failure === undefined && !interrupted) await dispatch(todo.filter(linked));
  // Stopped early: the requests already sent are still answered and reported.
  await Promise.all(inFlight);
  const final = counts();
  return {
    rows: results,
    ...final,
    pending: results.filter((r) => r.status === 'pending').length,
    ...(failure === undefined ? {} : { failure }),
    interrupted,
  };
}

// ---------------------------------------------------------------------------------------------
// Report and templates

export function reportPath(input: string): string {
  return `${input}.report.csv`;
}

const STATUS_ZH: Record<RowStatus, string> = { accepted: '已接受', rejected: '已拒绝', pending: '未处理' };

export const REPORT_HEADINGS = [
  '行号',
  '状态',
  '推荐编号',
  '代码',
  '字段',
  '规则',
  '原因',
  '处理建议',
  '幂等键',
  '榜单',
  '领域',
  '名称',
];

/** The per-row report: UTF-8 with BOM (Excel opens it as UTF-8), Chinese headings, CRLF. */
export function renderReportCsv(rows: ImportRowResult[]): string {
  const lines = [
    REPORT_HEADINGS,
    ...rows.map((r) => [
      String(r.row),
      STATUS_ZH[r.status],
      r.nominationId ?? '',
      r.code ?? '',
      r.field ?? '',
      r.rule ?? '',
      r.reason ??
        (r.status === 'pending' ? '导入中断，重新运行即可继续 / interrupted: run the import again' : ''),
      r.fix ?? '',
      r.key ?? '',
      r.listId ?? '',
      r.fieldId ?? '',
      r.name ?? '',
    ]),
  ];
  return `\uFEFF${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
