/**
 * The candidate file's JSON Schema (`kczg nominate --candidate c.json`), generated from the table
 * checkCandidate reads (domain/candidate.ts), so the file documents exactly what is accepted:
 * every field, its allowed values and limits, in Chinese and English. A candidate file with
 * `"$schema": "./candidate.schema.json"` gets completion and checks in an editor.
 * `npm run schema` rewrites programmes/candidate.schema.json; a test keeps it current.
 */
import path from 'node:path';
import { CANDIDATE_FIELDS, EMAIL_PATTERN, type CandidateField } from '../domain/candidate';
import type { TextKind } from '../domain/text';

export const CANDIDATE_SCHEMA_FILE = path.resolve(
  __dirname,
  '..',
  '..',
  'programmes',
  'candidate.schema.json',
);

/**
 * The text policy (domain/text.ts) as far as a JSON Schema pattern can say it; the service checks
 * the full policy (all invisible formatting characters, NFC).
 */
const REFUSED_IN_NAMES =
  '\\u0000-\\u001F\\u007F-\\u009F\\u00AD\\u061C\\u200B\\u200E\\u200F\\u2028-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF';
const REFUSED_IN_PROSE =
  '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069';
const INVISIBLE = '\\s\\u200B-\\u200D\\u2060\\uFEFF\\u3164\\u2800';

const PATTERNS: Record<TextKind, string> = {
  name: `^(?=.*[^${INVISIBLE}])[^${REFUSED_IN_NAMES}]*$`,
  identifier: `^(?=.*[^${INVISIBLE}])[^${REFUSED_IN_NAMES}]*$`,
  free: `^[^${REFUSED_IN_PROSE}]*$`,
};

const POLICY: Record<TextKind, string> = {
  name: '单行可见文本，不含控制字符、双向控制符和不可见字符 / one line of visible text: no control, bidi or invisible characters',
  identifier:
    '单行可见文本，不含控制字符、双向控制符和不可见字符 / one line of visible text: no control, bidi or invisible characters',
  free: '可换行；不含其他控制字符和双向控制符 / line breaks allowed; no other control characters, no bidi overrides',
};

function describe(field: CandidateField): string {
  return `${field.description.zh} / ${field.description.en}`;
}

function fieldSchema(field: CandidateField): Record<string, unknown> {
  const description = describe(field);
  switch (field.type) {
    case 'text':
      return {
        type: 'string',
        description: `${description}\n${POLICY[field.kind]}`,
        ...(field.trim ? { minLength: 1 } : {}),
        maxLength: field.max,
        pattern: PATTERNS[field.kind],
        ...(field.example ? { examples: [field.example] } : {}),
      };
    case 'choice':
      return {
        description,
        enum: field.values.map((v) => v.value),
        oneOf: field.values.map((v) => ({ const: v.value, description: `${v.zh} / ${v.en}` })),
      };
    case 'date':
      return {
        type: 'string',
        description: `${description}（YYYY-MM-DD，须为真实日期 / a real calendar date）`,
        format: 'date',
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        examples: [field.example],
      };
    case 'flag':
      return { type: 'boolean', description };
    case 'texts':
      return {
        type: 'array',
        description,
        maxItems: field.maxItems,
        items: { type: 'string', maxLength: field.max, pattern: PATTERNS[field.kind] },
        ...(field.example ? { examples: [field.example] } : {}),
      };
    case 'email':
      return {
        type: 'string',
        description,
        format: 'email',
        maxLength: field.max,
        pattern: EMAIL_PATTERN.source,
        examples: ['office@example.org.cn'],
      };
  }
}

export function candidateJsonSchema(): string {
  const properties: Record<string, unknown> = {
    $schema: {
      type: 'string',
      description: '编辑器提示，不随候选信息提交 / editor hint, not sent with the candidate',
    },
  };
  const required: string[] = [];
  for (const [key, field] of Object.entries(CANDIDATE_FIELDS) as Array<[string, CandidateField]>) {
    properties[key] = fieldSchema(field);
    if (field.type === 'text' && field.required) required.push(key);
  }
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'kczg candidate / 候选信息（kczg nominate --candidate）',
    description:
      '一个候选的信息。只接受下列字段，未知字段会被拒绝；文本须为 Unicode NFC（kczg 客户端自动规范化）；各榜单要求的条件见方案文件 / One candidate. Only these fields are accepted (unknown fields are refused); texts must be Unicode NFC (the kczg client normalises them); the facts each list needs are in the programme file.',
    type: 'object',
    additionalProperties: false,
    required,
    properties,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
