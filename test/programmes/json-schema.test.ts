import fs from 'node:fs';
import path from 'node:path';
import { programmeJsonSchema } from '../../programmes/json-schema';

describe('programme JSON Schema for editors', () => {
  it('is committed and matches the zod schema (npm run build && npm run schema refreshes it)', () => {
    const committed = fs.readFileSync(
      path.resolve(__dirname, '..', '..', 'programmes', 'programme.schema.json'),
      'utf8',
    );
    expect(committed).toBe(programmeJsonSchema());
  });

  it('describes the stage times as Beijing "YYYY-MM-DD HH:mm" with 24:00', () => {
    const schema = JSON.parse(programmeJsonSchema());
    const closes = schema.properties.stages.properties.collection.properties.closes;
    expect(closes.pattern).toContain('24:00');
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'year', 'lists', 'stages', 'roster']));
  });
});
