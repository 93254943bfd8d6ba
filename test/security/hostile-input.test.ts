/**
 * Hostile and malformed input against running workflows (issue 7, items 4 and 5), on the
 * time-skipping server with a real worker.
 *
 * Item 4: random and hostile nominations, review reports, extensions, other updates and signals,
 * sent through KczgClient and directly through Temporal (a direct caller skips every client
 * check). Each is accepted only when genuinely valid, or refused with a stable code from
 * domain/rejections.ts; a refusal changes no state; no workflow task ever fails (checked in the
 * histories of the cycle, unit and review-body workflows).
 *
 * Item 5: the same nomination, review report or partReported signal delivered twice (through the
 * client, directly with the same update id, directly with a new one; one after the other or at
 * once) counts once.
 *
 * Temporal properties run a bounded number of runs and stop at the first failure (no shrinking:
 * the system under test keeps state between runs). fast-check prints the seed; FC_SEED replays.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import fc from 'fast-check';
import { RejectionError } from '../../client/api';
import { beijingToEpochMs } from '../../domain/calendar';
import type { Dossier } from '../../domain/dossier';
import { formFor } from '../../domain/forms';
import { sampleDossier } from '../../domain/forms-sample';
import type { Candidate, Programme } from '../../domain/programme';
import { rejectionCodes, type Rejection } from '../../domain/rejections';
import { loadProgramme, validateProgramme } from '../../programmes/loader';
import { reviewBodyWorkflowId, unitWorkflowId } from '../../workflows/ids';
import {
  amendUpdate,
  cancelUpdate,
  collectionDeadlineSignal,
  extendUpdate,
  finalCompleteUpdate,
  mailFailedSignal,
  markCompleteUpdate,
  nominateUpdate,
  partReportedSignal,
  pauseUpdate,
  reportReviewUpdate,
  resumeUpdate,
  withdrawUpdate,
  type CycleStatus,
  type ExtendRequest,
  type Nomination,
  type NominateRequest,
  type ReviewBodyState,
  type ReviewPartState,
  type ReviewReport,
  type ReviewResultEntry,
} from '../../workflows/messages';
import { startTestStack, type TestStack } from '../support/stack';

const { EventType } = temporal.api.enums.v1;
const WFT_FAILED = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED;
const WFT_COMPLETED = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
const WFT_STARTED = EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED;
const SIGNALED = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED;
const START_AT = beijingToEpochMs('2023-11-29 10:00');
const COLLECTION_CLOSES = beijingToEpochMs('2023-11-30 24:00');
const UNITS = ['cie', 'csae', 'jiangsu-cast'];
const PIONEER_FIELDS = [
  'electronics',
  'biomedicine',
  'equipment',
  'advanced-materials',
  'green-low-carbon',
  'industrial-foundation',
];

/** Temporal properties: bounded, no shrinking (state carries over), FC_SEED replays a failure. */
const fcParams = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns,
  endOnFailure: true,
  ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}),
});

/** national-2023 with a three-unit roster (cheaper to skip through) and optionally larger quotas. */
function variant(id: string, quota?: number): Programme {
  const base = loadProgramme('national-2023');
  return validateProgramme(
    {
      ...base,
      id,
      roster: { sample: true, units: base.roster.units.filter((u) => UNITS.includes(u.id)) },
      lists: base.lists.map((l) => (l.quota && quota ? { ...l, quota: { ...l.quota, default: quota } } : l)),
    },
    id,
  );
}

/** The sample dossier of a part of national-2023 (every variant's parts), none for a part without a form. */
const NATIONAL = loadProgramme('national-2023');
function dossierOf(listId: unknown, fieldId: unknown): Dossier | undefined {
  const list = NATIONAL.lists.find((l) => l.id === listId);
  const form = list && formFor(list, typeof fieldId === 'string' ? fieldId : undefined);
  return form ? sampleDossier(form) : undefined;
}

// ---------------------------------------------------------------------------------------------
// What counts as genuinely valid: independent of the workflows' own validators.

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const nonEmptyText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const realDate = (v: unknown): boolean => {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};
/** What the sender's data converter delivers: JSON (NaN and Infinity become null, undefined goes). */
const wire = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

/**
 * The text policy (issue 20), written out here independently of domain/text.ts: NFC; names and
 * ids one line of visible text without control, bidi or invisible characters (the joiners emoji
 * need aside); prose may keep line breaks and tabs.
 */
const inNfc = (v: string) => v === v.normalize('NFC') && !/\p{Cs}/u.test(v);
const bidiFree = (v: string) => !/[\u202a-\u202e\u2066-\u2069]/u.test(v);
const visible = (v: string) =>
  /[\p{L}\p{N}\p{P}\p{S}\p{Co}]/u.test(v.replace(/[\u115f\u1160\u3164\uffa0\u2800\u180e]/gu, ''));
const lineText = (v: unknown, max: number): v is string =>
  typeof v === 'string' &&
  v.length <= max &&
  inNfc(v) &&
  bidiFree(v) &&
  !/[\p{Cc}\u2028\u2029\u200e\u200f\u061c]/u.test(v) &&
  !/(?!\u200c|\u200d|[\u{e0020}-\u{e007f}])\p{Cf}/u.test(v) &&
  (v === '' || visible(v));
const trimmedName = (v: unknown, max: number) =>
  typeof v === 'string' && v.trim().length >= 1 && lineText(v.trim(), max);
const prose = (v: unknown, max: number) =>
  typeof v === 'string' && v.length <= max && inNfc(v) && bidiFree(v) && !/[^\P{Cc}\t\n\r]/u.test(v);
/** Ids and keys: as names, and no formatting characters at all. */
const idText = (v: unknown, max: number) => lineText(v, max) && v !== '' && !/\p{Cf}/u.test(v);

const CANDIDATE_CHECKS: Record<string, (v: unknown) => boolean> = {
  name: (v) => trimmedName(v, 200),
  identity: (v) => trimmedName(v, 100),
  region: (v) => ['mainland', 'hong-kong', 'macao', 'taiwan', 'abroad'].includes(v as string),
  city: (v) => lineText(v, 100),
  foundedOn: realDate,
  birthDate: realDate,
  orgType: (v) => lineText(v, 100),
  focusFields: (v) => Array.isArray(v) && v.length <= 20 && v.every((f) => lineText(f, 100)),
  category: (v) => lineText(v, 100),
  classified: (v) => typeof v === 'boolean',
  standing: (v) => ['good', 'abnormal-operation', 'serious-dishonesty'].includes(v as string),
  enterpriseFoundedOn: realDate,
  certified: (v) => typeof v === 'boolean',
  summary: (v) => prose(v, 2000),
  contactEmail: (v) => idText(v, 320) && /^[^\s@<>"',;]+@[^\s@<>"',;]+\.[^\s@<>"',;]+$/.test(v as string),
};
const CANDIDATE_KEYS = Object.keys(CANDIDATE_CHECKS);

/** Known keys only (an unknown one, `__proto__` included, is refused, never dropped). */
function wellFormedCandidate(c: unknown): c is Json {
  return (
    isObject(c) &&
    c.name !== undefined &&
    Object.keys(c).every((k) => CANDIDATE_KEYS.includes(k)) &&
    CANDIDATE_KEYS.every((k) => !Object.hasOwn(c, k) || CANDIDATE_CHECKS[k](c[k]))
  );
}

/**
 * What the client sends: every string and key in NFC (the server side refuses rather than
 * normalises). Own keys only, `__proto__` kept as a key.
 */
function nfc(v: unknown): unknown {
  if (typeof v === 'string') return v.normalize('NFC');
  if (Array.isArray(v)) return v.map(nfc);
  if (!isObject(v)) return v;
  return objectWith(Object.entries(v).map(([k, item]) => [k.normalize('NFC'), nfc(item)]));
}

/**
 * What the client itself refuses in a request beyond the candidate (domain/limits.ts): keys it
 * does not know, ids and keys that are not one line of visible text, reasons and comments with
 * control or bidi characters. A direct caller skips the client; the workflow validators apply
 * the same limits once they call requestRejection (see the hostile-input notes in the report).
 */
function clientRefusesRequest(w: unknown, keys: Record<string, (v: unknown) => boolean>): boolean {
  if (!isObject(w)) return false;
  return Object.entries(w).some(
    ([k, v]) => !Object.hasOwn(keys, k) || (v !== undefined && v !== null && !keys[k](v)),
  );
}
const anyValue = () => true;
const idOrOther =
  (max = 100) =>
  (v: unknown) =>
    typeof v !== 'string' || idText(v, max);
const NOMINATE_KEYS = {
  idempotencyKey: idOrOther(200),
  listId: idOrOther(),
  fieldId: idOrOther(),
  candidate: anyValue,
  dossier: anyValue,
  credential: idOrOther(4096),
};

const REPORT_KEYS = {
  listId: idOrOther(),
  fieldId: idOrOther(),
  results: (v: unknown) =>
    !Array.isArray(v) ||
    v.every(
      (e) =>
        !clientRefusesRequest(e, {
          nominationId: idOrOther(),
          verdict: idOrOther(),
          rank: anyValue,
          score: anyValue,
          comment: (c) => typeof c !== 'string' || prose(c, 2000),
        }),
    ),
  credential: idOrOther(4096),
};
const EXTEND_KEYS = {
  scope: (v: unknown) =>
    !clientRefusesRequest(v, {
      kind: idOrOther(),
      stage: idOrOther(),
      unitId: idOrOther(),
      listId: idOrOther(),
      fieldId: idOrOther(),
    }),
  until: anyValue,
  reason: (v: unknown) => typeof v !== 'string' || prose(v, 500),
  credential: idOrOther(4096),
};

/** The candidate as stored: known facts only, name and identity trimmed. */
function storedCandidate(c: Json): Json {
  const out: Json = {};
  for (const k of CANDIDATE_KEYS) {
    if (!Object.hasOwn(c, k)) continue;
    out[k] = k === 'name' || k === 'identity' ? (c[k] as string).trim() : c[k];
  }
  return out;
}

/** "" names no field, like an absent fieldId (the workflows key parts the same way). */
const noField = (v: unknown) => v === undefined || v === '';

function wellFormedNominate(w: unknown, programme: Programme): w is Json {
  if (!isObject(w)) return false;
  const key = w.idempotencyKey;
  if (typeof key !== 'string' || key.length < 1 || key.length > 200) return false;
  const list = programme.lists.find((l) => l.id === w.listId);
  if (typeof w.listId !== 'string' || !list || list.separatelyOrganised) return false;
  const fieldOk = list.fields
    ? typeof w.fieldId === 'string' && list.fields.some((f) => f.id === w.fieldId)
    : w.fieldId === undefined;
  const form = formFor(list, w.fieldId as string | undefined);
  return fieldOk && wellFormedCandidate(w.candidate) && (!form || isObject(w.dossier));
}

function wellFormedReport(w: unknown, body: ReviewBodyState): w is Json {
  if (!isObject(w) || typeof w.listId !== 'string') return false;
  if (!noField(w.fieldId) && typeof w.fieldId !== 'string') return false;
  const part = body.parts.find(
    (p) => p.listId === w.listId && (noField(w.fieldId) ? noField(p.fieldId) : p.fieldId === w.fieldId),
  );
  if (!part || !Array.isArray(w.results)) return false;
  const seen = new Set<string>();
  return w.results.every((e: unknown) => {
    if (!isObject(e) || typeof e.nominationId !== 'string') return false;
    if (!part.nominationIds.includes(e.nominationId) || seen.has(e.nominationId)) return false;
    seen.add(e.nominationId);
    return (
      (e.verdict === 'recommended' || e.verdict === 'not-recommended') &&
      (e.score === undefined || (typeof e.score === 'number' && Number.isFinite(e.score))) &&
      (e.rank === undefined || (Number.isInteger(e.rank) && (e.rank as number) >= 1)) &&
      (e.comment === undefined || typeof e.comment === 'string')
    );
  });
}

function wellFormedExtend(w: unknown, status: CycleStatus, programme: Programme, now: number): w is Json {
  if (!isObject(w) || !nonEmptyText(w.reason)) return false;
  const until = w.until;
  // The new deadline lies ahead, and within the programme year (its promotion's end).
  if (typeof until !== 'number' || !Number.isFinite(until) || until <= now) return false;
  if (until > status.deadlines.promotionUntil) return false;
  const scope = w.scope;
  if (!isObject(scope)) return false;
  if (scope.kind === 'stage')
    return ['collection', 'preliminary-review', 'final-review'].includes(scope.stage as string);
  if (scope.kind === 'unit') {
    return (
      typeof scope.unitId === 'string' &&
      programme.roster.units.some((u) => u.id === scope.unitId) &&
      (status.stage === 'collection' || status.stage === 'collection-pending') &&
      // A unit's extension never ends before the common collection deadline.
      until >= status.deadlines.collectionClosesAt
    );
  }
  if (scope.kind === 'part') {
    if (typeof scope.listId !== 'string' || (!noField(scope.fieldId) && typeof scope.fieldId !== 'string'))
      return false;
    return status.parts.some(
      (p) =>
        p.listId === scope.listId &&
        (noField(scope.fieldId) ? noField(p.fieldId) : p.fieldId === scope.fieldId),
    );
  }
  return false;
}

const reasoned = (w: unknown) => isObject(w) && nonEmptyText(w.reason);

// ---------------------------------------------------------------------------------------------
// Hostile values

/** A key left out of the object altogether. */
const MISSING = Symbol('missing');

/** Builds an object with own keys only, `__proto__` included (as JSON.parse would). */
function objectWith(entries: [string, unknown][]): Json {
  const out: Json = {};
  for (const [k, v] of entries) {
    if (v === MISSING) continue;
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const HUGE = 'x'.repeat(70_000);
const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u3000',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '\u0000',
    'a\u0000b',
    '\u202e反转',
    '\r\nBcc: x@y.z',
    // Issue 20: only zero-width spaces, ANSI escapes, not in NFC, a bidi isolate.
    '\u200b\u200b\u200b',
    '\u001b[31m红\u001b[0m',
    'Cafe\u0301',
    '\u2067x\u2069',
    '😀👨‍👩‍👧‍👦',
    '<script>alert(1)</script>',
    '2023-02-30',
    'NaN',
    HUGE,
  ),
);
const protoKeyObject = fc
  .constantFrom('__proto__', 'constructor', 'prototype')
  .map((key) => objectWith([[key, { polluted: 'yes', prototype: { polluted: 'yes' } }]]));
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, null, true, false, [], {}),
  fc.jsonValue({ maxDepth: 2 }),
  protoKeyObject,
);
const IMPOSSIBLE_DATES = [
  '2023-02-30',
  '2023-02-29',
  '2021-04-31',
  '2023-13-01',
  '2023-00-10',
  '2023-1-1',
  '20230101',
];

// ---------------------------------------------------------------------------------------------
// Nomination payloads

let nameCounter = 0;
/** Names that show nothing (issue 20): refused whatever else the request carries. */
const INVISIBLE_NAMES = [
  '\u200b\u200b\u200b',
  '\u200d',
  '\ufeff',
  '\u3164\u3164',
  '\u2800 \u2800',
  ' \u3000 ',
];
const nameArb = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          '量子',
          '芯片',
          'Material',
          '😀',
          '\u202e',
          'a\u0000',
          ' 空格 ',
          '材料\r\n',
          '\u001b[2J',
          '\r\nBcc: x@y.z',
          'Cafe\u0301',
          '\u200b',
        ),
        fc.string({ unit: 'grapheme', maxLength: 6 }),
      )
      .map(([a, b]) => `${a}${b}#${++nameCounter}`),
  },
  { weight: 1, arbitrary: fc.constantFrom(...INVISIBLE_NAMES) },
);

type Kind = 'tech' | 'enterprise' | 'manager' | 'org';
function candidateOf(kind: Kind, name: string): Candidate {
  switch (kind) {
    case 'tech':
      // A category lets it into 产业基础 (industrial-foundation) too.
      return { name, identity: `TECH-${name}`, classified: false, category: '基础材料' };
    case 'enterprise':
      return {
        name,
        identity: `USCC-${name}`,
        region: 'mainland',
        foundedOn: '2016-05-01',
        standing: 'good',
      };
    case 'manager':
      return { name, certified: true };
    case 'org':
      return {
        name,
        orgType: '新型研发机构',
        foundedOn: '2019-01-01',
        focusFields: ['新材料'],
        city: '宁波',
      };
  }
}
const KIND_OF_LIST: Record<string, Kind> = {
  'pioneer-tech': 'tech',
  'emerging-enterprise': 'enterprise',
  'tech-manager-pioneer': 'manager',
  'integrated-innovation-org': 'org',
};

const corruption = fc.record({
  key: fc.constantFrom(...CANDIDATE_KEYS, '__proto__', 'constructor', 'prototype', 'unknownFact'),
  value: fc.oneof(hostileValue, fc.constantFrom<unknown>(...IMPOSSIBLE_DATES, MISSING)),
});

function candidateArb(listId: unknown): fc.Arbitrary<unknown> {
  const kind =
    typeof listId === 'string' && Object.hasOwn(KIND_OF_LIST, listId) ? KIND_OF_LIST[listId] : 'tech';
  const shaped = fc.tuple(nameArb, fc.option(corruption, { nil: undefined, freq: 2 })).map(([name, bad]) => {
    const entries: [string, unknown][] = Object.entries(candidateOf(kind, name));
    if (bad) {
      const i = entries.findIndex(([k]) => k === bad.key);
      if (i >= 0) entries[i] = [bad.key, bad.value];
      else entries.push([bad.key, bad.value]);
    }
    return objectWith(entries);
  });
  return fc.oneof(
    { weight: 6, arbitrary: shaped },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constant(MISSING) },
  );
}

const LIST_IDS = ['pioneer-tech', 'emerging-enterprise', 'tech-manager-pioneer', 'integrated-innovation-org'];
const hostileListId = fc.constantFrom<unknown>(
  'no-such-list',
  '',
  'PIONEER-TECH',
  ' pioneer-tech',
  '__proto__',
  'constructor',
  'toString',
  ['pioneer-tech'],
  { id: 'pioneer-tech' },
  5,
  null,
  NaN,
  MISSING,
);
const hostileFieldId = fc.constantFrom<unknown>(
  '',
  'no-such-field',
  'ELECTRONICS',
  '__proto__',
  'constructor',
  null,
  {},
  { id: 'electronics' },
  0,
  5,
  true,
  ['electronics'],
  NaN,
  Infinity,
  MISSING,
  'electronics',
);
const partArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(...PIONEER_FIELDS)
      .map((f) => ({ listId: 'pioneer-tech' as unknown, fieldId: f as unknown })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...LIST_IDS.slice(1))
      .map((l) => ({ listId: l as unknown, fieldId: MISSING as unknown })),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      listId: fc.oneof(hostileListId, fc.constantFrom<unknown>(...LIST_IDS)),
      fieldId: hostileFieldId,
    }),
  },
);
const keyArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 40 }).map((s) => `k-${s}`) },
  { weight: 1, arbitrary: fc.constantFrom('k-again-1', 'k-again-2', 'x'.repeat(200), '__proto__', ' ') },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      '',
      'x'.repeat(201),
      HUGE,
      'constructor',
      5,
      0,
      null,
      NaN,
      {},
      ['k-again-1'],
      true,
      MISSING,
    ),
  },
);
const extraKey = fc.option(
  fc.record({
    key: fc.constantFrom('__proto__', 'constructor', 'credential', 'id', 'unitId', 'submittedAt'),
    value: hostileValue,
  }),
  { nil: undefined, freq: 3 },
);
/** A nomination every check accepts: a technology to a field of the pioneer list, with its dossier. */
function validNomination(idempotencyKey: string): Json {
  const fieldId = PIONEER_FIELDS[0];
  return {
    idempotencyKey,
    listId: 'pioneer-tech',
    fieldId,
    candidate: candidateOf('tech', `示例技术 ${idempotencyKey}`) as unknown as Json,
    dossier: dossierOf('pioneer-tech', fieldId) as unknown as Json,
  };
}

const nominatePayload: fc.Arbitrary<Json> = fc
  .record({
    part: partArb,
    key: keyArb,
    extra: extraKey,
    withDossier: fc.oneof({ weight: 7, arbitrary: fc.constant(true) }, fc.constant(false)),
  })
  .chain(({ part, key, extra, withDossier }) =>
    candidateArb(part.listId).map((candidate) =>
      objectWith([
        ['idempotencyKey', key],
        ['listId', part.listId],
        ['fieldId', part.fieldId],
        ['candidate', candidate],
        ['dossier', (withDossier && dossierOf(part.listId, part.fieldId)) || MISSING],
        ...(extra ? [[extra.key, extra.value] as [string, unknown]] : []),
      ]),
    ),
  );

// ---------------------------------------------------------------------------------------------
// Harness

describe('hostile input against running cycles (time-skipping server)', () => {
  let stack: TestStack;
  let running: Promise<void> | undefined;
  const cycles = new Map<string, Programme>();

  const nominateP = variant('hostile-nominate-2023');
  const extendP = variant('hostile-extend-2023');
  const updatesP = variant('hostile-updates-2023');
  const textP = variant('hostile-text-2023');
  const signalsP = variant('hostile-signals-2023');
  const twiceP = variant('hostile-twice-2023', 50);
  let offset = 0;

  beforeAll(async () => {
    stack = await startTestStack('time-skipping');
    // One worker for the whole file (a worker runs once); the tests share one timeline.
    running = stack.worker.run();
    for (const p of [nominateP, twiceP]) await startCycle(p);
    offset = (await stack.api.status(`kczg:${twiceP.id}`)).clockOffsetMs;
  });

  /** Every cycle's programme clock starts at START_AT, whenever the cycle itself starts. */
  async function startCycle(p: Programme): Promise<string> {
    const { cycleId } = await stack.api.startCycle(p, { startAt: START_AT });
    cycles.set(cycleId, p);
    return cycleId;
  }

  afterAll(async () => {
    for (const [cycleId, p] of cycles) await terminateAll(cycleId, p);
    if (running) {
      stack.worker.shutdown();
      await running;
    }
    await stack?.shutdown();
  });

  const cycleOf = (p: Programme) => `kczg:${p.id}`;
  const workflowIds = (cycleId: string, p: Programme) => [
    cycleId,
    ...p.roster.units.map((u) => unitWorkflowId(cycleId, u.id)),
    ...p.reviewBodies.map((b) => reviewBodyWorkflowId(cycleId, b.id)),
  ];
  const notFound = (error: unknown) =>
    error instanceof WorkflowNotFoundError || (error as { code?: number }).code === grpcStatus.NOT_FOUND;

  async function workflowTaskFailures(cycleId: string, p: Programme): Promise<string[]> {
    const found: string[] = [];
    for (const id of workflowIds(cycleId, p)) {
      try {
        const history = await stack.env.client.workflow.getHandle(id).fetchHistory();
        for (const e of history.events ?? []) {
          if (e.eventType === WFT_FAILED) {
            found.push(`${id}: ${e.workflowTaskFailedEventAttributes?.failure?.message ?? '(no message)'}`);
          }
        }
      } catch (error) {
        if (!notFound(error)) throw error;
      }
    }
    return found;
  }

  /**
   * Waits until the workflow ran a task started after its last signal (a task already running when
   * the signal arrived does not count); throws if that task failed.
   */
  async function signalTaskOutcome(workflowId: string, label: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const events = (await stack.env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      const signalled = events.map((e) => e.eventType).lastIndexOf(SIGNALED);
      const later = events.slice(signalled + 1);
      const started = later.findIndex((e) => e.eventType === WFT_STARTED);
      const outcome =
        started < 0
          ? undefined
          : later.slice(started + 1).find((e) => e.eventType === WFT_FAILED || e.eventType === WFT_COMPLETED);
      if (outcome?.eventType === WFT_FAILED) {
        throw new Error(
          `${label}: workflow task failed: ${outcome.workflowTaskFailedEventAttributes?.failure?.message ?? '?'}`,
        );
      }
      if (outcome) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${label}: the signal was not handled within 10 s`);
  }

  async function expectNoWorkflowTaskFailed(p: Programme): Promise<void> {
    expect(await workflowTaskFailures(cycleOf(p), p)).toEqual([]);
  }

  async function terminateAll(cycleId: string, p: Programme): Promise<void> {
    for (const id of workflowIds(cycleId, p)) {
      await stack.env.client.workflow
        .getHandle(id)
        .terminate('hostile-input test done')
        .catch(() => undefined);
    }
    cycles.delete(cycleId);
  }

  /** A call that must answer: a workflow whose task keeps failing never does. */
  async function within<T>(call: Promise<T>, label: string, p: Programme, ms = 20_000): Promise<T> {
    call.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    try {
      const first = await Promise.race([call, timeout]);
      if (first === 'timeout') {
        const failures = await workflowTaskFailures(cycleOf(p), p);
        throw new Error(
          `${label}: no answer within ${ms / 1000} s; failed workflow tasks: ${failures.join(' | ') || 'none'}`,
        );
      }
      return first as T;
    } finally {
      clearTimeout(timer);
    }
  }

  type Outcome<T> = { accepted: true; value: T } | { accepted: false; rejection: Rejection };

  /** Accepted, or refused with a stable code (its details carrying the same code); anything else fails. */
  async function outcome<T>(call: Promise<T>, label: string, p: Programme): Promise<Outcome<T>> {
    try {
      return { accepted: true, value: await within(call, label, p) };
    } catch (error) {
      let rejection: Rejection | undefined;
      if (error instanceof RejectionError) rejection = error.rejection;
      else if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        const detail = (error.cause.details ?? [])[0] as Rejection | undefined;
        if (detail?.code !== error.cause.type) {
          throw new Error(
            `${label}: refused without a stable code (${error.cause.type}: ${error.cause.message})`,
            { cause: error },
          );
        }
        rejection = detail;
      }
      if (!rejection) {
        throw new Error(`${label}: failed with ${(error as Error).name}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (
        !(rejectionCodes as readonly string[]).includes(rejection.code) ||
        !nonEmptyText(rejection.message)
      ) {
        throw new Error(`${label}: refusal without a stable code: ${JSON.stringify(rejection)}`, {
          cause: error,
        });
      }
      return { accepted: false, rejection };
    }
  }

  const unitHandle = (p: Programme, unitId: string) =>
    stack.env.client.workflow.getHandle(unitWorkflowId(cycleOf(p), unitId));
  const bodyHandle = (p: Programme, bodyId: string) =>
    stack.env.client.workflow.getHandle(reviewBodyWorkflowId(cycleOf(p), bodyId));
  const cycleHandle = (p: Programme) => stack.env.client.workflow.getHandle(cycleOf(p));
  const unitState = (p: Programme, unitId: string) =>
    within(stack.api.unitState(cycleOf(p), unitId), `unitState ${unitId}`, p);
  const reviewState = (p: Programme, bodyId: string) =>
    within(stack.api.reviewState(cycleOf(p), bodyId), `reviewState ${bodyId}`, p);
  const cycleStatus = (p: Programme) => within(stack.api.status(cycleOf(p)), 'status', p);
  const cycleAudit = (p: Programme) => within(stack.api.audit(cycleOf(p)), 'audit', p);
  const withoutNow = (s: CycleStatus): Partial<CycleStatus> => {
    const copy: Partial<CycleStatus> = { ...s };
    delete copy.now;
    return copy;
  };
  const describeValue = (v: unknown) => {
    const text = JSON.stringify(v) ?? String(v);
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  };

  // -------------------------------------------------------------------------------------------
  // Item 4: nominations

  it('hostile nominations, through KczgClient and directly: accepted only when valid, else a stable code and no change', async () => {
    const p = nominateP;
    const cycleId = cycleOf(p);
    // A wedged workflow would slow every later time skip: end this cycle whatever happens.
    try {
      const payload = fc.oneof(
        { weight: 9, arbitrary: nominatePayload },
        { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, 5, 'nominate', [], true) },
      );
      const run = fc.record({
        via: fc.constantFrom('client', 'direct'),
        unitId: fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom(...UNITS) },
          { weight: 1, arbitrary: fc.constantFrom('nobody', '__proto__', 'CIE', '', 'cie:unit:x') },
        ),
        payload,
      });
      let accepted = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(run, async ({ via, unitId, payload: raw }) => {
          const onRoster = UNITS.includes(unitId);
          // Through the client a request is an object (typed); directly anything goes.
          const request = via === 'client' && !isObject(raw) ? {} : raw;
          if (via === 'direct' && !onRoster) return;
          const before = onRoster ? await unitState(p, unitId) : undefined;
          const label = `${via} nominate ${unitId} ${describeValue(request)}`;
          const result = await outcome<Nomination>(
            via === 'client'
              ? stack.api.nominate(cycleId, unitId, request as NominateRequest)
              : unitHandle(p, unitId).executeUpdate(nominateUpdate, { args: [request as NominateRequest] }),
            label,
            p,
          );
          // What the workflow receives: through the client, normalised to NFC.
          const w = wire(via === 'client' ? nfc(request) : request);
          const key = isObject(w) ? w.idempotencyKey : undefined;
          const usableKey = typeof key === 'string' && key.length >= 1 && key.length <= 200;
          // The client refuses what breaks its limits, text policy or known keys: INVALID, first.
          const clientRefuses =
            via === 'client' &&
            (clientRefusesRequest(w, NOMINATE_KEYS) ||
              !idText(unitId, 100) ||
              (isObject(w) && w.candidate != null && !wellFormedCandidate(w.candidate)));
          if (!onRoster) {
            expect(result.accepted).toBe(false);
            // A usable request gets as far as the roster; the client refuses a bad one first.
            if (usableKey) {
              expect(result).toMatchObject({
                rejection: { code: clientRefuses ? 'INVALID' : 'UNKNOWN_UNIT' },
              });
            }
            return;
          }
          const after = await unitState(p, unitId);
          if (usableKey && clientRefuses) expect(result).toMatchObject({ rejection: { code: 'INVALID' } });
          if (!result.accepted) {
            refused++;
            expect(after).toEqual(before);
            return;
          }
          accepted++;
          const earlier =
            typeof key === 'string' ? before?.nominations.find((n) => n.idempotencyKey === key) : undefined;
          if (earlier) {
            // A retried key returns the nomination it made, whatever else the retry carries, and
            // changes nothing.
            expect(result.value).toEqual(earlier);
            expect(after).toEqual(before);
            return;
          }
          if (!wellFormedNominate(w, p))
            throw new Error(`${label}: accepted a malformed request → ${describeValue(result.value)}`);
          expect(result.value).toMatchObject({
            unitId,
            listId: w.listId,
            idempotencyKey: w.idempotencyKey,
            candidate: storedCandidate(w.candidate as Json),
          });
          expect(result.value.fieldId).toBe(w.fieldId);
          // Ids count accepted nominations only (nothing is withdrawn here): a refusal left no trace.
          const sequences = (before?.nominations ?? []).map((n) => Number(n.id.slice(unitId.length + 1)));
          expect(result.value.id).toBe(`${unitId}.${Math.max(0, ...sequences) + 1}`);
          expect(after.nominations).toHaveLength((before?.nominations.length ?? 0) + 1);
          expect(after.nominations).toContainEqual(result.value);
        }),
        {
          ...fcParams(160),
          // Random requests are mostly hostile: these valid ones always run first, so the count of
          // accepted ones below never depends on the seed.
          examples: (['client', 'direct'] as const).map((via, i) => [
            { via, unitId: UNITS[i], payload: validNomination(`k-valid-${via}`) },
          ]),
        },
      );
      expect(refused).toBeGreaterThan(accepted);
      expect(accepted).toBeGreaterThan(0);
      await expectNoWorkflowTaskFailed(p);
      expect(({} as Json).polluted).toBeUndefined();
    } finally {
      await terminateAll(cycleId, p);
    }
  });

  // -------------------------------------------------------------------------------------------
  // Issue 20: sizes and text no person typed

  it('issue 20: a 3 MB name, a summary nested 20,000 deep, names no person typed and unknown keys are refused (INVALID, field, limit) and change nothing; a normal name is stored as sent, in NFC', async () => {
    const p = textP;
    const cycleId = await startCycle(p);
    try {
      const part = { listId: 'pioneer-tech', fieldId: 'electronics' };
      let n = 0;
      const dossier = dossierOf(part.listId, part.fieldId);
      const request = (candidate: unknown): NominateRequest =>
        ({ idempotencyKey: `text-${++n}`, ...part, candidate, dossier }) as NominateRequest;
      const tech = (name: string, extra: Json = {}) => ({
        ...candidateOf('tech', `正常${n}`),
        name,
        ...extra,
      });
      let nested: unknown = '底';
      for (let i = 0; i < 20_000; i++) nested = { a: nested };

      /** Refused with the code and fields given, its every text short; the unit unchanged. */
      const refused = async (
        via: 'client' | 'direct',
        candidate: unknown,
        expected: Partial<Record<keyof Rejection, unknown>>,
      ) => {
        const before = await unitState(p, 'cie');
        const sent = request(candidate);
        // Not describeValue: JSON.stringify cannot walk the 20,000-deep summary.
        const label = `${via} nominate ${sent.idempotencyKey}`;
        const result = await outcome(
          via === 'client'
            ? stack.api.nominate(cycleId, 'cie', sent)
            : unitHandle(p, 'cie').executeUpdate(nominateUpdate, { args: [sent] }),
          label,
          p,
        );
        expect(result).toMatchObject({ accepted: false, rejection: { code: 'INVALID', ...expected } });
        if (!result.accepted) expect(JSON.stringify(result.rejection).length).toBeLessThan(2_000);
        expect(await unitState(p, 'cie')).toEqual(before);
      };

      // Sizes: refused by the client before anything is sent.
      await refused('client', tech('名'.repeat(3 * 1024 * 1024)), {
        field: 'candidate.name',
        rule: 'max-length',
        limit: 200,
        fix: expect.any(String),
      });
      await refused('client', tech('深层简介', { summary: nested }), {
        field: expect.stringMatching(/^candidate\.summary(\.a)+$/),
        rule: 'max-depth',
        limit: 8,
        fix: expect.any(String),
      });
      // A direct caller skips the client: the validator refuses, and its refusal stays short.
      await refused('direct', tech('x'.repeat(1_000_000)), { field: 'candidate.name' });

      // Text no person typed, as the name: through the client and directly.
      const hostileNames = [
        '\u200b\u200b\u200b',
        '量子\u0000平台',
        '\u001b[31m量子平台\u001b[0m',
        '量子平台\r\nBcc: x@example.com',
        '\u202e台平子量',
      ];
      for (const via of ['client', 'direct'] as const) {
        for (const name of hostileNames) await refused(via, tech(name), { field: 'candidate.name' });
        // Unknown keys are refused, never dropped.
        await refused(via, JSON.parse('{"name":"原型","__proto__":{"polluted":"yes"}}'), {
          field: 'candidate.__proto__',
        });
        await refused(via, tech('构造', { constructor: 'x' }), { field: 'candidate.constructor' });
      }
      // Not in NFC: the server side refuses rather than rewrites ...
      await refused('direct', tech('Cafe\u0301 量子'), { field: 'candidate.name' });
      // ... the client normalises before sending.
      const composed = await stack.api.nominate(cycleId, 'cie', request(tech('Cafe\u0301 量子')));
      expect(composed.candidate.name).toBe('Café 量子');
      // A candidate file's editor hint ("$schema") is not part of the candidate: the client leaves it out.
      const hinted = await stack.api.nominate(
        cycleId,
        'cie',
        request({ $schema: './candidate.schema.json', ...tech('带模板提示') }),
      );
      expect(Object.keys(hinted.candidate)).not.toContain('$schema');
      // A normal name is stored exactly as sent.
      const normal = '量子计算云平台 Zürich 团队👨‍👩‍👧‍👦';
      const stored = await stack.api.nominate(cycleId, 'cie', request(tech(normal)));
      expect(stored.candidate.name).toBe(normal);
      expect((await unitState(p, 'cie')).nominations.map((x) => x.candidate.name)).toEqual([
        'Café 量子',
        '带模板提示',
        normal,
      ]);
      await expectNoWorkflowTaskFailed(p);
      expect(({} as Json).polluted).toBeUndefined();
    } finally {
      await terminateAll(cycleId, p);
    }
  });

  // -------------------------------------------------------------------------------------------
  // Item 5: the same nomination twice

  let twiceRun = 0;
  it('the same nominate request delivered two to four times (client, same update id, new update id; in turn or at once) makes one nomination', async () => {
    const p = twiceP;
    const cycleId = cycleOf(p);
    const target = fc.oneof(
      fc.constantFrom(...PIONEER_FIELDS).map((fieldId) => ({ listId: 'pioneer-tech', fieldId })),
      fc.constantFrom(
        { listId: 'emerging-enterprise', fieldId: undefined },
        { listId: 'tech-manager-pioneer', fieldId: undefined },
      ),
    );
    const run = fc.record({
      unitId: fc.constantFrom(...UNITS),
      target,
      paths: fc.array(fc.constantFrom('client', 'direct-same-update-id', 'direct-new-update-id'), {
        minLength: 2,
        maxLength: 4,
      }),
      concurrent: fc.boolean(),
      vary: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(run, async ({ unitId, target, paths, concurrent, vary }) => {
        const n = ++twiceRun;
        const key = `twice-${n}`;
        const kind = KIND_OF_LIST[target.listId];
        // Later deliveries may even carry other content: the key decides, the first one stands.
        const requests: NominateRequest[] = paths.map((_, i) => ({
          idempotencyKey: key,
          listId: target.listId,
          ...(target.fieldId ? { fieldId: target.fieldId } : {}),
          candidate: candidateOf(kind, vary && i > 0 ? `重复推荐-${n}-改${i}` : `重复推荐-${n}`),
          dossier: dossierOf(target.listId, target.fieldId),
        }));
        const deliver = (i: number) => {
          const label = `${paths[i]} #${i} of ${key}`;
          const call =
            paths[i] === 'client'
              ? stack.api.nominate(cycleId, unitId, requests[i])
              : unitHandle(p, unitId).executeUpdate(nominateUpdate, {
                  args: [requests[i]],
                  ...(paths[i] === 'direct-same-update-id' ? { updateId: `twice-update-${n}` } : {}),
                });
          return outcome<Nomination>(call, label, p);
        };
        const before = await unitState(p, unitId);
        const results = concurrent
          ? await Promise.all(paths.map((_, i) => deliver(i)))
          : await paths.reduce<Promise<Outcome<Nomination>[]>>(
              async (acc, _, i) => [...(await acc), await deliver(i)],
              Promise.resolve([]),
            );
        const values = results.map((r) => {
          if (!r.accepted) throw new Error(`a valid delivery was refused: ${JSON.stringify(r.rejection)}`);
          return r.value;
        });
        for (const v of values) expect(v).toEqual(values[0]);
        const after = await unitState(p, unitId);
        const mine = after.nominations.filter((x) => x.idempotencyKey === key);
        expect(mine).toEqual([values[0]]);
        expect(after.nominations).toHaveLength(before.nominations.length + 1);
        const sent = requests.map((r) => r.candidate.name);
        if (concurrent) expect(sent).toContain(values[0].candidate.name);
        else expect(values[0].candidate.name).toBe(sent[0]);
      }),
      fcParams(25),
    );
    await expectNoWorkflowTaskFailed(p);
  });

  // -------------------------------------------------------------------------------------------
  // Review stage of the "twice" cycle: reports twice, partReported twice, hostile reports.

  const REVIEW_PARTS: { listId: string; fieldId?: string; kind: Kind }[] = [
    ...PIONEER_FIELDS.map((fieldId) => ({ listId: 'pioneer-tech', fieldId, kind: 'tech' as Kind })),
    { listId: 'emerging-enterprise', kind: 'enterprise' },
    { listId: 'tech-manager-pioneer', kind: 'manager' },
  ];

  it('collection closes and the review bodies receive the nominations', async () => {
    const p = twiceP;
    const cycleId = cycleOf(p);
    // Every reviewed part gets nominations of its own (beyond the ones above).
    for (const [i, part] of REVIEW_PARTS.entries()) {
      for (const unitId of ['cie', 'csae']) {
        await stack.api.nominate(cycleId, unitId, {
          idempotencyKey: `review-${i}-${unitId}`,
          listId: part.listId,
          ...(part.fieldId ? { fieldId: part.fieldId } : {}),
          candidate: candidateOf(part.kind, `评审对象-${i}-${unitId}`),
          dossier: dossierOf(part.listId, part.fieldId),
        });
      }
    }
    await stack.sleepUntil(COLLECTION_CLOSES + 60_000, offset);
    let status = await cycleStatus(p);
    for (
      let i = 0;
      i < 50 && status.parts.some((x) => x.nominations === 0 && x.listId !== 'integrated-innovation-org');
      i++
    ) {
      await new Promise((r) => setTimeout(r, 200));
      status = await cycleStatus(p);
    }
    expect(status.stage).toBe('preliminary-review');
    expect(await reviewState(p, 'info-tech-consortium')).toMatchObject({
      parts: [{ fieldId: 'electronics' }],
    });
    await expectNoWorkflowTaskFailed(p);
  });

  const reviewResults = (ids: string[], flip = false) =>
    ids.map((nominationId, i) => ({
      nominationId,
      rank: i + 1,
      score: 90 - i,
      verdict: (i % 2 === 0) !== flip ? ('recommended' as const) : ('not-recommended' as const),
    }));
  const partOf = (state: ReviewBodyState, listId: string, fieldId?: string) =>
    state.parts.find((x) => x.listId === listId && x.fieldId === fieldId) as ReviewPartState;
  const reviewEntries = async (p: Programme, bodyId: string, key: string) =>
    (await cycleAudit(p)).filter(
      (e) =>
        e.action === 'review-results' && e.actor === `review:${bodyId}` && e.detail.startsWith(`${key}:`),
    );
  async function cycleSeesReport(p: Programme, bodyId: string, listId: string, fieldId?: string) {
    for (let i = 0; ; i++) {
      const part = (await cycleStatus(p)).parts.find((x) => x.listId === listId && x.fieldId === fieldId);
      const body = part?.reviewBodies.find((b) => b.bodyId === bodyId);
      if (body?.reportedAt !== undefined || i >= 50) return body;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('the same review report delivered again (any path, other content, at once) leaves the first standing', async () => {
    const p = twiceP;
    const cycleId = cycleOf(p);
    const bodyId = 'info-tech-consortium';
    const ids = partOf(await reviewState(p, bodyId), 'pioneer-tech', 'electronics').nominationIds;
    const report: ReviewReport = {
      listId: 'pioneer-tech',
      fieldId: 'electronics',
      results: reviewResults(ids),
    };
    const first = await stack.api.reportReview(cycleId, bodyId, report);
    expect(first.reportedAt).toBeDefined();
    const seen = await cycleSeesReport(p, bodyId, 'pioneer-tech', 'electronics');
    expect(seen?.reportedAt).toBe(first.reportedAt);
    const again = fc.record({
      paths: fc.array(fc.constantFrom('client', 'direct-same-update-id', 'direct-new-update-id'), {
        minLength: 1,
        maxLength: 3,
      }),
      concurrent: fc.boolean(),
      results: fc.oneof(
        fc.constant(report.results),
        fc.constant([]),
        fc.constant(reviewResults(ids, true)),
        fc.subarray(ids).map((sub) => reviewResults(sub, true)),
      ),
    });
    await fc.assert(
      fc.asyncProperty(again, async ({ paths, concurrent, results }) => {
        const repeat: ReviewReport = { ...report, results: [...results] as ReviewResultEntry[] };
        const deliver = (path: string, i: number) =>
          outcome<ReviewPartState>(
            path === 'client'
              ? stack.api.reportReview(cycleId, bodyId, repeat)
              : bodyHandle(p, bodyId).executeUpdate(reportReviewUpdate, {
                  args: [repeat],
                  ...(path === 'direct-same-update-id' ? { updateId: 'electronics-report-again' } : {}),
                }),
            `${path} #${i} repeat report`,
            p,
          );
        const outcomes = concurrent
          ? await Promise.all(paths.map(deliver))
          : await paths.reduce<Promise<Outcome<ReviewPartState>[]>>(
              async (acc, path, i) => [...(await acc), await deliver(path, i)],
              Promise.resolve([]),
            );
        for (const o of outcomes) {
          if (!o.accepted)
            throw new Error(`a repeated valid report was refused: ${JSON.stringify(o.rejection)}`);
          expect(o.value.reportedAt).toBe(first.reportedAt);
          expect(o.value.results).toEqual(first.results);
        }
        expect(partOf(await reviewState(p, bodyId), 'pioneer-tech', 'electronics')).toEqual(first);
        const body = await cycleSeesReport(p, bodyId, 'pioneer-tech', 'electronics');
        expect(body).toMatchObject({ reportedAt: first.reportedAt, shortlisted: Math.ceil(ids.length / 2) });
        expect(await reviewEntries(p, bodyId, 'pioneer-tech/electronics')).toHaveLength(1);
      }),
      fcParams(12),
    );
  });

  it('different first reports for one part at once: exactly one stands, everyone sees it, the cycle counts it once', async () => {
    const p = twiceP;
    const cycleId = cycleOf(p);
    const bodyId = 'intelligent-manufacturing-consortium';
    const fields = ['equipment', 'industrial-foundation'];
    let next = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('client', 'direct'), { minLength: 2, maxLength: 4 }),
        async (paths) => {
          const fieldId = fields[next++];
          const ids = partOf(await reviewState(p, bodyId), 'pioneer-tech', fieldId).nominationIds;
          const variants = paths.map((_, i) => ({
            listId: 'pioneer-tech',
            fieldId,
            results: reviewResults(ids, i % 2 === 1).slice(0, ids.length - (i % ids.length)),
          }));
          const outcomes = await Promise.all(
            paths.map((path, i) =>
              outcome<ReviewPartState>(
                path === 'client'
                  ? stack.api.reportReview(cycleId, bodyId, variants[i])
                  : bodyHandle(p, bodyId).executeUpdate(reportReviewUpdate, { args: [variants[i]] }),
                `${path} #${i} first report ${fieldId}`,
                p,
              ),
            ),
          );
          const values = outcomes.map((o) => {
            if (!o.accepted)
              throw new Error(`a valid first report was refused: ${JSON.stringify(o.rejection)}`);
            return o.value;
          });
          for (const v of values) expect(v).toEqual(values[0]);
          expect(variants.map((v) => v.results)).toContainEqual(values[0].results);
          const body = await cycleSeesReport(p, bodyId, 'pioneer-tech', fieldId);
          expect(body?.reportedAt).toBe(values[0].reportedAt);
          expect(await reviewEntries(p, bodyId, `pioneer-tech/${fieldId}`)).toHaveLength(1);
        },
      ),
      fcParams(fields.length),
    );
  });

  it('the partReported signal delivered two to four times to the cycle is counted once', async () => {
    const p = twiceP;
    const pairs = [
      { bodyId: 'life-science-consortium', fieldId: 'biomedicine' },
      { bodyId: 'advanced-materials-consortium', fieldId: 'advanced-materials' },
      { bodyId: 'eco-environment-consortium', fieldId: 'green-low-carbon' },
      { bodyId: 'clean-energy-consortium', fieldId: 'green-low-carbon' },
    ];
    let next = 0;
    const run = fc.record({
      times: fc.integer({ min: 2, max: 4 }),
      concurrent: fc.boolean(),
      vary: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(run, async ({ times, concurrent, vary }) => {
        const { bodyId, fieldId } = pairs[next++];
        const key = `pioneer-tech/${fieldId}`;
        const ids = partOf(await reviewState(p, bodyId), 'pioneer-tech', fieldId).nominationIds;
        const now = await stack.programmeNow(offset);
        const signals = Array.from({ length: times }, (_, i) => ({
          bodyId,
          listId: 'pioneer-tech',
          fieldId,
          reportedAt: vary ? now + i * 1000 : now,
          shortlist: vary && i > 0 ? ids : ids.slice(0, 1),
        }));
        const before = (await cycleStatus(p)).parts.find((x) => x.fieldId === fieldId);
        const send = (i: number) =>
          within(cycleHandle(p).signal(partReportedSignal, signals[i]), `partReported #${i} ${key}`, p);
        if (concurrent) await Promise.all(signals.map((_, i) => send(i)));
        else for (let i = 0; i < times; i++) await send(i);
        const body = await cycleSeesReport(p, bodyId, 'pioneer-tech', fieldId);
        const counted = concurrent ? signals.find((s) => s.reportedAt === body?.reportedAt) : signals[0];
        expect(counted).toBeDefined();
        expect(body).toMatchObject({
          reportedAt: counted?.reportedAt,
          shortlisted: counted?.shortlist.length,
        });
        // Give any stray duplicate time to land, then count.
        await new Promise((r) => setTimeout(r, 500));
        expect(await reviewEntries(p, bodyId, key)).toHaveLength(1);
        const after = (await cycleStatus(p)).parts.find((x) => x.fieldId === fieldId);
        // The part's other bodies are untouched.
        expect(after?.reviewBodies.filter((b) => b.bodyId !== bodyId)).toEqual(
          before?.reviewBodies.filter((b) => b.bodyId !== bodyId),
        );
      }),
      fcParams(pairs.length),
    );
    await expectNoWorkflowTaskFailed(p);
  });

  // -------------------------------------------------------------------------------------------
  // Item 4: hostile review reports

  it('hostile review reports, through KczgClient and directly: accepted only when valid (the first stands), else a stable code and no change', async () => {
    const p = twiceP;
    const cycleId = cycleOf(p);
    const BODIES: Record<string, { listId: string; fieldId?: string }[]> = {
      'kczg-secretariat': [{ listId: 'emerging-enterprise' }],
      ittn: [{ listId: 'tech-manager-pioneer' }],
      'info-tech-consortium': [{ listId: 'pioneer-tech', fieldId: 'electronics' }],
      'intelligent-manufacturing-consortium': [
        { listId: 'pioneer-tech', fieldId: 'equipment' },
        { listId: 'pioneer-tech', fieldId: 'industrial-foundation' },
      ],
    };
    const known = new Map<string, string[]>();
    for (const bodyId of Object.keys(BODIES)) {
      const state = await reviewState(p, bodyId);
      for (const part of state.parts)
        known.set(`${bodyId}|${part.listId}|${part.fieldId ?? ''}`, part.nominationIds);
    }
    const allIds = [...new Set([...known.values()].flat())];
    const entryArb = (ids: string[]) =>
      fc.oneof(
        {
          weight: 5,
          arbitrary: fc.record(
            {
              nominationId: ids.length > 0 ? fc.constantFrom(...ids) : fc.constant('none.1'),
              verdict: fc.constantFrom('recommended', 'not-recommended'),
              rank: fc.integer({ min: 1, max: 20 }),
              score: fc.double({ min: 0, max: 100, noNaN: true }),
              comment: fc.constantFrom('优秀', '😀', '\u0000'),
            },
            { requiredKeys: ['nominationId', 'verdict'] },
          ),
        },
        {
          weight: 3,
          arbitrary: fc
            .record({
              nominationId: fc.constantFrom<unknown>(
                ...allIds,
                'cie.999',
                'nobody.1',
                '',
                '__proto__',
                5,
                null,
                MISSING,
              ),
              verdict: fc.constantFrom<unknown>(
                'recommended',
                'not-recommended',
                'yes',
                'RECOMMENDED',
                '',
                null,
                1,
                MISSING,
              ),
              rank: fc.constantFrom<unknown>(MISSING, 1, 0, -1, 1.5, 'first', NaN, {}, null),
              score: fc.constantFrom<unknown>(MISSING, 88, NaN, Infinity, -Infinity, '90', 1e308, null, {}),
              comment: fc.constantFrom<unknown>(MISSING, 'ok', 5, {}, [], null),
            })
            .map((r) => objectWith(Object.entries(r))),
        },
        { weight: 1, arbitrary: fc.oneof(fc.constantFrom<unknown>(null, 5, 'x', []), protoKeyObject) },
      );
    const reportArb = fc
      .record({
        bodyId: fc.constantFrom(...Object.keys(BODIES)),
        partPick: fc.nat(),
        hostilePart: fc.option(fc.record({ listId: hostileListId, fieldId: hostileFieldId }), {
          nil: undefined,
          freq: 4,
        }),
      })
      .chain(({ bodyId, partPick, hostilePart }) => {
        const parts = BODIES[bodyId];
        const part = parts[partPick % parts.length];
        const ids = known.get(`${bodyId}|${part.listId}|${part.fieldId ?? ''}`) ?? [];
        const results = fc.oneof(
          { weight: 6, arbitrary: fc.array(entryArb(ids), { maxLength: 5 }) },
          {
            weight: 1,
            arbitrary: fc.constantFrom<unknown>(null, {}, 'all', 5, MISSING, {
              length: 1,
              0: { nominationId: ids[0], verdict: 'recommended' },
            }),
          },
        );
        return fc.record({ results, extra: extraKey }).map(({ results: r, extra }) => ({
          bodyId,
          payload: objectWith([
            ['listId', hostilePart ? hostilePart.listId : part.listId],
            ['fieldId', hostilePart ? hostilePart.fieldId : (part.fieldId ?? MISSING)],
            ['results', r],
            ...(extra ? [[extra.key, extra.value] as [string, unknown]] : []),
          ]),
        }));
      });
    const run = fc.record({
      via: fc.constantFrom('client', 'direct'),
      target: fc.oneof(
        { weight: 12, arbitrary: reportArb },
        // Only through the client: a body with nothing to review, or none at all.
        {
          weight: 1,
          arbitrary: fc.constantFrom('great-wall-institute', 'no-such-body', '__proto__').map((bodyId) => ({
            bodyId,
            payload: { listId: 'integrated-innovation-org', results: [] } as Json,
          })),
        },
      ),
    });
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(run, async ({ via, target: { bodyId, payload } }) => {
        const exists = Object.hasOwn(BODIES, bodyId);
        if (via === 'direct' && !exists) return;
        const before = exists ? await reviewState(p, bodyId) : undefined;
        const statusBefore = await cycleStatus(p);
        const label = `${via} reportReview ${bodyId} ${describeValue(payload)}`;
        const result = await outcome<ReviewPartState>(
          via === 'client'
            ? stack.api.reportReview(cycleId, bodyId, payload as unknown as ReviewReport)
            : bodyHandle(p, bodyId).executeUpdate(reportReviewUpdate, {
                args: [payload as unknown as ReviewReport],
              }),
          label,
          p,
        );
        if (!before) {
          expect(result.accepted).toBe(false);
          return;
        }
        const after = await reviewState(p, bodyId);
        const w = wire(via === 'client' ? nfc(payload) : payload);
        if (via === 'client' && clientRefusesRequest(w, REPORT_KEYS)) {
          expect(result).toMatchObject({ rejection: { code: 'INVALID' } });
        }
        if (!result.accepted) {
          expect(after).toEqual(before);
          expect(withoutNow(await cycleStatus(p)).parts).toEqual(withoutNow(statusBefore).parts);
          return;
        }
        accepted++;
        if (!wellFormedReport(w, before))
          throw new Error(`${label}: accepted a malformed report → ${describeValue(result.value)}`);
        const part = before.parts.find(
          (x) => x.listId === w.listId && (x.fieldId ?? '') === ((w.fieldId as string | undefined) ?? ''),
        ) as ReviewPartState;
        if (part.reportedAt !== undefined) {
          expect(result.value).toEqual(part); // the first stands
          expect(after).toEqual(before);
        } else {
          expect(result.value.results).toEqual(w.results);
          expect(after.parts).toContainEqual(result.value);
          const body = await cycleSeesReport(p, bodyId, part.listId, part.fieldId);
          expect(body?.reportedAt).toBe(result.value.reportedAt);
        }
      }),
      fcParams(110),
    );
    expect(accepted).toBeGreaterThan(0);
    await expectNoWorkflowTaskFailed(p);
  });

  // -------------------------------------------------------------------------------------------
  // Last: the tests whose bugs wedge a workflow (a workflow task failing over and over). Their
  // cycles start here, with their own programme clock, so that a wedge cannot spill into the
  // tests above (SDK 1.24's worker even fails as a whole when a legacy query meets such a task).

  // -------------------------------------------------------------------------------------------
  // Item 4: extensions

  it('hostile extensions (past, NaN, far future, unknown scopes, no reason): accepted only when valid, else a stable code and no change', async () => {
    const p = extendP;
    const cycleId = await startCycle(p);
    // A wedged workflow would slow every later time skip: end this cycle whatever happens.
    try {
      const DAY = 86_400_000;
      const untilArb = fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 60_000, max: 30 * DAY }).map((d) => ({ fromNow: d })) },
        { weight: 2, arbitrary: fc.integer({ min: -400 * DAY, max: -60_000 }).map((d) => ({ fromNow: d })) },
        {
          weight: 3,
          arbitrary: fc.constantFrom<unknown>(
            beijingToEpochMs('2030-01-01 00:00'),
            8e15,
            1e16,
            Number.MAX_SAFE_INTEGER,
            1e300,
            NaN,
            Infinity,
            -Infinity,
            0,
            -1,
            null,
            '2023-12-05 24:00',
            String(COLLECTION_CLOSES + DAY),
            MISSING,
            {},
          ),
        },
      );
      const scopeArb = fc.oneof(
        fc.record({
          kind: fc.constant('stage'),
          stage: fc.constantFrom<unknown>(
            'collection',
            'preliminary-review',
            'final-review',
            'publication',
            '',
            null,
            5,
            MISSING,
          ),
        }),
        fc.record({
          kind: fc.constant('unit'),
          unitId: fc.constantFrom<unknown>(
            ...UNITS,
            'nobody',
            '__proto__',
            'constructor',
            5,
            null,
            ['cie'],
            MISSING,
          ),
        }),
        fc.record({
          kind: fc.constant('part'),
          listId: fc.constantFrom<unknown>(
            'pioneer-tech',
            'emerging-enterprise',
            'tech-manager-pioneer',
            'no-such-list',
            ['pioneer-tech'],
            5,
            null,
            '__proto__',
            MISSING,
          ),
          fieldId: fc.constantFrom<unknown>(
            MISSING,
            ...PIONEER_FIELDS,
            'no-such-field',
            '',
            null,
            {},
            ['electronics'],
            7,
          ),
        }),
        fc.constantFrom<unknown>(
          null,
          'stage',
          [],
          {},
          { kind: 'everything' },
          { kind: '__proto__' },
          MISSING,
        ),
      );
      const reasonArb = fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom('材料补正', 'system outage 系统故障') },
        {
          weight: 2,
          arbitrary: fc.constantFrom<unknown>(
            '',
            '   ',
            '\u3000',
            5,
            null,
            {},
            [],
            MISSING,
            '\u0000',
            '😀',
            HUGE,
          ),
        },
      );
      const hostileRun = fc.record({
        via: fc.constantFrom('client', 'direct'),
        scope: scopeArb,
        until: untilArb,
        reason: reasonArb,
        extra: extraKey,
      });
      // Valid ones too, so every run also proves acceptance (and its effect).
      const validRun = fc.record({
        via: fc.constantFrom('client', 'direct'),
        scope: fc.oneof(
          fc
            .constantFrom('collection', 'preliminary-review', 'final-review')
            .map((stage) => ({ kind: 'stage', stage })),
          fc.constantFrom(...UNITS).map((unitId) => ({ kind: 'unit', unitId })),
          fc
            .constantFrom(...PIONEER_FIELDS)
            .map((fieldId) => ({ kind: 'part', listId: 'pioneer-tech', fieldId })),
        ),
        until: fc.integer({ min: 3_600_000, max: 30 * DAY }).map((d) => ({ fromNow: d })),
        reason: fc.constant('材料补正'),
        extra: fc.constant(undefined),
      });
      const run = fc.oneof({ weight: 3, arbitrary: hostileRun }, { weight: 1, arbitrary: validRun });
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(run, async ({ via, scope, until, reason, extra }) => {
          const now = await stack.programmeNow((await cycleStatus(p)).clockOffsetMs);
          const untilValue =
            isObject(until) && typeof until.fromNow === 'number' ? now + until.fromNow : until;
          const scopeValue = isObject(scope) ? objectWith(Object.entries(scope)) : scope;
          const request = objectWith([
            ['scope', scopeValue],
            ['until', untilValue],
            ['reason', reason],
            ...(extra ? [[extra.key, extra.value] as [string, unknown]] : []),
          ]);
          const before = await cycleStatus(p);
          const auditBefore = await cycleAudit(p);
          const label = `${via} extend ${describeValue(request)}`;
          const result = await outcome(
            via === 'client'
              ? stack.api.extend(cycleId, request as unknown as ExtendRequest)
              : cycleHandle(p).executeUpdate(extendUpdate, { args: [request as unknown as ExtendRequest] }),
            label,
            p,
          );
          const after = await cycleStatus(p);
          const w = wire(via === 'client' ? nfc(request) : request);
          if (via === 'client' && clientRefusesRequest(w, EXTEND_KEYS)) {
            expect(result).toMatchObject({ rejection: { code: 'INVALID' } });
          }
          if (!result.accepted) {
            expect(withoutNow(after)).toEqual(withoutNow(before));
            expect(await cycleAudit(p)).toEqual(auditBefore);
            return;
          }
          accepted++;
          if (!wellFormedExtend(w, before, p, now))
            throw new Error(`${label}: accepted a malformed or out-of-range extension`);
          const s = (w as { scope: Json }).scope;
          const u = (w as { until: number }).until;
          if (s.kind === 'unit') expect(after.unitExtensions[s.unitId as string]).toBe(u);
          else if (s.kind === 'part') {
            expect(
              after.parts.find(
                (x) =>
                  x.listId === s.listId &&
                  noField(x.fieldId) === noField(s.fieldId) &&
                  (noField(s.fieldId) || x.fieldId === s.fieldId),
              )?.dueAt,
            ).toBe(u);
          } else if (s.stage === 'collection') expect(after.deadlines.collectionClosesAt).toBe(u);
          else if (s.stage === 'preliminary-review') expect(after.deadlines.preliminaryReviewDueAt).toBe(u);
          else expect(after.deadlines.finalReviewDueAt).toBe(u);
          expect((await cycleAudit(p)).filter((e) => e.action === 'extend')).toHaveLength(
            auditBefore.filter((e) => e.action === 'extend').length + 1,
          );
        }),
        fcParams(90),
      );
      expect(accepted).toBeGreaterThan(0);
      await expectNoWorkflowTaskFailed(p);
    } finally {
      await terminateAll(cycleId, p);
    }
  });

  // -------------------------------------------------------------------------------------------
  // Item 4: every other update with a malformed payload

  it('pause, resume, cancel, amend, withdraw, markComplete, finalComplete with malformed payloads: a stable code and no change, never a failed task', async () => {
    const p = updatesP;
    const cycleId = await startCycle(p);
    // A wedged workflow would slow every later time skip: end this cycle whatever happens.
    try {
      const seeded: Nomination[] = [];
      for (const name of ['修改对象一', '修改对象二']) {
        seeded.push(
          await stack.api.nominate(cycleId, 'cie', {
            idempotencyKey: `seed-${name}`,
            listId: 'pioneer-tech',
            fieldId: 'electronics',
            candidate: candidateOf('tech', name),
            dossier: dossierOf('pioneer-tech', 'electronics'),
          }),
        );
      }
      const payloadArb = fc.oneof(
        fc.constantFrom<unknown>(null, 5, 'reason', [], {}, true),
        fc
          .record({ reason: fc.oneof(hostileValue, fc.constantFrom('维护', 'ok')) })
          .map((r) => objectWith(Object.entries(r))),
        fc
          .record({
            nominationId: fc.constantFrom<unknown>(
              seeded[0].id,
              seeded[1].id,
              'cie.999',
              'csae.1',
              '__proto__',
              5,
              null,
              [seeded[0].id],
              MISSING,
            ),
            candidate: candidateArb('pioneer-tech'),
          })
          .map((r) => objectWith(Object.entries(r))),
        fc
          .record({
            winners: fc.constantFrom<unknown>(
              null,
              [],
              [null],
              [{ listId: 'pioneer-tech', nominationIds: 'x' }],
              5,
            ),
          })
          .map((r) => objectWith(Object.entries(r))),
        protoKeyObject,
      );
      const UPDATES = [
        'pause',
        'resume',
        'cancel',
        'amend',
        'withdraw',
        'markComplete',
        'finalComplete',
      ] as const;
      type UpdateName = (typeof UPDATES)[number];
      const send = (name: UpdateName, via: 'client' | 'direct', payload: unknown): Promise<unknown> => {
        const args = [payload as never] as [never];
        const reason = isObject(payload) ? (payload.reason as string) : (payload as string);
        switch (name) {
          case 'pause':
            return via === 'client'
              ? stack.api.pause(cycleId, reason)
              : cycleHandle(p).executeUpdate(pauseUpdate, { args });
          case 'resume':
            return via === 'client'
              ? stack.api.resume(cycleId, reason)
              : cycleHandle(p).executeUpdate(resumeUpdate, { args });
          case 'cancel':
            return via === 'client'
              ? stack.api.cancel(cycleId, reason)
              : cycleHandle(p).executeUpdate(cancelUpdate, { args });
          case 'amend':
            return via === 'client'
              ? stack.api.amend(cycleId, 'cie', (isObject(payload) ? payload : {}) as never)
              : unitHandle(p, 'cie').executeUpdate(amendUpdate, { args });
          case 'withdraw':
            return via === 'client'
              ? stack.api.withdraw(
                  cycleId,
                  'cie',
                  (isObject(payload) ? payload.nominationId : payload) as string,
                )
              : unitHandle(p, 'cie').executeUpdate(withdrawUpdate, { args });
          case 'markComplete':
            return via === 'client'
              ? stack.api.markComplete(cycleId, 'cie')
              : unitHandle(p, 'cie').executeUpdate(markCompleteUpdate, { args });
          case 'finalComplete':
            return via === 'client'
              ? stack.api.finalComplete(cycleId, (isObject(payload) ? payload : {}) as never)
              : cycleHandle(p).executeUpdate(finalCompleteUpdate, { args });
        }
      };
      /** What the workflow receives: the client wraps a bare reason or nomination id itself. */
      const delivered = (name: UpdateName, via: 'client' | 'direct', payload: unknown): unknown => {
        if (via === 'direct') return wire(payload);
        if (name === 'pause' || name === 'resume' || name === 'cancel') {
          return wire(nfc({ reason: isObject(payload) ? payload.reason : payload }));
        }
        if (name === 'withdraw')
          return wire(nfc({ nominationId: isObject(payload) ? payload.nominationId : payload }));
        return wire(nfc(isObject(payload) ? payload : {}));
      };
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...UPDATES),
          fc.constantFrom('client' as const, 'direct' as const),
          payloadArb,
          async (name, via, payload) => {
            const before = {
              status: withoutNow(await cycleStatus(p)),
              audit: await cycleAudit(p),
              unit: await unitState(p, 'cie'),
            };
            // A valid cancel would end the cycle, and with it this property's subject.
            if (name === 'cancel' && reasoned(delivered(name, via, payload))) return;
            const label = `${via} ${name} ${describeValue(payload)}`;
            const result = await outcome(send(name, via, payload), label, p);
            const after = {
              status: withoutNow(await cycleStatus(p)),
              audit: await cycleAudit(p),
              unit: await unitState(p, 'cie'),
            };
            if (!result.accepted) {
              expect(after).toEqual(before);
              return;
            }
            const w = delivered(name, via, payload);
            const valid =
              name === 'markComplete' ||
              ((name === 'pause' || name === 'resume' || name === 'cancel') && reasoned(w)) ||
              (name === 'withdraw' &&
                isObject(w) &&
                before.unit.nominations.some((n) => n.id === w.nominationId)) ||
              (name === 'amend' &&
                isObject(w) &&
                before.unit.nominations.some((n) => n.id === w.nominationId) &&
                wellFormedCandidate(w.candidate));
            if (!valid) throw new Error(`${label}: accepted a malformed request`);
          },
        ),
        fcParams(70),
      );
      await expectNoWorkflowTaskFailed(p);
    } finally {
      await terminateAll(cycleId, p);
    }
  });

  // -------------------------------------------------------------------------------------------
  // Item 4: signals sent directly (no validator can refuse them: the handlers must)

  it('malformed partReported, mailFailed and collectionDeadline signals change nothing and never fail a workflow task', async () => {
    const p = signalsP;
    const cycleId = await startCycle(p);
    // A wedged workflow would slow every later time skip: end this cycle whatever happens.
    try {
      const now = await stack.programmeNow((await cycleStatus(p)).clockOffsetMs);
      const part = fc
        .record({
          bodyId: fc.constantFrom<unknown>('info-tech-consortium', 'no-such-body', 5, null, {}, MISSING),
          listId: fc.constantFrom<unknown>('pioneer-tech', 5, null, ['pioneer-tech'], MISSING),
          fieldId: fc.constantFrom<unknown>('electronics', MISSING, 5, {}),
          reportedAt: fc.constantFrom<unknown>(now, 'now', null, NaN, {}, MISSING),
          shortlist: fc.constantFrom<unknown>(
            [],
            ['cie.1'],
            'cie.1',
            null,
            [5],
            [{}],
            { length: 3 },
            MISSING,
          ),
        })
        .map((r) => objectWith(Object.entries(r)))
        .filter((r) => {
          // Only malformed ones: a well-formed signal is a body's report and counts.
          const w = wire(r) as Json;
          const wellFormed =
            w.bodyId === 'info-tech-consortium' &&
            w.listId === 'pioneer-tech' &&
            (w.fieldId === undefined || typeof w.fieldId === 'string') &&
            typeof w.reportedAt === 'number' &&
            Array.isArray(w.shortlist) &&
            w.shortlist.every((id) => typeof id === 'string');
          return !wellFormed;
        });
      const signal = fc.oneof(
        fc.record({
          to: fc.constant('partReported' as const),
          payload: fc.oneof(part, fc.constantFrom<unknown>(null, 5, 'x', [])),
        }),
        fc.record({
          to: fc.constant('mailFailed' as const),
          payload: fc.constantFrom<unknown>(null, 5, 'x', []),
        }),
        fc.record({
          to: fc.constant('collectionDeadline' as const),
          payload: fc.constantFrom<unknown>(
            null,
            5,
            {},
            { closesAt: 'tomorrow', paused: false },
            { closesAt: 1e300, paused: false },
            { closesAt: NaN, paused: 'no' },
          ),
        }),
      );
      await fc.assert(
        fc.asyncProperty(signal, async ({ to, payload }) => {
          const before = { parts: (await cycleStatus(p)).parts, unit: await unitState(p, 'cie') };
          const label = `signal ${to} ${describeValue(payload)}`;
          const target = to === 'collectionDeadline' ? unitHandle(p, 'cie') : cycleHandle(p);
          if (to === 'collectionDeadline') {
            await within(target.signal(collectionDeadlineSignal, payload as never), label, p);
          } else if (to === 'mailFailed') {
            await within(target.signal(mailFailedSignal, payload as never), label, p);
          } else {
            await within(target.signal(partReportedSignal, payload as never), label, p);
          }
          // Read the history, not a query, until the signal's task ran: a query to a workflow
          // whose task fails would never answer.
          await signalTaskOutcome(target.workflowId, label);
          const after = { parts: (await cycleStatus(p)).parts, unit: await unitState(p, 'cie') };
          expect(after).toEqual(before);
        }),
        fcParams(30),
      );
    } finally {
      await terminateAll(cycleId, p);
    }
  });
});
