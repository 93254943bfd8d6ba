/**
 * The programme-year schema: everything a notice says about one yearly call, as data.
 * Validated at load time (programmes/loader.ts); the inferred types are used everywhere else.
 * Workflow code imports only the types from here (`import type`), never the schema values.
 */
import { z } from 'zod';
import { checkCandidate, EMAIL_PATTERN, isCalendarDate, type Candidate } from './candidate';
import { ATTACHMENT_FORMATS } from './dossier';

/** Chinese first, English where it helps. */
export const bilingualSchema = z.object({
  zh: z.string().min(1),
  en: z.string().min(1).optional(),
});
export type Bilingual = z.infer<typeof bilingualSchema>;

const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and hyphens, e.g. "pioneer-tech"');

/** A calendar date, YYYY-MM-DD. */
export const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD, e.g. "2023-11-30"')
  .refine(isCalendarDate, 'a real calendar date');

/**
 * A Beijing (Asia/Shanghai) local date-time, "YYYY-MM-DD HH:mm". "24:00" means the end of that
 * day, as the notices write it ("2023年11月30日24:00").
 */
export const beijingDateTimeSchema = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2} (([01]\d|2[0-3]):[0-5]\d|24:00)$/,
    'a Beijing date-time as "YYYY-MM-DD HH:mm" ("24:00" = end of that day), e.g. "2023-11-30 24:00"',
  );

export const emailSchema = z.string().regex(EMAIL_PATTERN, 'an e-mail address');

export const contactSchema = z.object({
  name: z.string().min(1),
  email: emailSchema,
  phone: z.string().optional(),
});
export type Contact = z.infer<typeof contactSchema>;

export const reviewBodySchema = z.object({
  id: idSchema,
  name: bilingualSchema,
  contacts: z.array(contactSchema).min(1),
});
export type ReviewBody = z.infer<typeof reviewBodySchema>;

export const channelSchema = z.object({ id: idSchema, name: bilingualSchema });
export type Channel = z.infer<typeof channelSchema>;

export const unitSchema = z.object({
  id: idSchema,
  name: z.string().min(1),
  channels: z.array(idSchema).min(1),
  email: emailSchema,
  contact: z.string().optional(),
});
export type Unit = z.infer<typeof unitSchema>;

/**
 * The sentence of the notice a rule or a reference list encodes: the seed file (relative to
 * shared/seeds), its 1-based line, and a quote that occurs verbatim on that line.
 */
export const noticeSourceSchema = z.object({
  seed: z.string().regex(/^[\w.-]+\.txt$/, 'a seed file name, e.g. "001_467ba67e2393afa2.txt"'),
  line: z.number().int().positive(),
  quote: z.string().min(1),
});
export type NoticeSource = z.infer<typeof noticeSourceSchema>;

/** Every rule may cite its sentence; the presets always do (test/programmes/preset-sources.test.ts). */
const cited = { source: noticeSourceSchema.optional() };

// ---------------------------------------------------------------------------------------------
// Application forms (申报书): what a unit fills in, affirms and attaches; domain/forms.ts checks
// dossiers against them.

/** Answer keys: camelCase or hyphenated, e.g. "orgCode", "patent-count". */
const answerKeySchema = z
  .string()
  .regex(
    /^[a-zA-Z][a-zA-Z0-9-]{0,63}$/,
    'letters, digits and hyphens, starting with a letter, e.g. "orgCode"',
  );

/** The longest text answer a form may ask for: a dossier stays small (domain/forms.ts MAX_DOSSIER_BYTES). */
export const MAX_FORM_TEXT = 5_000;

const choiceOptionSchema = z.object({ value: z.string().min(1).max(100), label: bilingualSchema });

const formFieldBase = {
  id: answerKeySchema,
  label: bilingualSchema,
  required: z.boolean().default(false),
};

export const formFieldSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('text'),
    ...formFieldBase,
    minLength: z.number().int().nonnegative().optional(),
    maxLength: z.number().int().positive().max(MAX_FORM_TEXT),
    /** Prose with line breaks; otherwise one line. */
    multiline: z.boolean().default(false),
  }),
  z.object({
    type: z.literal('number'),
    ...formFieldBase,
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().default(false),
  }),
  z.object({
    type: z.literal('date'),
    ...formFieldBase,
    min: dateSchema.optional(),
    max: dateSchema.optional(),
  }),
  z.object({ type: z.literal('choice'), ...formFieldBase, options: z.array(choiceOptionSchema).min(1) }),
  z.object({
    type: z.literal('choices'),
    ...formFieldBase,
    options: z.array(choiceOptionSchema).min(1),
    minItems: z.number().int().nonnegative().optional(),
    maxItems: z.number().int().positive().optional(),
  }),
  z.object({ type: z.literal('boolean'), ...formFieldBase }),
  /** 统一社会信用代码, checked with its GB 32100-2015 check digit. */
  z.object({ type: z.literal('uscc'), ...formFieldBase }),
  z.object({ type: z.literal('email'), ...formFieldBase }),
  z.object({ type: z.literal('phone'), ...formFieldBase }),
]);
export type FormField = z.infer<typeof formFieldSchema>;

/** A qualitative condition of the notice as a statement the unit affirms, citing its sentence. */
export const declarationSchema = z.object({
  id: idSchema,
  text: z.string().min(1).max(500),
  source: noticeSourceSchema,
});
export type Declaration = z.infer<typeof declarationSchema>;

/**
 * Files a dossier attaches to one slot. `required`: at least one (and at least `minCount`);
 * optional slots take none or between `minCount` and `maxCount`.
 */
export const attachmentSlotSchema = z.object({
  id: idSchema,
  label: bilingualSchema,
  formats: z.array(z.enum(ATTACHMENT_FORMATS)).min(1),
  maxBytes: z.number().int().positive(),
  minCount: z.number().int().nonnegative().default(0),
  maxCount: z.number().int().positive().default(1),
  required: z.boolean().default(false),
});
export type AttachmentSlot = z.infer<typeof attachmentSlotSchema>;

export const formSchema = z.object({
  fields: z.array(formFieldSchema).default([]),
  declarations: z.array(declarationSchema).default([]),
  attachments: z.array(attachmentSlotSchema).default([]),
});
export type Form = z.infer<typeof formSchema>;

/**
 * Eligibility rules. Each names the candidate fact it reads; the engine (domain/eligibility.ts)
 * reports the rule and the fact that failed it, or flags it for review when only partial
 * reference data (a city list) stands in the way.
 */
export const eligibilityRuleSchema = z.discriminatedUnion('rule', [
  /** Founded at most `years` years before the cycle year (on or after 1 Jan of year - years). */
  z.object({ rule: z.literal('foundedWithinYears'), years: z.number().int().positive(), ...cited }),
  /** Founded strictly before a date (e.g. 2021-09-01); `orgTypes` restricts it to some types. */
  z.object({
    rule: z.literal('foundedBefore'),
    date: dateSchema,
    orgTypes: z.array(z.string()).optional(),
    ...cited,
  }),
  /** Registered in mainland China (not Hong Kong, Macao or Taiwan). */
  z.object({ rule: z.literal('mainlandOnly'), ...cited }),
  /**
   * Registered in, settled in or serving one of the programme's pilot cities, or a city of one of
   * the `orIn` city lists (e.g. 创新驱动示范市). A city in none is refused only when every list
   * involved is complete; otherwise it is flagged for review.
   */
  z.object({ rule: z.literal('pilotCityMember'), orIn: z.array(idSchema).optional(), ...cited }),
  /**
   * Not already a "科创中国" pilot city: a city on the pilot-city list is refused; one not on a
   * partial list is flagged for review.
   */
  z.object({ rule: z.literal('notPilotCity'), ...cited }),
  z.object({ rule: z.literal('orgTypeIn'), values: z.array(z.string()).min(1), ...cited }),
  /** At least one focus field in the set. */
  z.object({ rule: z.literal('focusFieldIn'), values: z.array(z.string()).min(1), ...cited }),
  z.object({ rule: z.literal('categoryIn'), values: z.array(z.string()).min(1), ...cited }),
  /** The nominee (a person) was born strictly after the date. */
  z.object({ rule: z.literal('bornAfter'), date: dateSchema, ...cited }),
  z.object({ rule: z.literal('notClassified'), ...cited }),
  /** Not on the abnormal-operation or serious-dishonesty lists. */
  z.object({ rule: z.literal('goodStanding'), ...cited }),
  /** The nominee founded an enterprise registered at most `years` years before the cycle year. */
  z.object({
    rule: z.literal('founderOfEnterpriseWithinYears'),
    years: z.number().int().positive(),
    ...cited,
  }),
  z.object({ rule: z.literal('holdsCertification'), ...cited }),
  /**
   * Not a winner of an earlier published list. `years` limits which earlier years count
   * (omitted: any earlier year); `lists` limits which lists (omitted: the same list id);
   * `fields` limits which fields of those lists (omitted: any field), e.g. only the 2021
   * 突破短板关键技术榜 winners of its 装备制造 field.
   */
  z.object({
    rule: z.literal('notPriorWinner'),
    years: z.array(z.number().int()).optional(),
    lists: z.array(z.string()).optional(),
    fields: z.array(z.string()).optional(),
    ...cited,
  }),
]);
export type EligibilityRule = z.infer<typeof eligibilityRuleSchema>;

/** Per-channel quota: how many one unit of that channel may nominate. `default` covers the rest. */
export const quotaSchema = z.object({
  /** 'field': the number applies to each field of the list separately. */
  scope: z.enum(['list', 'field']),
  default: z.number().int().nonnegative(),
  perChannel: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** The sentence that sets the number; a quota without one is an assumption the preset records. */
  source: noticeSourceSchema.optional(),
});
export type Quota = z.infer<typeof quotaSchema>;

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

export const fieldSchema = z.object({
  id: idSchema,
  name: bilingualSchema,
  reviewBodies: z.array(idSchema).min(1),
  eligibility: z.array(eligibilityRuleSchema).optional(),
  funding: fundingSchema.optional(),
  deliverables: deliverablesSchema.optional(),
  /** Added to the list's form for nominations to this field. */
  form: formSchema.optional(),
});
export type Field = z.infer<typeof fieldSchema>;

export const listSchema = z.object({
  id: idSchema,
  name: bilingualSchema,
  /** 另行组织: organised separately, closed to channel nominations. */
  separatelyOrganised: z.boolean().default(false),
  candidateKind: z.enum(['technology', 'enterprise', 'organisation', 'person', 'project']),
  /** With fields, each field names its own review bodies; without, the list does. */
  fields: z.array(fieldSchema).optional(),
  reviewBodies: z.array(idSchema).optional(),
  quota: quotaSchema.optional(),
  eligibility: z.array(eligibilityRuleSchema).default([]),
  funding: fundingSchema.optional(),
  deliverables: deliverablesSchema.optional(),
  /** The application form of every nomination to the list (a field's form adds to it). */
  form: formSchema.optional(),
});
export type List = z.infer<typeof listSchema>;

export const reminderPolicySchema = z.object({
  daysBefore: z.array(z.number().int().positive()).default([14, 7, 3, 1]),
  /** Beijing local time of day, HH:mm. */
  at: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .default('09:00'),
  /** Move reminders off weekends and statutory holidays to the previous working day. */
  workingDaysOnly: z.boolean().default(true),
  /** Overdue notices every N days after a missed deadline; 0 turns them off. */
  overdueEveryDays: z.number().int().nonnegative().default(3),
  overdueMaxCount: z.number().int().nonnegative().default(5),
});
export type ReminderPolicy = z.infer<typeof reminderPolicySchema>;

export const stagesSchema = z.object({
  collection: z.object({ opens: beijingDateTimeSchema, closes: beijingDateTimeSchema }),
  preliminaryReview: z.object({ due: beijingDateTimeSchema }),
  finalReview: z.object({ due: beijingDateTimeSchema }),
  publication: z.object({ on: beijingDateTimeSchema }),
  promotion: z.object({ from: beijingDateTimeSchema, until: beijingDateTimeSchema }),
});
export type Stages = z.infer<typeof stagesSchema>;

/**
 * How far a reference list can be trusted. `complete` only when it names every member the notice
 * means: a value missing from a partial list is flagged for reviewers, never refused.
 */
export const referenceSchema = z.object({
  complete: z.boolean(),
  /** The sentences that name the listed values. */
  sources: z.array(noticeSourceSchema).default([]),
  /** What the list lacks and where it would come from. */
  missing: z.string().optional(),
});
export type Reference = z.infer<typeof referenceSchema>;

export const cityListSchema = referenceSchema.extend({
  name: bilingualSchema,
  cities: z.array(z.string()),
});
export type CityList = z.infer<typeof cityListSchema>;

export const programmeSchema = z.object({
  id: idSchema,
  year: z.number().int().min(2000).max(2100),
  name: bilingualSchema,
  issuer: bilingualSchema,
  /** The notice this preset encodes, relative to shared/seeds. */
  source: z.string().optional(),
  /** Values the notice left open and the preset chose: JSON path and why. */
  assumptions: z.array(z.object({ path: z.string(), note: z.string() })).default([]),
  channels: z.array(channelSchema).min(1),
  /** How quotas combine for a unit in several channels; the national notices add them up. */
  quotaCombination: z.enum(['sum', 'max']).default('sum'),
  /** The "科创中国" pilot cities (parks) the rules read; see pilotCitiesReference for how complete. */
  pilotCities: z.array(z.string()).default([]),
  /** Where pilotCities comes from. Absent: a partial list (no city is refused for not being on it). */
  pilotCitiesReference: referenceSchema.optional(),
  /** Further city lists rules name by id (pilotCityMember.orIn), e.g. 创新驱动示范市. */
  cityLists: z.record(idSchema, cityListSchema).default({}),
  lists: z.array(listSchema).min(1),
  budget: budgetSchema.optional(),
  reviewBodies: z.array(reviewBodySchema).min(1),
  finalReviewBody: reviewBodySchema,
  secretariat: reviewBodySchema,
  roster: z.object({
    /** True when the units are realistic samples, not a real roster. */
    sample: z.boolean(),
    units: z.array(unitSchema),
  }),
  stages: stagesSchema,
  reminders: reminderPolicySchema.default({
    daysBefore: [14, 7, 3, 1],
    at: '09:00',
    workingDaysOnly: true,
    overdueEveryDays: 3,
    overdueMaxCount: 5,
  }),
  publication: z
    .object({
      title: bilingualSchema.optional(),
      formats: z.array(z.enum(['html', 'csv', 'xlsx', 'json'])).default(['html', 'csv', 'xlsx', 'json']),
    })
    .default({ formats: ['html', 'csv', 'xlsx', 'json'] }),
});
export type Programme = z.infer<typeof programmeSchema>;
export type ProgrammeInput = z.input<typeof programmeSchema>;

/**
 * What a unit submits about a candidate. Facts are optional because lists ask for different
 * ones; an eligibility rule whose fact is missing fails with that fact named.
 */
/**
 * The candidate check of domain/candidate.ts as a zod schema, for callers that compose schemas
 * (import files, hostile-input properties). Workflows call checkCandidate directly.
 */
export const candidateSchema = z.unknown().transform((raw, ctx): Candidate => {
  const checked = checkCandidate(raw);
  if (checked.ok) return checked.candidate;
  ctx.addIssue({ code: 'custom', path: checked.issue.path, message: checked.issue.message });
  return z.NEVER;
});
export type { Candidate };
