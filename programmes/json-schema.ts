/**
 * The programme file's JSON Schema, generated from the zod schema, for editors: a preset with
 * `"$schema": "./programme.schema.json"` gets completion and checks while it is written.
 * `npm run schema` rewrites programmes/programme.schema.json; a test keeps it current.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { programmeSchema } from '../domain/programme';

export const SCHEMA_FILE = path.resolve(__dirname, '..', '..', 'programmes', 'programme.schema.json');

export function programmeJsonSchema(): string {
  const schema = z.toJSONSchema(programmeSchema, { io: 'input' });
  return `${JSON.stringify({ ...schema, title: 'kczg programme-year / “科创中国”年度方案' }, null, 2)}\n`;
}

if (require.main === module) {
  // Run from dist/programmes: write into the source tree.
  fs.writeFileSync(SCHEMA_FILE, programmeJsonSchema());
  console.log(`JSON Schema → ${SCHEMA_FILE}`);
}
