/**
 * The expert's and the chair's API over a keyed cycle in preliminary review: an expert reads
 * only the dossiers assigned to them (another expert's and another body's are refused), opens
 * their attachments through the audited store (an unassigned expert cannot), an off-scale sheet
 * is refused with its field and rule and changes nothing, the same Idempotency-Key applies a
 * sheet once, a declared conflict takes the dossier away, and the chair sees progress and
 * rankings and confirms a part (early only with a reason), which reaches the cycle.
 */
import type { AttachmentStore } from '../../storage/attachments';
import { useTimeSkippingStack } from '../support/time-skipping';
import {
  attachmentStoreOf,
  bearer,
  credential,
  finishKeyedCycle,
  signIn,
  startPortal,
  type PortalUnderTest,
} from './portal-kit';
import { BODY, expertsAround, startReviewPanel, type ReviewFixture } from './review-kit';

describe('the expert and chair API', () => {
  let app: PortalUnderTest;
  let store: AttachmentStore;
  let fixture: ReviewFixture;
  let cycleId: string;
  // Declared before the stack's own afterAll, so it runs while the stack is up.
  afterAll(async () => {
    await app?.close();
    if (cycleId) await finishKeyedCycle(kit.stack, cycleId);
  });
  const kit = useTimeSkippingStack();
  const base = () => `/api/v1/cycles/${fixture.programmeId}/bodies/${BODY}`;
  const as = (party: string) => bearer(credential(cycleId, party));
  const expertAs = (e: string) => as(`expert:${BODY}/${e}`);
  const get = (url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });
  const reviewState = async () => (await kit.stack.api.reviewState(cycleId, BODY)).expertReview;
  const reads = async (reader: string) => {
    const { n } = await kit.stack.storage.records.db
      .selectFrom('attachment_reads')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('reader', '=', reader)
      .executeTakeFirstOrThrow();
    return Number(n);
  };

  beforeAll(async () => {
    store = attachmentStoreOf(kit.stack);
    fixture = await startReviewPanel(kit.stack, 'review-api-2023', store);
    cycleId = fixture.cycleId;
    app = await startPortal(kit.stack, { attachments: store });
  });

  it('lets an expert read only the dossiers assigned to them', async () => {
    const [n1] = fixture.nominations;
    const { assigned, unassigned } = expertsAround(fixture, n1.id);
    const mine = Object.keys(fixture.assignments).filter((n) => fixture.assignments[n].includes(assigned));
    const list = await get(`${base()}/experts/${assigned}/dossiers?limit=1`, expertAs(assigned));
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(1);
    const all = await get(`${base()}/experts/${assigned}/dossiers`, expertAs(assigned));
    expect(
      all
        .json()
        .items.map((d: { nominationId: string }) => d.nominationId)
        .sort(),
    ).toEqual(mine.sort());
    expect(all.json().items[0]).toMatchObject({
      status: 'to-score',
      part: expect.stringContaining('先导技术榜'),
    });

    const dossier = await get(`${base()}/experts/${assigned}/dossiers/${n1.id}`, expertAs(assigned));
    expect(dossier.statusCode).toBe(200);
    expect(dossier.json()).toMatchObject({
      nominationId: n1.id,
      unitName: '中国电子学会',
      candidate: { name: '量子通信芯片' },
      answers: expect.arrayContaining([expect.objectContaining({ id: 'holder' })]),
      attachments: [expect.objectContaining({ name: '申报书.pdf', format: 'pdf', href: expect.any(String) })],
      criteria: [
        expect.objectContaining({ id: 'innovation', min: 0, max: 100, step: 1 }),
        expect.objectContaining({ id: 'impact', step: 0.5 }),
      ],
    });

    // Not assigned to it, another expert's list, and another body's expert: all refused.
    const refusals = [
      await get(`${base()}/experts/${unassigned}/dossiers/${n1.id}`, expertAs(unassigned)),
      await get(`${base()}/experts/${unassigned}/dossiers`, expertAs(assigned)),
      await get(`${base()}/experts/${assigned}/dossiers/${n1.id}`, expertAs(unassigned)),
      await get(
        `${base()}/experts/${assigned}/dossiers/${n1.id}`,
        as(`expert:smart-manufacturing/${assigned}`),
      ),
      await get(`${base()}/panel`, expertAs(assigned)),
    ];
    expect(refusals.map((r) => r.statusCode)).toEqual([403, 403, 403, 403, 403]);
    expect(refusals[0].json()).toMatchObject({
      code: 'NOT_ALLOWED',
      field: 'nomination',
      rule: 'not-assigned',
    });
    expect(refusals[1].json()).toMatchObject({
      code: 'NOT_ALLOWED',
      field: 'party',
      fix: expect.any(String),
    });
    // Without a credential: sign in first.
    expect((await get(`${base()}/experts/${assigned}/dossiers`, {})).statusCode).toBe(401);
  });

  it('streams an attachment to an assigned expert, audited, and refuses an unassigned one', async () => {
    const [n1] = fixture.nominations;
    const { assigned, unassigned } = expertsAround(fixture, n1.id);
    const dossier = (await get(`${base()}/experts/${assigned}/dossiers/${n1.id}`, expertAs(assigned))).json();
    const href: string = dossier.attachments[0].href;
    const reader = `expert:${BODY}/${assigned}`;
    const before = await reads(reader);
    const response = await fetch(`${app.base}${href}`, { headers: expertAs(assigned) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await response.arrayBuffer()).equals(fixture.pdf)).toBe(true);
    expect(await reads(reader)).toBe(before + 1);

    const sha = dossier.attachments[0].sha256;
    const stranger = `expert:${BODY}/${unassigned}`;
    const refused = [
      await get(`${base()}/experts/${unassigned}/dossiers/${n1.id}/attachments/${sha}`, expertAs(unassigned)),
      await get(href, expertAs(unassigned)),
      await get(`${base()}/dossiers/${n1.id}/attachments/${sha}`, expertAs(unassigned)),
    ];
    expect(refused.map((r) => r.statusCode)).toEqual([403, 403, 403]);
    expect(await reads(stranger)).toBe(0);
    // A hash of another file opens nothing, even for the body.
    const other = await get(`${base()}/dossiers/${n1.id}/attachments/${'0'.repeat(64)}`, as(`body:${BODY}`));
    expect(other.json()).toMatchObject({ code: 'NOT_FOUND', field: 'sha256' });
  });

  it('refuses an off-scale sheet with its field and rule, and applies one Idempotency-Key once', async () => {
    const [, n2] = fixture.nominations;
    const { assigned } = expertsAround(fixture, n2.id);
    const url = `${base()}/experts/${assigned}/dossiers/${n2.id}/scores`;
    const put = (key: string, innovation: number) =>
      app.inject({
        method: 'PUT',
        url,
        headers: { ...expertAs(assigned), 'idempotency-key': key },
        payload: { scores: { innovation, impact: 80.5 }, recommend: true, comment: '<b>扎实</b>' },
      });
    const before = await reviewState();
    const off = await put('k-off', 101);
    expect(off.statusCode).toBe(400);
    expect(off.json()).toMatchObject({
      code: 'INVALID',
      field: 'sheets[0].scores.innovation',
      rule: 'scale',
      fix: expect.any(String),
    });
    expect((await reviewState())?.sheets).toEqual(before?.sheets);
    expect((await put('k-step', 90.5)).json()).toMatchObject({ rule: 'scale' }); // step is 1

    const first = await put('k-1', 90);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      nominationId: n2.id,
      total: 86.2,
      submittedAt: expect.stringMatching(/\+08:00$/),
    });
    // The same key again, even with another score: the first answer, applied once.
    expect((await put('k-1', 70)).json()).toMatchObject({ total: 86.2 });
    const once = await reviewState();
    const mine = once?.sheets.filter((s) => s.expertId === assigned && s.nominationId === n2.id);
    expect(mine).toEqual([expect.objectContaining({ scores: { innovation: 90, impact: 80.5 } })]);
    expect(
      once?.audit.filter((a) => a.action === 'scores-submitted' && a.detail.includes(n2.id)),
    ).toHaveLength(1);
    // A new key amends the sheet.
    expect((await put('k-2', 70)).json()).toMatchObject({ total: 74.2 });
    const progress = await get(`${base()}/experts/${assigned}/progress`, expertAs(assigned));
    expect(progress.json()).toMatchObject({ expertId: assigned, scored: 1, recused: 0 });
    expect(progress.json().assigned).toBeGreaterThanOrEqual(1);
  });

  it('takes a dossier away from an expert who declares a conflict', async () => {
    const [, , n3] = fixture.nominations;
    const { assigned } = expertsAround(fixture, n3.id);
    const declare = (key: string) =>
      app.inject({
        method: 'POST',
        url: `${base()}/experts/${assigned}/conflicts`,
        headers: { ...expertAs(assigned), 'idempotency-key': key },
        payload: { nominationId: n3.id, reason: '曾与候选团队合作' },
      });
    expect((await declare('c-1')).statusCode).toBe(201);
    expect((await declare('c-1')).statusCode).toBe(201); // the same key: the same answer
    expect((await declare('c-2')).json()).toMatchObject({ code: 'DUPLICATE' });
    const list = (await get(`${base()}/experts/${assigned}/dossiers`, expertAs(assigned))).json();
    expect(list.items.map((d: { nominationId: string }) => d.nominationId)).not.toContain(n3.id);
    expect(
      (await get(`${base()}/experts/${assigned}/dossiers/${n3.id}`, expertAs(assigned))).statusCode,
    ).toBe(403);
    const progress = (await get(`${base()}/experts/${assigned}/progress`, expertAs(assigned))).json();
    expect(progress.recused).toBe(1);
    expect((await reviewState())?.declared).toEqual([
      expect.objectContaining({
        expertId: assigned,
        nominationId: n3.id,
        declaredBy: `expert:${BODY}/${assigned}`,
      }),
    ]);
  });

  it('shows a refused score form again with its field, what was typed (inert) and nothing stored', async () => {
    const [n1] = fixture.nominations;
    const { assigned, other } = expertsAround(fixture, n1.id);
    const session = await signIn(app, credential(cycleId, `expert:${BODY}/${assigned}`));
    expect(session.location).toBe(`/r/${fixture.programmeId}/${BODY}/e/${assigned}`);
    expect(session.page.body).toContain(n1.candidate.name);
    const action = `${session.location}/n/${encodeURIComponent(n1.id)}/score`;
    const form = {
      key: 'page-1',
      's.innovation': '101',
      's.impact': '80',
      recommend: 'true',
      comment: '<img src=x onerror=alert(1)>',
    };
    const before = await reviewState();
    const refused = await app.inject({
      method: 'POST',
      url: action,
      headers: { cookie: session.cookie },
      payload: { ...form, _csrf: session.csrf },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('<code class="error-field">sheets[0].scores.innovation</code>');
    expect(refused.body).toMatch(/name="s.innovation"[^>]*value="101"/);
    expect(refused.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(refused.body).not.toContain('<img src=x');
    const forged = await app.inject({
      method: 'POST',
      url: action,
      headers: { cookie: session.cookie },
      payload: { ...form, 's.innovation': '80' },
    });
    expect(forged.statusCode).toBe(403);
    expect((await reviewState())?.sheets).toEqual(before?.sheets);
    // Another expert's pages are not this expert's to open.
    const theirs = await app.inject({
      method: 'GET',
      url: `/r/${fixture.programmeId}/${BODY}/e/${other}`,
      headers: { cookie: session.cookie },
    });
    expect(theirs.statusCode).toBe(403);
  });

  it('shows the chair progress and rankings and confirms the shortlist, early only with a reason', async () => {
    const chair = as(`body:${BODY}`);
    const panel = await get(`${base()}/panel`, chair);
    expect(panel.statusCode).toBe(200);
    const [part] = panel.json().parts;
    expect(part).toMatchObject({ listId: 'pioneer-tech', fieldId: 'electronics', nominations: 3 });
    expect(part.owing).toBeGreaterThan(0);
    expect(part.experts.reduce((n: number, e: { recused: number }) => n + e.recused, 0)).toBe(1);
    const rankings = (await get(`${base()}/rankings`, chair)).json();
    expect(rankings[0].ranking[0]).toMatchObject({ rank: 1, nominationId: fixture.nominations[1].id });

    // A session without the CSRF token is refused before anything is sent.
    const session = await signIn(app, credential(cycleId, `body:${BODY}`));
    expect(session.location).toBe(`/r/${fixture.programmeId}/${BODY}`);
    const confirm = (headers: Record<string, string>, payload: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: `${base()}/confirmations`, headers, payload });
    const noCsrf = await confirm(
      { cookie: session.cookie, 'idempotency-key': 'x-1' },
      { listId: 'pioneer-tech', fieldId: 'electronics', reason: '时间所限' },
    );
    expect(noCsrf.json()).toMatchObject({ code: 'CSRF' });
    const early = await confirm(
      { ...chair, 'idempotency-key': 'x-2' },
      { listId: 'pioneer-tech', fieldId: 'electronics' },
    );
    expect(early.statusCode).toBe(403);
    expect(early.json()).toMatchObject({ code: 'NOT_ALLOWED', field: 'reason', rule: 'scores-outstanding' });
    expect((await kit.stack.api.reviewState(cycleId, BODY)).parts[0].reportedAt).toBeUndefined();

    const confirmed = await confirm(
      { ...chair, 'idempotency-key': 'x-3' },
      { listId: 'pioneer-tech', fieldId: 'electronics', top: 1, reason: '专家因病无法评分' },
    );
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({
      reportedAt: expect.stringMatching(/\+08:00$/),
      results: expect.arrayContaining([
        expect.objectContaining({ nominationId: fixture.nominations[1].id, rank: 1, verdict: 'recommended' }),
      ]),
    });
    const audit = (await reviewState())?.audit ?? [];
    expect(audit).toContainEqual(
      expect.objectContaining({
        action: 'confirm-early',
        detail: expect.stringContaining('专家因病无法评分'),
      }),
    );
    // The report reached the body's part, and scores are closed for it.
    const state = (await get(base(), chair)).json();
    expect(state.parts[0].results).toHaveLength(3);
    const { assigned } = expertsAround(fixture, fixture.nominations[0].id);
    const late = await app.inject({
      method: 'PUT',
      url: `${base()}/experts/${assigned}/dossiers/${fixture.nominations[0].id}/scores`,
      headers: { ...expertAs(assigned), 'idempotency-key': 'late' },
      payload: { scores: { innovation: 80, impact: 80 }, recommend: true },
    });
    expect(late.json()).toMatchObject({ code: 'WRONG_STAGE', rule: 'confirmed' });
  });

  it('documents every expert and chair route in the OpenAPI document, writes with their Idempotency-Key', async () => {
    const doc = (await get('/api/v1/openapi.json', {})).json();
    const bodies = '/api/v1/cycles/{programme}/bodies/{body}';
    const experts = `${bodies}/experts/{expert}`;
    const routes = [
      ['get', `${experts}/dossiers`],
      ['get', `${experts}/progress`],
      ['get', `${experts}/dossiers/{nomination}`],
      ['get', `${experts}/dossiers/{nomination}/attachments/{sha256}`],
      ['put', `${experts}/dossiers/{nomination}/scores`],
      ['post', `${experts}/conflicts`],
      ['get', `${bodies}/panel`],
      ['get', `${bodies}/rankings`],
      ['get', `${bodies}/dossiers/{nomination}`],
      ['get', `${bodies}/dossiers/{nomination}/attachments/{sha256}`],
      ['post', `${bodies}/confirmations`],
    ];
    for (const [method, route] of routes) expect(doc.paths[route]?.[method]).toBeDefined();
    for (const [method, route] of routes.filter(([m]) => m !== 'get'))
      expect(doc.paths[route][method].parameters).toContainEqual(
        expect.objectContaining({ in: 'header', name: 'idempotency-key', required: true }),
      );
  });
});
