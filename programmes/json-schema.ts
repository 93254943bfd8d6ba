/**
 * The programme file's JSON Schema, generated from the zod schema, for editors: a preset with
 * `"$schema": "./programme.schema.json"` gets completion and checks while it is written.
 * `npm run schema` rewrites programmes/programme.schema.json and candidate.schema.json (the
 * candidate file's, programmes/candidate-schema.ts); tests keep them current.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { programmeSchema } from '../domain/programme';
import { CANDIDATE_SCHEMA_FILE, candidateJsonSchema } from './candidate-schema';

export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'programmes', 'programme.schema.json');

export function programmeJsonSchema(): string {
  const schema = z.toJSONSchema(programmeSchema, { io: 'input' });
  return `${JSON.stringify({ ...schema, title: 'kczg programme-year / “科创中国”年度方案' }, null, 2)}\n`;
}

/** The candidate schema is read by people too (`kczg nominate --template` points at it): prettier-formatted. */
async function writeCandidateSchema(): Promise<void> {
  const prettier = await import('prettier');
  const options = await prettier.resolveConfig(CANDIDATE_SCHEMA_FILE);
  const text = await prettier.format(candidateJsonSchema(), { ...options, filepath: CANDIDATE_SCHEMA_FILE });
  fs.writeFileSync(CANDIDATE_SCHEMA_FILE, text);
}

if (require.main === module) {
  // Run from dist/programmes: write into the source tree.
  fs.writeFileSync(SCHEMA_FILE, programmeJsonSchema());
  void writeCandidateSchema().then(() =>
    console.log(`JSON Schema → ${SCHEMA_FILE}, ${CANDIDATE_SCHEMA_FILE}`),
  );
}
