/**
 * The programme schema's shared pieces: bilingual text, ids, dates, contacts and the notice
 * sentence a rule or a datum cites.
 */
import { z } from 'zod';
import { EMAIL_PATTERN, isCalendarDate } from './candidate';

/** Chinese first, English where it helps. */
export const bilingualSchema = z.object({
  zh: z.string().min(1),
  en: z.string().min(1).optional(),
});
export type Bilingual = z.infer<typeof bilingualSchema>;

export const idSchema = z
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
export const cited = { source: noticeSourceSchema.optional() };

/**
 * A cycle that feeds another (a society's own call feeding the national one): the parent
 * programme, the unit this cycle recommends as there, and which parent list (and field) each
 * of its lists feeds when the names differ (omitted: the same id). Its deadlines must fall
 * before the parent's collection close (domain/chain.ts).
 */
export const chainParentSchema = z.object({
  programme: idSchema,
  unit: idSchema,
  /** Child list id → parent list id, where they differ. */
  lists: z.record(idSchema, idSchema).default({}),
  /** Child field id → parent field id, where they differ. */
  fields: z.record(idSchema, idSchema).default({}),
  ...cited,
});
export type ChainParent = z.infer<typeof chainParentSchema>;
