/**
 * The programme-year schema: everything a notice says about one yearly call, as data.
 * Validated at load time (programmes/loader.ts); the inferred types are used everywhere else.
 * Workflow code imports only the types from here (`import type`), never the schema values.
 */
import { z } from 'zod';
import { checkCandidate, type Candidate } from './candidate';
import { budgetSchema, deliverablesSchema, fundingSchema } from './programme-awards';
import {
  beijingDateTimeSchema,
  bilingualSchema,
  chainParentSchema,
  cited,
  channelSchema,
  dateSchema,
  idSchema,
  noticeSourceSchema,
  reviewBodySchema,
  unitSchema,
} from './programme-basics';
import { formSchema } from './programme-forms';

export * from './programme-basics';
export * from './programme-forms';
export * from './programme-awards';

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
  /** The cycle this one recommends into (domain/chain.ts); absent for a top-level call. */
  parent: chainParentSchema.optional(),
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
