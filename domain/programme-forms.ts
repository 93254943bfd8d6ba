/**
 * Application forms (申报书) in the programme schema: what a unit fills in, affirms and attaches;
 * domain/forms.ts checks dossiers against them.
 */
import { z } from 'zod';
import { ATTACHMENT_FORMATS } from './dossier';
import { bilingualSchema, dateSchema, idSchema, noticeSourceSchema } from './programme-basics';

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

/**
 * One co-application a list requires (Henan's 试点市 "须同时申报" 一市一品, 百会链千企, 协同创新服务平台):
 * the unit's own nomination in `listId` that joins the bundle, named by the form's text answer
 * `answer` (its nomination id or the idempotency key it was filed under). An applicant with two
 * nominations in that list names the one that joins; list a list twice to require two.
 */
export const coApplicationSchema = z.object({
  listId: idSchema,
  answer: answerKeySchema,
});
export type CoApplication = z.infer<typeof coApplicationSchema>;

/**
 * A bundle: a nomination to the list is filed with its co-applications. If it wins, they become
 * its sub-projects and leave their own lists' selection; if not, they are reviewed on their own
 * (domain/bundles.ts).
 */
export const coApplicationsSchema = z.object({
  required: z.array(coApplicationSchema).min(1),
  /** The sentence that requires the co-applications. */
  source: noticeSourceSchema,
  /** The sentence that lets an applicant with two name the one that joins, when the notice has one. */
  choice: noticeSourceSchema.optional(),
});
export type CoApplications = z.infer<typeof coApplicationsSchema>;

export const formSchema = z
  .object({
    fields: z.array(formFieldSchema).default([]),
    declarations: z.array(declarationSchema).default([]),
    attachments: z.array(attachmentSlotSchema).default([]),
    /** On a list's own form only: the co-applications a nomination to the list is filed with. */
    coApplications: coApplicationsSchema.optional(),
  })
  .superRefine((form, ctx) => {
    for (const [i, link] of (form.coApplications?.required ?? []).entries()) {
      const field = form.fields.find((f) => f.id === link.answer);
      if (field?.type !== 'text') {
        ctx.addIssue({
          code: 'custom',
          path: ['coApplications', 'required', i, 'answer'],
          message: `"${link.answer}" must be a text field of this form: the answer naming the co-application`,
        });
      }
    }
  });
export type Form = z.infer<typeof formSchema>;
