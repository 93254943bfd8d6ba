/**
 * The tracking API's shapes in zod (issue 16): funded projects with their targets, dues and
 * reports, the owner's report, the secretariat's verdict, waiver and acceptance, the progress
 * export and the programme's funding. Instants go out as RFC 3339 with +08:00.
 */
import { z } from 'zod';
import { TARGET_UNITS } from '../domain/programme-awards';
import { attachmentRefSchema, instant, programmeParams } from './schemas';

export const projectParams = programmeParams.extend({ project: z.string().min(1).max(100) });
export const reportParams = projectParams.extend({ report: z.string().min(1).max(20) });

export const DUE_STATES = ['owed', 'overdue', 'submitted', 'accepted'] as const;
export type DueState = (typeof DUE_STATES)[number];

export const REPORT_STATES = ['submitted', 'accepted', 'rejected', 'more-requested'] as const;

export const targetViewSchema = z.object({
  id: z.string(),
  metric: z.string().describe('指标 / the metric, Chinese then English'),
  unit: z.enum(TARGET_UNITS),
  threshold: z.number().describe('the threshold in force (after waivers)'),
  noticeThreshold: z.number().describe('the threshold the notice states'),
  accepted: z.number().describe('the latest accepted cumulative figure (0 when none)'),
  met: z.boolean(),
  evidenceRequired: z.boolean(),
  platformConfirmation: z.boolean(),
  waivers: z.array(z.object({ threshold: z.number(), reason: z.string() })),
});

export const dueViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['half-yearly', 'year-end', 'final']),
  at: instant,
  status: z.enum(DUE_STATES),
});

export const figureSchema = z.object({
  target: z.string(),
  value: z.number(),
  evidence: z.array(attachmentRefSchema),
});

export const reportViewSchema = z.object({
  id: z.string(),
  dueId: z.string(),
  submittedAt: instant,
  figures: z.array(figureSchema),
  status: z.enum(REPORT_STATES),
  reason: z.string().optional().describe('the secretariat’s reason for a rejection or a request for more'),
  decidedAt: instant.optional(),
});

export const projectSummarySchema = z.object({
  projectId: z.string(),
  listId: z.string(),
  fieldId: z.string().optional(),
  partName: z.string(),
  owner: z.object({ unitId: z.string(), name: z.string() }),
  outcome: z.enum(['通过', '部分通过', '不通过']).describe('as things stand, or as recorded at acceptance'),
  acceptedAt: instant.optional().describe('when the acceptance was recorded'),
  owed: z.number().describe('reports owed (including overdue)'),
  overdue: z.number().describe('reports owed past their deadline'),
  nextDueAt: instant.optional(),
});

export const projectViewSchema = projectSummarySchema.extend({
  publishedAt: instant,
  now: instant.describe('programme time now'),
  pausedAt: instant.optional().describe('since when the secretariat paused the project'),
  targets: z.array(targetViewSchema),
  dues: z.array(dueViewSchema),
  reports: z.array(reportViewSchema),
});

export const projectListQuery = z.object({
  cursor: z.string().max(20).optional().describe('from nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  status: z
    .enum(['owed', 'overdue', 'pending', 'accepted', 'open'])
    .optional()
    .describe(
      'owed: a report is owed; overdue: one is late; pending: one awaits verification; accepted: acceptance recorded; open: not yet accepted',
    ),
});

export const submitReportBody = z.object({
  figures: z
    .array(
      z.object({
        target: z.string().max(100),
        value: z
          .union([z.number(), z.string().max(50)])
          .describe('the cumulative count reached so far; checked as a non-negative number'),
        evidence: z.array(attachmentRefSchema).max(20).default([]),
      }),
    )
    .max(50),
});

export const submittedSchema = z.object({ reportId: z.string(), dueId: z.string() });

export const verdictBody = z.object({
  decision: z
    .enum(['accept', 'reject', 'more'])
    .describe('accept, reject (with reason), ask for more (with reason)'),
  reason: z.string().max(500).optional(),
});

export const waiverBody = z.object({
  target: z.string().max(100),
  threshold: z.number().int().describe('the reduced threshold; 0 waives the target'),
  reason: z.string().max(500),
});

export const waiversSchema = z.array(
  z.object({ target: z.string(), threshold: z.number(), reason: z.string() }),
);

export const acceptanceSchema = z.object({
  outcome: z.enum(['通过', '部分通过', '不通过']),
  targets: z.array(
    z.object({
      target: z.string(),
      threshold: z.number(),
      reached: z.number(),
      met: z.boolean(),
      waived: z.boolean(),
    }),
  ),
});

export const exportQuery = z.object({ format: z.enum(['csv', 'xlsx', 'json']).default('csv') });

export const evidenceUploadedSchema = z.object({
  refs: z
    .array(attachmentRefSchema)
    .describe('one per stored file, in order; put them in the figure’s evidence'),
});

export const fundedPartSchema = z.object({
  listId: z.string(),
  fieldId: z.string().optional(),
  name: z.string(),
  slots: z.number().optional(),
  amountCny: z.number().optional().describe('per project, whole 元'),
  used: z.number().describe('published winners in the part'),
  plannedCny: z.number().optional().describe('slots × amount, when both are stated'),
  awardedCny: z.number().describe('the stated amounts of the published winners'),
  note: z.string().optional(),
});

export const fundingViewSchema = z.object({
  programmeId: z.string(),
  currency: z.literal('CNY'),
  published: z.boolean().describe('false before publication: nothing is used yet'),
  parts: z.array(fundedPartSchema),
  lists: z.array(
    z.object({
      listId: z.string(),
      name: z.string(),
      slots: z.number().optional(),
      used: z.number(),
      plannedCny: z.number(),
      awardedCny: z.number(),
    }),
  ),
  totals: z.object({
    slots: z.number().optional(),
    used: z.number(),
    plannedCny: z.number().describe('Σ slots × amount over the parts that state both'),
    awardedCny: z.number(),
    budgetCny: z.number().optional(),
  }),
});
