/**
 * Awards in the programme schema: what a notice funds (slots, amounts, budget) and the
 * deliverables its winners report on until acceptance.
 */
import { z } from 'zod';
import {
  beijingDateTimeSchema,
  bilingualSchema,
  cited,
  idSchema,
  noticeSourceSchema,
} from './programme-basics';

/**
 * What a notice funds for a list or a field: how many projects (slots) and how much each
 * (whole 元; the notices write 万元, 1万元 = 10,000 元). A notice that states no number leaves it
 * out and says so in `note`: slots without an amount, or neither (e.g. a service contract).
 * A list's funding covers all its fields together; a field's covers that field.
 */
export const fundingSchema = z.object({
  slots: z.number().int().positive().optional(),
  amountCny: z.number().int().positive().optional(),
  currency: z.literal('CNY').default('CNY'),
  /** What the notice states beyond the numbers, or that it states none. */
  note: z.string().min(1).optional(),
  ...cited,
});
export type Funding = z.infer<typeof fundingSchema>;

/** A programme's total budget, when its notice states one; final review may not exceed it. */
export const budgetSchema = z.object({
  totalCny: z.number().int().positive(),
  currency: z.literal('CNY').default('CNY'),
  ...cited,
});
export type Budget = z.infer<typeof budgetSchema>;

/** Units the notices count deliverables in. */
export const TARGET_UNITS = [
  '项',
  '家',
  '位',
  '名',
  '人',
  '篇',
  '次',
  '场',
  '个',
  '份',
  '部',
  '条',
  '天',
  '万人次',
] as const;

/**
 * One measurable deliverable: "汇聚50项以上可转移转化的科技成果" is 50 项 of one metric.
 * A qualitative duty ("组织论文出版") is 1 of its unit.
 */
export const targetSchema = z.object({
  id: idSchema,
  metric: bilingualSchema,
  unit: z.enum(TARGET_UNITS),
  threshold: z.number().int().positive(),
  /** Each reported figure must come with evidence files. */
  evidenceRequired: z.boolean().default(false),
  /** The notice wants the figure confirmed on an outside platform ("须经“科创中国”平台确认"). */
  platformConfirmation: z.boolean().default(false),
  source: noticeSourceSchema,
});
export type Target = z.infer<typeof targetSchema>;

export const REPORT_KINDS = ['half-yearly', 'year-end', 'final'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/** A report due: whole months after publication (Beijing end of that day), or a fixed date-time. */
export const reportDueSchema = z.discriminatedUnion('at', [
  z.object({
    at: z.literal('after-publication'),
    kind: z.enum(REPORT_KINDS),
    months: z.number().int().positive().max(60),
  }),
  z.object({ at: z.literal('fixed'), kind: z.enum(REPORT_KINDS), on: beijingDateTimeSchema }),
]);
export type ReportDue = z.infer<typeof reportDueSchema>;

/**
 * What a funded project owes after publication: its targets, its reporting calendar (the last
 * report is the final one) and, where the notice allows thresholds to be reduced ("可适当抵减"),
 * the sentence that allows it.
 */
export const deliverablesSchema = z.object({
  targets: z.array(targetSchema).min(1),
  reports: z.array(reportDueSchema).min(1),
  reduction: noticeSourceSchema.optional(),
});
export type Deliverables = z.infer<typeof deliverablesSchema>;
