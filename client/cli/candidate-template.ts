/**
 * `kczg nominate --template`: an example candidate file, with `$schema` pointing at the JSON Schema
 * (programmes/candidate.schema.json) so editors complete and check it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REGIONS, STANDINGS } from '../../domain/candidate';
import type { Dossier } from '../../domain/dossier';
import { formFor } from '../../domain/forms';
import { sampleDossier } from '../../domain/forms-sample';
import type { Form, Programme } from '../../domain/programme';

export const CANDIDATE_SCHEMA = 'programmes/candidate.schema.json';

/** The field list for help texts: names, and the allowed values where there is a fixed set. */
export const CANDIDATE_FIELDS_HELP = [
  `候选文件 / candidate file (JSON Schema: ${CANDIDATE_SCHEMA}; 示例 / example: kczg nominate --template):`,
  '  name*, identity (统一社会信用代码), region, city, foundedOn / birthDate / enterpriseFoundedOn (YYYY-MM-DD),',
  '  orgType, focusFields [..], category, classified, standing, certified, summary, contactEmail',
  `  region: ${REGIONS.join(' | ')}`,
  `  standing: ${STANDINGS.join(' | ')}`,
].join('\n');

/** The package's root (where programmes/ lives), from dist/client/cli or client/cli alike. */
function packageRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'programmes')))
      return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

/** An organisation nominated to 先导技术榜 · 电子信息 (national-2023); `$schema` relative to `fromDir`. */
export function candidateTemplate(fromDir: string): Record<string, unknown> {
  const schema = path.relative(fromDir, path.join(packageRoot(), CANDIDATE_SCHEMA)).split(path.sep).join('/');
  return {
    $schema: schema,
    name: '高性能射频前端芯片关键技术',
    identity: '91110000MA01ABCD2X',
    region: 'mainland',
    city: '宁波市',
    foundedOn: '2015-03-01',
    classified: false,
    standing: 'good',
    summary: '面向 5G 终端的射频前端芯片，已在三家整机企业量产应用。',
    contactEmail: 'contact@example.org',
  };
}

/** A candidate file as the server takes it: `$schema` is for editors and is not sent. */
export function withoutSchemaKey(candidate: unknown): unknown {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) return candidate;
  const rest = { ...(candidate as Record<string, unknown>) };
  delete rest.$schema;
  return rest;
}

/** The part's form, or an error naming the parts that have one. */
function partForm(programme: Programme, listId: string, fieldId?: string): Form {
  const list = programme.lists.find((l) => l.id === listId);
  const form = list && formFor(list, fieldId);
  if (!form) {
    throw new Error(
      `${programme.id} 的 ${listId}${fieldId ? `/${fieldId}` : ''} 没有申报表 / has no application form; ` +
        `榜单 / lists: ${programme.lists.map((l) => l.id).join(', ')}`,
    );
  }
  return form;
}

/**
 * A dossier for a part of the programme, from its form: example answers to replace, every
 * declaration as the notice words it (keep a declaration only if it holds: the unit affirms it),
 * and no attachments (they are uploaded first; their references go here).
 */
export function dossierTemplate(programme: Programme, listId: string, fieldId?: string): Dossier {
  return sampleDossier(partForm(programme, listId, fieldId), { attachments: [] });
}

/** The form read aloud: each answer with its type, each declaration, each attachment slot. */
export function formGuide(programme: Programme, listId: string, fieldId?: string): string {
  const form = partForm(programme, listId, fieldId);
  const star = (required: boolean) => (required ? '*' : '');
  return [
    `申报表 / application form: ${programme.id} ${listId}${fieldId ? `/${fieldId}` : ''}（* 必填 / required）`,
    '答案 / answers:',
    ...form.fields.map((f) => `  ${f.id}${star(f.required)} (${f.type}) ${f.label.zh}`),
    '声明（原文照录）/ declarations (word for word):',
    ...form.declarations.map((d) => `  ${d.id}: ${d.text}`),
    '附件 / attachments:',
    ...form.attachments.map(
      (a) =>
        `  ${a.id}${star(a.required)} ${a.label.zh}: ${a.formats.join('/')}, ≤ ${Math.floor(a.maxBytes / 1024 / 1024)} MiB, ≤ ${a.maxCount}`,
    ),
  ].join('\n');
}
