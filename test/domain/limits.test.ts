import fc from 'fast-check';
import { boundedRejection } from '../../domain/rejections';
import {
  jsonBytes,
  MAX_DEPTH,
  MAX_REQUEST_BYTES,
  requestRejection,
  type RequestKind,
} from '../../domain/limits';

const nested = (depth: number): unknown => {
  let value: unknown = '底';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};
const NOMINATE = {
  idempotencyKey: 'cie-001',
  listId: 'pioneer-tech',
  fieldId: 'electronics',
  candidate: { name: '量子平台' },
};
const entry = (i: number, comment?: string) => ({
  nominationId: `cie.${i}`,
  verdict: 'recommended',
  comment,
});

describe('request limits', () => {
  it.each<[string, RequestKind, unknown, Record<string, unknown>]>([
    [
      'a 3 MB candidate name',
      'nominate',
      { ...NOMINATE, candidate: { name: 'x'.repeat(3 * 1024 * 1024) } },
      { field: 'candidate.name', rule: 'max-length', limit: 200 },
    ],
    [
      'a summary nested 20,000 levels deep',
      'nominate',
      { ...NOMINATE, candidate: { name: 'x', summary: nested(20_000) } },
      { field: expect.stringMatching(/^candidate\.summary(\.a)+$/), rule: 'max-depth', limit: MAX_DEPTH },
    ],
    [
      'an unknown request key',
      'nominate',
      { ...NOMINATE, submittedAt: 0 },
      { field: 'submittedAt', rule: 'unknown-key' },
    ],
    [
      'a __proto__ request key',
      'amend',
      JSON.parse('{"nominationId":"cie.1","candidate":{"name":"x"},"__proto__":{"polluted":1}}'),
      { field: '__proto__', rule: 'unknown-key' },
    ],
    [
      'an unknown candidate key',
      'amend',
      { nominationId: 'cie.1', candidate: { name: 'x', injected: 1 } },
      { field: 'candidate.injected', rule: 'unknown-key' },
    ],
    [
      'an idempotency key with a NUL',
      'nominate',
      { ...NOMINATE, idempotencyKey: 'k\u0000' },
      { field: 'idempotencyKey', rule: 'control' },
    ],
    [
      'a list id of 101 characters',
      'nominate',
      { ...NOMINATE, listId: 'l'.repeat(101) },
      { field: 'listId', limit: 100 },
    ],
    [
      'a dossier answer of 5,001 characters',
      'nominate',
      { ...NOMINATE, dossier: { answers: { description: '述'.repeat(5_001) } } },
      { field: 'dossier.answers.description', rule: 'max-length', limit: 5_000 },
    ],
    [
      'a dossier answer key with a line break',
      'amend',
      { nominationId: 'cie.1', candidate: { name: 'x' }, dossier: { answers: { 'a\nb': 1 } } },
      { field: expect.stringMatching(/^dossier\.answers\./), rule: 'control' },
    ],
    [
      'a dossier carrying file content',
      'nominate',
      { ...NOMINATE, dossier: { attachments: [{ slot: 'evidence', content: 'JVBERi0xLjQ=' }] } },
      { field: 'dossier.attachments[0].content', rule: 'unknown-key' },
    ],
    [
      '101 attachments',
      'nominate',
      { ...NOMINATE, dossier: { attachments: Array.from({ length: 101 }, () => ({ slot: 'evidence' })) } },
      { field: 'dossier.attachments', rule: 'max-items', limit: 100 },
    ],
    ['a reason with an override', 'reason', { reason: '\u202e因原' }, { field: 'reason', rule: 'bidi' }],
    [
      'a reason of 501 characters',
      'reason',
      { reason: 'r'.repeat(501) },
      { field: 'reason', rule: 'max-length', limit: 500 },
    ],
    [
      'an extension reason with ANSI escapes',
      'extend',
      { scope: { kind: 'stage', stage: 'collection' }, until: 1, reason: '\u001b[31m材料补正' },
      { field: 'reason', rule: 'control' },
    ],
    [
      'an unknown extension scope key',
      'extend',
      { scope: { kind: 'unit', unitId: 'cie', extra: 1 }, until: 1, reason: 'r' },
      { field: 'scope.extra', rule: 'unknown-key' },
    ],
    [
      'a hold id with CR/LF',
      'mailHold',
      { reminderId: 'collection:T-7\r\n', held: true },
      { field: 'reminderId', rule: 'control' },
    ],
    [
      '10,001 review results',
      'reportReview',
      { listId: 'l', results: Array.from({ length: 10_001 }, (_, i) => entry(i)) },
      { field: 'results', rule: 'max-items', limit: 10_000 },
    ],
    [
      'a review comment of 2,001 characters',
      'reportReview',
      { listId: 'l', results: [entry(1), entry(2, 'c'.repeat(2_001))] },
      { field: 'results[1].comment', rule: 'max-length', limit: 2_000 },
    ],
    [
      'review results over 512 KiB in all',
      'reportReview',
      { listId: 'l', results: Array.from({ length: 300 }, (_, i) => entry(i, '评'.repeat(2_000))) },
      { field: 'results', rule: 'max-bytes', limit: MAX_REQUEST_BYTES },
    ],
    [
      'a final winners entry with an unknown key',
      'finalComplete',
      { winners: [{ listId: 'l', nominationIds: ['cie.1'], note: 'x' }] },
      { field: 'winners[0].note', rule: 'unknown-key' },
    ],
    [
      'a winner id with a zero-width space',
      'finalComplete',
      { winners: [{ listId: 'l', nominationIds: ['cie.1\u200b'] }] },
      { field: 'winners[0].nominationIds[0]', rule: 'invisible' },
    ],
  ])(
    'refuses %s: INVALID with the field, the rule, the limit and a fix',
    (_case, kind, request, expected) => {
      const refusal = requestRejection(kind, request);
      expect(refusal).toMatchObject({ code: 'INVALID', ...expected });
      expect(refusal?.fix).toBeTruthy();
      expect(JSON.stringify(refusal).length).toBeLessThan(1_000);
    },
  );

  it.each<[RequestKind, unknown]>([
    ['nominate', NOMINATE],
    ['nominate', { ...NOMINATE, credential: 'eyJ.abc', fieldId: undefined }],
    ['withdraw', { nominationId: 'cie.1' }],
    ['markComplete', {}],
    ['reason', { reason: '材料补正\n第二行' }],
    ['extend', { scope: { kind: 'part', listId: 'l', fieldId: 'f' }, until: 1, reason: 'r' }],
    ['mailHold', { reminderId: 'collection:T-7', held: false }],
    [
      'reportReview',
      { listId: 'l', results: [{ nominationId: 'cie.1', verdict: 'recommended', rank: 1, score: 9.5 }] },
    ],
    ['finalComplete', { winners: [{ listId: 'l', fieldId: 'f', nominationIds: ['cie.1', 'csae.2'] }] }],
  ])('accepts a well-formed %s request', (kind, request) => {
    expect(requestRejection(kind, request)).toBeUndefined();
  });

  it('counts UTF-8 bytes of the JSON', () => {
    expect(jsonBytes({ a: '评' })).toBe(Buffer.byteLength(JSON.stringify({ a: '评' })));
    expect(jsonBytes('😀')).toBe(6);
  });

  it('never throws and never echoes more than a short excerpt, whatever it is given', () => {
    const kinds = fc.constantFrom<RequestKind>(
      'nominate',
      'amend',
      'reportReview',
      'finalComplete',
      'extend',
      'reason',
    );
    fc.assert(
      fc.property(kinds, fc.anything({ maxDepth: 4, withNullPrototype: true }), (kind, request) => {
        const refusal = requestRejection(kind, request);
        if (refusal) expect(JSON.stringify(refusal).length).toBeLessThan(1_000);
      }),
    );
  });

  it('a refusal that would echo a huge or terminal-hostile value is cut to a short escaped excerpt', () => {
    const huge = `\u001b[2J${'名'.repeat(3_000_000)}`;
    const bounded = boundedRejection({
      code: 'UNKNOWN_LIST',
      field: huge,
      message: `没有榜单 "${huge}"`,
      fix: huge,
      limit: 3,
    });
    expect(JSON.stringify(bounded).length).toBeLessThan(3_000);
    expect(bounded.message.startsWith('没有榜单 "\\u{1b}[2J名')).toBe(true);
    expect(bounded).toMatchObject({ code: 'UNKNOWN_LIST', limit: 3 });
  });
});
