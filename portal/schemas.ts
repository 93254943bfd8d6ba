/**
 * The API's shapes, once, in zod: they validate requests, type the handlers and generate the
 * OpenAPI document. Instants go out as RFC 3339 with +08:00 (client/instants.ts).
 */
import { z } from 'zod';
import { CANDIDATE_FIELDS, type CandidateField } from '../domain/candidate';
import { ATTACHMENT_FORMATS } from '../domain/dossier';
import { rejectionCodes } from '../domain/rejections';

export const instant = z.string().describe('RFC 3339, Beijing time (+08:00)');

export const errorSchema = z
  .object({
    code: z.enum([...rejectionCodes, 'UNAUTHENTICATED', 'CSRF', 'NOT_FOUND', 'RATE_LIMITED', 'FAILURE']),
    field: z.string().optional(),
    rule: z.string().optional(),
    message: z.string(),
    fix: z.string().optional(),
    limit: z.number().optional(),
  })
  .describe('A refusal: stable code, the field and rule at fault, and how to fix it');

/** The error responses every route may give, for the document. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  422: errorSchema,
  429: errorSchema,
};

function fieldSchema(field: CandidateField): z.ZodType {
  const described = (schema: z.ZodType) =>
    schema.describe(`${field.description.zh} / ${field.description.en}`);
  switch (field.type) {
    case 'text':
      return described(z.string());
    case 'choice':
      return described(z.enum(field.values.map((v) => v.value) as [string, ...string[]]));
    case 'date':
      return described(z.string().describe('YYYY-MM-DD'));
    case 'flag':
      return described(z.boolean());
    case 'texts':
      return described(z.array(z.string()));
    case 'email':
      return described(z.string());
  }
}

/**
 * A candidate as the document shows it: every field of domain/candidate.ts. Limits, text policy
 * and unknown keys are checked by the same domain check the CLI and the workflows run, so the
 * refusal carries the domain's own field, rule and fix.
 */
export const candidateSchema = z
  .object(
    Object.fromEntries(
      Object.entries(CANDIDATE_FIELDS).map(([name, field]) => {
        const schema = fieldSchema(field as CandidateField);
        return [name, name === 'name' ? schema : schema.optional()];
      }),
    ),
  )
  .loose();

export const programmeParams = z.object({ programme: z.string().min(1).max(100) });
export const unitParams = programmeParams.extend({ unit: z.string().min(1).max(100) });
export const nominationParams = unitParams.extend({ nomination: z.string().min(1).max(100) });
export const bodyParams = programmeParams.extend({ body: z.string().min(1).max(100) });

export const pageQuery = z.object({
  cursor: z.string().max(20).optional().describe('from nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });

/** One page of `items`: the cursor is the next item's position, opaque to callers. */
export function paginate<T>(
  items: T[],
  query: z.infer<typeof pageQuery>,
): { items: T[]; nextCursor?: string } {
  const start = query.cursor
    ? Number.parseInt(Buffer.from(query.cursor, 'base64url').toString(), 10) || 0
    : 0;
  const end = start + query.limit;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextCursor: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

/** A stored attachment by reference (domain/dossier.ts AttachmentRef), as the upload returns it. */
export const attachmentRefSchema = z.object({
  sha256: z.string(),
  name: z.string(),
  slot: z.string(),
  format: z.enum(ATTACHMENT_FORMATS),
  size: z.number(),
  pages: z.number().optional(),
});

export const uploadQuery = z.object({
  listId: z.string().min(1).max(100),
  fieldId: z.string().min(1).max(100).optional(),
  slot: z.string().min(1).max(64).describe('the attachment slot of the part’s form, e.g. application-form'),
});

export const uploadedSchema = z.object({
  ref: attachmentRefSchema,
  created: z.boolean().describe('false when the same content was stored before'),
  renamed: z.boolean().describe('true when the file name was changed to make it safe'),
});

/**
 * A dossier (domain/dossier.ts): answers to the part's form, affirmed declarations, attachment
 * references. Checked against the part's form by the unit workflow (domain/forms.ts).
 */
export const dossierSchema = z
  .object({
    answers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
    declarations: z.array(z.object({ id: z.string(), text: z.string() })),
    attachments: z.array(attachmentRefSchema),
  })
  .describe('申报书 / the dossier the part’s form asks for (kczg nominate --dossier-template)');

export const nominationSchema = z.object({
  id: z.string(),
  unitId: z.string(),
  listId: z.string(),
  fieldId: z.string().optional(),
  candidate: candidateSchema,
  dossier: dossierSchema.optional(),
  idempotencyKey: z.string(),
  submittedAt: instant,
  amendedAt: instant.optional(),
});

export const quotaUsageSchema = z.object({
  listId: z.string(),
  fieldId: z.string().optional(),
  used: z.number(),
  limit: z.number(),
  remaining: z.number(),
});

export const unitStateSchema = z.object({
  unitId: z.string(),
  unitName: z.string(),
  collectionClosesAt: instant,
  paused: z.boolean(),
  open: z.boolean(),
  complete: z.boolean(),
  nominations: z.array(nominationSchema),
  usage: z.array(quotaUsageSchema),
  needsReview: z.array(
    z.object({
      nominationId: z.string(),
      flags: z.array(z.looseObject({ rule: z.string(), message: z.string() })),
    }),
  ),
  owes: z.array(z.string()).describe('what the unit still owes, as sentences (Chinese / English)'),
});

export const nominateBody = z.object({
  listId: z.string(),
  fieldId: z.string().optional(),
  candidate: candidateSchema,
  dossier: dossierSchema.optional(),
});

export const amendBody = z.object({
  candidate: candidateSchema,
  dossier: dossierSchema
    .optional()
    .describe('the whole corrected dossier; omitted, the nomination keeps its own'),
});

export const eligibilityBody = nominateBody
  .partial({ candidate: true })
  .extend({ candidate: z.looseObject({}) });
export const verdictSchema = z.object({
  status: z.enum(['eligible', 'needs-review', 'refused', 'invalid']),
  field: z.string().optional(),
  rule: z.string().optional(),
  message: z.string(),
});

export const stageSchema = z.object({
  key: z.string(),
  name: z.string(),
  startsAt: instant.optional(),
  deadlineAt: instant,
});

export const cyclePublicSchema = z.object({
  programmeId: z.string(),
  name: z.string(),
  year: z.number(),
  stage: z.string(),
  paused: z.boolean(),
  now: instant,
  timeline: z.array(stageSchema),
  published: z.object({ at: instant, winners: z.number() }).optional(),
});

export const reasonBody = z.object({ reason: z.string().min(1) });
export const extendBody = z.object({
  scope: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('stage'),
      stage: z.enum(['collection', 'preliminary-review', 'final-review']),
    }),
    z.object({ kind: z.literal('unit'), unitId: z.string() }),
    z.object({ kind: z.literal('part'), listId: z.string(), fieldId: z.string().optional() }),
  ]),
  until: z.string().describe('RFC 3339 with offset, or Beijing wall time "2023-12-05 24:00"'),
  reason: z.string().min(1),
});

export const cycleStatusSchema = z.looseObject({
  cycleId: z.string(),
  stage: z.string(),
  paused: z.boolean(),
  heldMailings: z.array(z.string()),
  unitExtensions: z.record(z.string(), instant),
});

export const auditEntrySchema = z.object({
  at: instant,
  actor: z.string(),
  action: z.string(),
  outcome: z.enum(['accepted', 'rejected', 'info']),
  detail: z.string(),
  code: z.string().optional(),
  /** A funded project's entry, merged into the cycle's log (client/cycle-audit.ts). */
  projectId: z.string().optional(),
});

export const reviewReportBody = z.object({
  listId: z.string(),
  fieldId: z.string().optional(),
  results: z.array(
    z.object({
      nominationId: z.string(),
      rank: z.number().int().optional(),
      score: z.number().optional(),
      verdict: z.enum(['recommended', 'not-recommended']),
      comment: z.string().optional(),
    }),
  ),
});

export const publishedFileSchema = z.object({
  name: z.string(),
  listId: z.string(),
  format: z.string(),
  href: z.string(),
});

export const publishedRowSchema = z.record(z.string(), z.union([z.string(), z.number()]));
export const publishedListSchema = z.object({
  listId: z.string(),
  title: z.string(),
  rows: z.array(publishedRowSchema),
});

// Expert review: the expert's and the chair's routes (portal/routes/review-*.ts).

export const expertParams = bodyParams.extend({ expert: z.string().min(1).max(64) });
export const expertDossierParams = expertParams.extend({ nomination: z.string().min(1).max(100) });
export const bodyDossierParams = bodyParams.extend({ nomination: z.string().min(1).max(100) });
const sha256Param = {
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe('the attachment’s SHA-256'),
};
export const expertAttachmentParams = expertDossierParams.extend(sha256Param);
export const bodyAttachmentParams = bodyDossierParams.extend(sha256Param);

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .describe('the same key from the same party returns the first answer, applied once'),
});

const bilingualName = z.object({ zh: z.string(), en: z.string().optional() });
export const criterionSchema = z.object({
  id: z.string(),
  name: bilingualName,
  weight: z.number(),
  min: z.number(),
  max: z.number(),
  step: z.number(),
});

const partRef = { listId: z.string(), fieldId: z.string().optional(), part: z.string() };

export const assignedDossierSchema = z.object({
  nominationId: z.string(),
  ...partRef,
  unitName: z.string(),
  candidateName: z.string(),
  status: z.enum(['to-score', 'scored', 'confirmed']),
  submittedAt: instant.optional(),
  total: z.number().optional().describe('the expert’s weighted total'),
});

const progressCounts = { assigned: z.number(), scored: z.number(), recused: z.number() };
export const expertProgressSchema = z.object({
  expertId: z.string(),
  name: z.string(),
  dueAt: instant,
  ...progressCounts,
  owing: z.number(),
  parts: z.array(z.object({ ...partRef, ...progressCounts })),
});

export const scoreSheetBody = z.object({
  scores: z.record(z.string(), z.number()).describe('criterion id → score on its scale'),
  recommend: z.boolean().describe('推荐 / recommend'),
  comment: z.string().max(2_000).optional(),
});

export const submittedSheetSchema = scoreSheetBody.extend({
  nominationId: z.string(),
  total: z.number(),
  submittedAt: instant,
});

export const conflictBody = z.object({
  nominationId: z.string().min(1).max(100),
  reason: z.string().min(1).max(500).describe('回避理由 / why the expert must not score it'),
});

export const expertReviewReceiptSchema = z.object({
  planFiledAt: instant.optional(),
  assigned: z.number(),
  scored: z.number(),
  conflicts: z.number(),
  shortfalls: z.array(z.object({ nominationId: z.string(), needed: z.number(), available: z.number() })),
});

export const dossierViewSchema = z.object({
  nominationId: z.string(),
  unitId: z.string(),
  unitName: z.string(),
  ...partRef,
  candidate: candidateSchema,
  answers: z.array(z.object({ id: z.string(), label: z.string(), value: z.string() })),
  declarations: z.array(z.object({ id: z.string(), text: z.string() })),
  attachments: z.array(
    attachmentRefSchema.extend({ slotLabel: z.string(), href: z.string().describe('download link') }),
  ),
  criteria: z.array(criterionSchema),
  confirmed: z.boolean().describe('the part’s shortlist is confirmed: no more scores'),
  sheet: submittedSheetSchema.optional().describe('the expert’s current sheet'),
});

const reviewResultSchema = reviewReportBody.shape.results.element;
export const panelSchema = z.object({
  bodyId: z.string(),
  dueAt: instant,
  planFiledAt: instant,
  criteria: z.array(criterionSchema),
  aggregation: bilingualName.describe('the ranking rule (domain/scoring.ts)'),
  parts: z.array(
    z.object({
      ...partRef,
      nominations: z.number(),
      owing: z.number().describe('assigned score sheets not yet submitted'),
      reportedAt: instant.optional(),
      experts: z.array(z.object({ expertId: z.string(), name: z.string(), ...progressCounts })),
      results: z.array(reviewResultSchema).optional().describe('the report the cycle received'),
    }),
  ),
});

export const rankedRowSchema = z.object({
  rank: z.number().optional(),
  nominationId: z.string(),
  candidateName: z.string(),
  unitName: z.string(),
  score: z.number().optional(),
  experts: z.number(),
  recommendVotes: z.number(),
  trimmed: z.boolean().describe('highest and lowest totals dropped (5 or more experts)'),
});
export const rankingSchema = z.object({
  ...partRef,
  reportedAt: instant.optional(),
  ranking: z.array(rankedRowSchema),
});

export const confirmBody = z.object({
  listId: z.string().min(1).max(100),
  fieldId: z.string().min(1).max(100).optional(),
  top: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('how many are recommended; omitted: by the experts’ votes'),
  reason: z.string().max(500).optional().describe('required while score sheets are outstanding (audited)'),
});

/** A review body's part as the cycle has it: its nominations and, once reported, its results. */
export const reviewPartSchema = z.object({
  listId: z.string(),
  fieldId: z.string().optional(),
  nominationIds: z.array(z.string()),
  reportedAt: instant.optional(),
  late: z.boolean().optional(),
  results: reviewReportBody.shape.results.optional(),
});
