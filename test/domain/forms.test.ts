import type { Dossier } from '../../domain/dossier';
import { checkDossier, formFor, MAX_DOSSIER_BYTES } from '../../domain/forms';
import { placeholderAttachments, sampleDossier, sampleUscc } from '../../domain/forms-sample';
import { isUscc, usccCheckCharacter } from '../../domain/forms-uscc';
import { formSchema, type Form } from '../../domain/programme';
import { listPresetIds, loadProgramme } from '../../programmes/loader';

const label = (zh: string) => ({ zh, en: zh });
const source = { seed: '001_467ba67e2393afa2.txt', line: 83, quote: '未发生重大安全' };

const form: Form = formSchema.parse({
  fields: [
    { type: 'text', id: 'title', label: label('名称'), required: true, maxLength: 10, minLength: 2 },
    { type: 'text', id: 'summary', label: label('简介'), maxLength: 50, multiline: true },
    { type: 'number', id: 'employees', label: label('人数'), min: 0, max: 1000, integer: true },
    { type: 'date', id: 'foundedOn', label: label('成立日期'), min: '2000-01-01' },
    {
      type: 'choice',
      id: 'stage',
      label: label('阶段'),
      options: [
        { value: 'lab', label: label('实验室') },
        { value: 'pilot', label: label('中试') },
      ],
    },
    {
      type: 'choices',
      id: 'domains',
      label: label('领域'),
      minItems: 1,
      maxItems: 2,
      options: ['ai', 'db', 'os'].map((value) => ({ value, label: label(value) })),
    },
    { type: 'boolean', id: 'inPilotCity', label: label('试点城市') },
    { type: 'uscc', id: 'orgCode', label: label('统一社会信用代码'), required: true },
    { type: 'email', id: 'contactEmail', label: label('邮箱') },
    { type: 'phone', id: 'contactPhone', label: label('电话') },
  ],
  declarations: [
    { id: 'no-accident', text: '未发生重大安全、质量事故', source },
    { id: 'good-standing', text: '未列入经营异常名录', source },
  ],
  attachments: [
    { id: 'application-form', label: label('申报书'), formats: ['pdf'], maxBytes: 1000, required: true },
    {
      id: 'evidence',
      label: label('证明材料'),
      formats: ['pdf', 'png'],
      maxBytes: 500,
      minCount: 2,
      maxCount: 3,
    },
  ],
});

const sha = (digit: string) => digit.repeat(64);
const good: Dossier = {
  answers: {
    title: '量子芯片',
    summary: '第一行\n第二行',
    employees: 12,
    foundedOn: '2016-05-01',
    stage: 'pilot',
    domains: ['ai', 'db'],
    inPilotCity: true,
    orgCode: '91350100M000100Y43',
    contactEmail: 'a@example.org',
    contactPhone: '010-68767227',
  },
  declarations: [
    { id: 'no-accident', text: '未发生重大安全、质量事故' },
    { id: 'good-standing', text: '未列入经营异常名录' },
  ],
  attachments: [
    { sha256: sha('a'), name: '申报书.pdf', slot: 'application-form', format: 'pdf', size: 900, pages: 3 },
  ],
};

const withAnswer = (key: string, value: unknown) => ({ ...good, answers: { ...good.answers, [key]: value } });
const problemsOf = (dossier: unknown) =>
  checkDossier(form, dossier).map(({ code, field, rule }) => ({ code, field, rule }));

describe('统一社会信用代码 check digit (GB 32100-2015)', () => {
  it.each([
    ['91350100M000100Y43', 'the standard’s own example'],
    ['914403001922038216', 'Huawei Technologies'],
    ['9144030071526726XG', 'Tencent (Shenzhen)'],
    ['91330100716105852F', 'Alibaba (China)'],
    ['91110000802100433B', 'Baidu Online'],
    ['91110108551385082Q', 'Xiaomi Technology'],
  ])('accepts %s (%s)', (code) => {
    expect(isUscc(code)).toBe(true);
  });

  it.each([
    ['91350100M000100Y44', 'last character changed'],
    ['91350100M000100Y4', '17 characters'],
    ['91350100M000100Y433', '19 characters'],
    ['91350100m000100y43', 'lower case'],
    ['91350100M0001O0Y43', 'the letter O is not in the alphabet'],
    ['9144030071526726XS', 'S is never a check character'],
    ['914403001922038261', 'two digits swapped'],
    ['91AB0100M000100Y43', 'the region code must be digits'],
  ])('refuses %s (%s)', (code) => {
    expect(isUscc(code)).toBe(false);
  });

  it('computes the check character over the first 17', () => {
    expect(usccCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(usccCheckCharacter('91350100M000100I4')).toBeUndefined();
  });
});

describe('checkDossier', () => {
  it('passes a complete, well-formed dossier', () => {
    expect(checkDossier(form, good)).toEqual([]);
  });

  it.each<[string, unknown, { field: string; rule: string }]>([
    [
      'a required text missing',
      withAnswer('title', undefined),
      { field: 'dossier.answers.title', rule: 'required' },
    ],
    [
      'a text too long',
      withAnswer('title', '一二三四五六七八九十一'),
      { field: 'dossier.answers.title', rule: 'max-length' },
    ],
    ['a text too short', withAnswer('title', '一'), { field: 'dossier.answers.title', rule: 'min-length' }],
    ['a number for a text', withAnswer('title', 42), { field: 'dossier.answers.title', rule: 'type' }],
    [
      'a line break in a one-line text',
      withAnswer('title', '量子\n芯片'),
      { field: 'dossier.answers.title', rule: 'control' },
    ],
    ['a number as text', withAnswer('employees', '12'), { field: 'dossier.answers.employees', rule: 'type' }],
    [
      'a fraction for an integer',
      withAnswer('employees', 1.5),
      { field: 'dossier.answers.employees', rule: 'integer' },
    ],
    [
      'a number over its maximum',
      withAnswer('employees', 1001),
      { field: 'dossier.answers.employees', rule: 'range' },
    ],
    [
      'an impossible date',
      withAnswer('foundedOn', '2023-02-30'),
      { field: 'dossier.answers.foundedOn', rule: 'type' },
    ],
    [
      'a date before its minimum',
      withAnswer('foundedOn', '1999-12-31'),
      { field: 'dossier.answers.foundedOn', rule: 'range' },
    ],
    ['a choice not offered', withAnswer('stage', 'mass'), { field: 'dossier.answers.stage', rule: 'enum' }],
    [
      'a single value for several',
      withAnswer('domains', 'ai'),
      { field: 'dossier.answers.domains', rule: 'type' },
    ],
    [
      'too many choices',
      withAnswer('domains', ['ai', 'db', 'os']),
      { field: 'dossier.answers.domains', rule: 'count' },
    ],
    ['too few choices', withAnswer('domains', []), { field: 'dossier.answers.domains', rule: 'count' }],
    [
      'a repeated choice',
      withAnswer('domains', ['ai', 'ai']),
      { field: 'dossier.answers.domains', rule: 'unique' },
    ],
    [
      '"是" for a boolean',
      withAnswer('inPilotCity', '是'),
      { field: 'dossier.answers.inPilotCity', rule: 'type' },
    ],
    [
      'a credit code with a wrong check digit',
      withAnswer('orgCode', '91350100M000100Y44'),
      { field: 'dossier.answers.orgCode', rule: 'uscc' },
    ],
    [
      'a malformed e-mail',
      withAnswer('contactEmail', 'a@b'),
      { field: 'dossier.answers.contactEmail', rule: 'email' },
    ],
    [
      'letters for a phone',
      withAnswer('contactPhone', 'call me'),
      { field: 'dossier.answers.contactPhone', rule: 'phone' },
    ],
    [
      'an unknown answer',
      withAnswer('revenue', 5),
      { field: 'dossier.answers.revenue', rule: 'unknown-key' },
    ],
    ['an unknown dossier key', { ...good, notes: 'x' }, { field: 'dossier.notes', rule: 'unknown-key' }],
    [
      'a missing declaration',
      { ...good, declarations: good.declarations.slice(0, 1) },
      { field: 'dossier.declarations.good-standing', rule: 'missing-declaration' },
    ],
    [
      'an altered declaration',
      {
        ...good,
        declarations: [good.declarations[0], { id: 'good-standing', text: '基本未列入经营异常名录' }],
      },
      { field: 'dossier.declarations.good-standing', rule: 'altered-declaration' },
    ],
    [
      'an unknown declaration',
      { ...good, declarations: [...good.declarations, { id: 'extra', text: 'x' }] },
      { field: 'dossier.declarations.extra', rule: 'unknown-declaration' },
    ],
    [
      'a declaration twice',
      { ...good, declarations: [...good.declarations, good.declarations[0]] },
      { field: 'dossier.declarations.no-accident', rule: 'duplicate' },
    ],
    [
      'no required attachment',
      { ...good, attachments: [] },
      { field: 'dossier.attachments.application-form', rule: 'count' },
    ],
    [
      'an attachment of a wrong format',
      { ...good, attachments: [{ ...good.attachments[0], format: 'docx' }] },
      { field: 'dossier.attachments[0].format', rule: 'format' },
    ],
    [
      'an attachment too large',
      { ...good, attachments: [{ ...good.attachments[0], size: 1001 }] },
      { field: 'dossier.attachments[0].size', rule: 'max-bytes' },
    ],
    [
      'an attachment for an unknown slot',
      { ...good, attachments: [...good.attachments, { ...good.attachments[0], slot: 'photos' }] },
      { field: 'dossier.attachments[1].slot', rule: 'unknown-slot' },
    ],
    [
      'an attachment carrying its content',
      { ...good, attachments: [{ ...good.attachments[0], content: 'JVBERi0=' }] },
      { field: 'dossier.attachments[0].content', rule: 'unknown-key' },
    ],
    [
      'a hash that is not SHA-256',
      { ...good, attachments: [{ ...good.attachments[0], sha256: 'abc' }] },
      { field: 'dossier.attachments[0].sha256', rule: 'sha256' },
    ],
    [
      'an optional slot below its minimum',
      { ...good, attachments: [...good.attachments, { ...good.attachments[0], slot: 'evidence', size: 10 }] },
      { field: 'dossier.attachments.evidence', rule: 'count' },
    ],
    [
      'a slot over its maximum',
      {
        ...good,
        attachments: [
          ...good.attachments,
          ...[1, 2, 3, 4].map(() => ({ ...good.attachments[0], slot: 'evidence', size: 10 })),
        ],
      },
      { field: 'dossier.attachments.evidence', rule: 'count' },
    ],
    ['answers that are a list', { ...good, answers: [] }, { field: 'dossier.answers', rule: 'type' }],
    [
      'a dossier over its size limit (before any field is read)',
      withAnswer('title', '长'.repeat(MAX_DOSSIER_BYTES)),
      { field: 'dossier', rule: 'max-bytes' },
    ],
  ])('refuses %s with INVALID, the field and the rule', (_name, dossier, expected) => {
    const problems = problemsOf(dossier);
    expect(problems).toEqual([{ code: 'INVALID', ...expected }]);
    expect(checkDossier(form, dossier)[0].fix).toBeTruthy();
  });

  it('refuses a dossier that is not an object', () => {
    expect(problemsOf('申报书')).toEqual([{ code: 'INVALID', field: 'dossier', rule: 'type' }]);
  });

  it('lists every problem, not only the first', () => {
    expect(problemsOf({ answers: { title: 1 }, declarations: [] }).map((p) => p.field)).toEqual([
      'dossier.answers.title',
      'dossier.answers.orgCode',
      'dossier.declarations.no-accident',
      'dossier.declarations.good-standing',
      'dossier.attachments.application-form',
    ]);
  });

  it('accepts an optional slot filled within its counts', () => {
    const evidence = [1, 2].map(() => ({
      ...good.attachments[0],
      slot: 'evidence',
      format: 'png' as const,
      size: 10,
    }));
    expect(checkDossier(form, { ...good, attachments: [...good.attachments, ...evidence] })).toEqual([]);
  });
});

describe('formFor', () => {
  const national = loadProgramme('national-2023');
  const pioneer = national.lists.find((l) => l.id === 'pioneer-tech');

  it('adds a field’s form to its list’s', () => {
    const electronics = pioneer && formFor(pioneer, 'electronics');
    expect(electronics?.fields.map((f) => f.id)).toContain('holderOrgCode');
    expect(electronics?.declarations.map((d) => d.id)).toEqual([
      'innovative',
      'transferable',
      'not-classified',
    ]);
    const foundation = pioneer && formFor(pioneer, 'industrial-foundation');
    expect(foundation?.declarations.map((d) => d.id)).toEqual([
      'original-breakthrough',
      'embargoed-or-imported',
      'applicable',
    ]);
  });

  it('gives none for a list without a form', () => {
    const bare = { ...national.lists[1], form: undefined };
    expect(formFor(bare)).toBeUndefined();
  });
});

describe('sample dossiers (templates, rehearsals, test fixtures)', () => {
  const parts = listPresetIds().flatMap((id) =>
    loadProgramme(id).lists.flatMap((list) =>
      (list.fields?.map((f) => f.id) ?? [undefined]).map(
        (fieldId) => [`${id} ${list.id}/${fieldId ?? '-'}`, list, fieldId] as const,
      ),
    ),
  );

  it.each(parts)('%s: the sample passes its form', (_part, list, fieldId) => {
    const partForm = formFor(list, fieldId);
    expect(partForm).toBeDefined();
    if (partForm) expect(checkDossier(partForm, sampleDossier(partForm, { n: 7 }))).toEqual([]);
  });

  it('makes valid, distinct credit codes', () => {
    const codes = [1, 2, 123456789].map(sampleUscc);
    expect(codes.every(isUscc)).toBe(true);
    expect(new Set(codes).size).toBe(3);
  });

  it('takes the attachments it is given, and answers it is told', () => {
    const attachments = [{ ...good.attachments[0], sha256: sha('b') }];
    const dossier = sampleDossier(form, { attachments, answers: { title: '给定名称' } });
    expect(dossier.attachments).toBe(attachments);
    expect(dossier.answers.title).toBe('给定名称');
    expect(placeholderAttachments(form).map((a) => a.slot)).toEqual(['application-form']);
  });
});
