/**
 * Tracking over the portal's API (issues 16 and 18) on a keyed service-teams cycle run to
 * publication: the owner uploads evidence and reports (a retry with the same key files nothing
 * new); bad figures are refused with their field and rule; another unit's project is 403 both
 * ways and on the pages; a unit's verdict is 403; the secretariat rejects with a reason, the owner
 * reports again, the secretariat accepts, reduces a target (its reason rendered inert on the page)
 * and records acceptance; a report after acceptance is WRONG_STAGE; the export is CSV with
 * Chinese headings; the funding endpoint adds up to the programme's slots × amounts (Henan) and
 * lists the published winners (service teams).
 */
import { generateAttachmentPdf } from '../../client/rehearsal-attachments';
import { PROGRESS_HEADINGS } from '../../client/project-export';
import { fundedParts } from '../../domain/funding';
import { programmeDeadlines } from '../../domain/timeline';
import { loadProgramme } from '../../programmes/loader';
import { useTimeSkippingStack } from '../support/time-skipping';
import { publishServiceTeams, type PublishedCycle } from './projects-kit';
import {
  attachmentStoreOf,
  bearer,
  credential,
  finishKeyedCycle,
  keys,
  type PortalUnderTest,
  startPortal,
} from './portal-kit';

const PROGRAMME = 'portal-projects-2023';
const url = (path = '') => `/api/v1/cycles/${PROGRAMME}/projects${path}`;

describe('tracking over the portal API', () => {
  let app: PortalUnderTest;
  let cycle: PublishedCycle;
  let henanCycle: string | undefined;
  let cieProject: string;
  let cmesProject: string;
  afterAll(async () => {
    await app?.close();
    if (henanCycle) await finishKeyedCycle(kit.stack, henanCycle);
    if (cycle) await finishKeyedCycle(kit.stack, cycle.cycleId);
  });
  const kit = useTimeSkippingStack();
  const as = (party: string) => bearer(credential(cycle.cycleId, party));
  const post = (path: string, party: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: url(path), headers: { ...as(party), ...headers }, payload });
  const get = (path: string, party: string) =>
    app.inject({ method: 'GET', url: url(path), headers: as(party) });

  beforeAll(async () => {
    cycle = await publishServiceTeams(kit.stack, PROGRAMME);
    [cieProject, cmesProject] = cycle.projects;
    app = await startPortal(kit.stack, { attachments: attachmentStoreOf(kit.stack) });
  });

  it('lists each unit its own projects and the secretariat all of them, with what is owed', async () => {
    const own = await get('', 'unit:cie');
    expect(own.statusCode).toBe(200);
    expect(own.json().items).toEqual([
      expect.objectContaining({
        projectId: cieProject,
        owner: { unitId: 'cie', name: expect.any(String) },
        outcome: '不通过',
        owed: 2,
        overdue: 0,
        nextDueAt: expect.stringMatching(/^2023-11-11T00:00:00\+08:00$/),
      }),
    ]);
    const all = await get('?limit=1', 'secretariat');
    expect(all.json().items).toHaveLength(1);
    expect(all.json().nextCursor).toEqual(expect.any(String));
    const next = await get(`?limit=1&cursor=${all.json().nextCursor}`, 'secretariat');
    expect(next.json().items.map((p: { projectId: string }) => p.projectId)).toEqual([cmesProject]);
    expect((await get('?status=accepted', 'secretariat')).json().items).toEqual([]);
  });

  it('keeps one unit out of another’s project, reading and writing, API and pages (403)', async () => {
    const read = await get(`/${cieProject}`, 'unit:cmes');
    expect(read.statusCode).toBe(403);
    expect(read.json()).toMatchObject({ code: 'NOT_ALLOWED', field: 'party' });
    const write = await post(
      `/${cieProject}/reports`,
      'unit:cmes',
      { figures: [] },
      { 'idempotency-key': 'x-1' },
    );
    expect(write.statusCode).toBe(403);
    for (const page of [
      `/u/${PROGRAMME}/cie/projects/${cieProject}`,
      `/u/${PROGRAMME}/cmes/projects/${cieProject}`,
    ]) {
      const answer = await app.inject({ method: 'GET', url: page, headers: as('unit:cmes') });
      expect([page, answer.statusCode]).toEqual([page, 403]);
    }
    expect((await kit.stack.api.project.state(cycle.cycleId, cieProject)).reports).toEqual([]);
  });

  it('refuses a negative or non-numeric figure and missing evidence with field and rule, filing nothing', async () => {
    const cases: Array<[unknown, string, string]> = [
      [[{ target: 'achievements-evaluated', value: -3 }], 'figures[0].value', 'figure'],
      [[{ target: 'achievements-evaluated', value: '两' }], 'figures[0].value', 'figure'],
      [[{ target: 'cases', value: 1, evidence: [] }], 'figures[0].evidence', 'evidence'],
    ];
    for (const [figures, field, rule] of cases) {
      const refused = await post(
        `/${cieProject}/reports`,
        'unit:cie',
        { figures },
        { 'idempotency-key': rule },
      );
      expect([field, refused.statusCode, refused.json()]).toEqual([
        field,
        400,
        expect.objectContaining({ code: 'INVALID', field, rule, fix: expect.any(String) }),
      ]);
    }
    expect((await kit.stack.api.project.state(cycle.cycleId, cieProject)).reports).toEqual([]);
  });

  it('takes the owner’s report with uploaded evidence once per Idempotency-Key; a unit cannot give the verdict', async () => {
    const form = new FormData();
    const pdf = await generateAttachmentPdf('案例材料', ['cie case study']);
    form.append('f.cases', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), '案例.pdf');
    const uploaded = await fetch(`${app.base}${url(`/${cieProject}/evidence`)}`, {
      method: 'POST',
      headers: as('unit:cie'),
      body: form,
    });
    expect(uploaded.status).toBe(201);
    const { refs } = (await uploaded.json()) as { refs: Array<{ slot: string; format: string }> };
    expect(refs).toEqual([expect.objectContaining({ slot: 'cases', format: 'pdf', name: '案例.pdf' })]);

    const report = {
      figures: [
        { target: 'achievements-evaluated', value: 12 },
        { target: 'cases', value: 1, evidence: refs },
      ],
    };
    const first = await post(`/${cieProject}/reports`, 'unit:cie', report, { 'idempotency-key': 'cie-r-1' });
    const again = await post(`/${cieProject}/reports`, 'unit:cie', report, { 'idempotency-key': 'cie-r-1' });
    expect([first.statusCode, first.json()]).toEqual([201, { reportId: 'r1', dueId: 'half-yearly-1' }]);
    expect([again.statusCode, again.json()]).toEqual([200, { reportId: 'r1', dueId: 'half-yearly-1' }]);
    // The same key with other figures (a retried request rebuilt by the client) files nothing more.
    const changed = { figures: [{ ...report.figures[0], value: 13 }, report.figures[1]] };
    const rebuilt = await post(`/${cieProject}/reports`, 'unit:cie', changed, {
      'idempotency-key': 'cie-r-1',
    });
    expect(rebuilt.json()).toEqual({ reportId: 'r1', dueId: 'half-yearly-1' });
    expect((await kit.stack.api.project.state(cycle.cycleId, cieProject)).reports).toHaveLength(1);

    const byUnit = await post(`/${cieProject}/reports/r1/verdict`, 'unit:cie', { decision: 'accept' });
    expect(byUnit.statusCode).toBe(403);
    expect(byUnit.json()).toMatchObject({ code: 'NOT_ALLOWED' });
    expect((await get(`/${cieProject}`, 'unit:cie')).json().reports[0].status).toBe('submitted');
  });

  it('a rejection with its reason, a second report, acceptance of it, a waiver and the acceptance', async () => {
    const noReason = await post(`/${cieProject}/reports/r1/verdict`, 'secretariat', { decision: 'reject' });
    expect([noReason.statusCode, noReason.json()]).toEqual([
      400,
      expect.objectContaining({ code: 'INVALID', field: 'reason', rule: 'reason' }),
    ]);
    const rejected = await post(`/${cieProject}/reports/r1/verdict`, 'secretariat', {
      decision: 'reject',
      reason: '案例未经平台确认 / not confirmed on the platform',
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({
      id: 'r1',
      status: 'rejected',
      reason: expect.stringContaining('案例未经平台确认'),
    });
    const seen = (await get(`/${cieProject}`, 'unit:cie')).json();
    expect(seen.reports[0]).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('案例未经平台确认'),
    });
    expect(seen.dues[0]).toMatchObject({ id: 'half-yearly-1', status: 'owed' });

    const second = await post(
      `/${cieProject}/reports`,
      'unit:cie',
      { figures: [{ target: 'achievements-evaluated', value: 20 }] },
      { 'idempotency-key': 'cie-r-2' },
    );
    expect([second.statusCode, second.json()]).toEqual([201, { reportId: 'r2', dueId: 'half-yearly-1' }]);
    expect(
      (await post(`/${cieProject}/reports/r2/verdict`, 'secretariat', { decision: 'accept' })).statusCode,
    ).toBe(200);

    const waiver = await post(`/${cieProject}/waivers`, 'secretariat', {
      target: 'transfers-contracted',
      threshold: 3,
      reason: '实现重大技术转移转化，可适当抵减 <script>alert(1)</script>',
    });
    expect([waiver.statusCode, waiver.json()]).toEqual([
      200,
      [expect.objectContaining({ target: 'transfers-contracted', threshold: 3 })],
    ]);
    const page = await app.inject({
      method: 'GET',
      url: `/s/${PROGRAMME}/projects/${cieProject}`,
      headers: as('secretariat'),
    });
    expect(page.body).toContain('可适当抵减 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert');
    const view = (await get(`/${cieProject}`, 'secretariat')).json();
    expect(view.targets.find((t: { id: string }) => t.id === 'transfers-contracted')).toMatchObject({
      threshold: 3,
      noticeThreshold: 5,
      waivers: [expect.objectContaining({ threshold: 3 })],
    });
    expect(view.targets.find((t: { id: string }) => t.id === 'achievements-evaluated')).toMatchObject({
      accepted: 20,
      threshold: 50,
      met: false,
    });

    const byUnit = await post(`/${cieProject}/acceptance`, 'unit:cie', {});
    expect(byUnit.statusCode).toBe(403);
    const accepted = await post(`/${cieProject}/acceptance`, 'secretariat', {});
    expect([accepted.statusCode, accepted.json().outcome]).toEqual([200, '不通过']);
  });

  it('refuses a report after acceptance (409 WRONG_STAGE)', async () => {
    const late = await post(
      `/${cieProject}/reports`,
      'unit:cie',
      { figures: [{ target: 'achievements-evaluated', value: 50 }] },
      { 'idempotency-key': 'cie-r-3' },
    );
    expect([late.statusCode, late.json()]).toEqual([409, expect.objectContaining({ code: 'WRONG_STAGE' })]);
    expect((await get('?status=accepted', 'secretariat')).json().items).toEqual([
      expect.objectContaining({ projectId: cieProject, owed: 0, acceptedAt: expect.any(String) }),
    ]);
  });

  it('exports progress as CSV with Chinese headings, for the secretariat only', async () => {
    expect((await get('/export?format=csv', 'unit:cie')).statusCode).toBe(403);
    const csv = await get('/export?format=csv', 'secretariat');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const [headings, ...rows] = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(headings).toBe(PROGRESS_HEADINGS.map((h) => `"${h}"`).join(','));
    expect(rows.some((r) => r.includes(cieProject) && r.includes('不通过'))).toBe(true);
    const json = await get('/export?format=json', 'secretariat');
    expect(json.json()[0]).toHaveProperty('项目编号');
  });

  it('documents every tracking route in the OpenAPI document, with its refusals', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const base = '/api/v1/cycles/{programme}';
    const routes = [
      ['get', `${base}/projects`],
      ['get', `${base}/projects/export`],
      ['get', `${base}/projects/{project}`],
      ['post', `${base}/projects/{project}/evidence`],
      ['post', `${base}/projects/{project}/reports`],
      ['post', `${base}/projects/{project}/reports/{report}/verdict`],
      ['post', `${base}/projects/{project}/waivers`],
      ['post', `${base}/projects/{project}/acceptance`],
      ['get', `${base}/funding`],
    ];
    for (const [method, path] of routes) {
      const operation = doc.paths[path]?.[method];
      expect([method, path, Object.keys(operation?.responses ?? {})]).toEqual([
        method,
        path,
        expect.arrayContaining(['400', '403', '404', '409', '429']),
      ]);
    }
    expect(doc.paths[`${base}/projects/{project}/reports`].post.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'idempotency-key', in: 'header' })]),
    );
  });

  it('answers the funding of the published cycle and of Henan’s programme, totals as the programme states', async () => {
    const published = await app.inject({ method: 'GET', url: `/api/v1/cycles/${PROGRAMME}/funding` });
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ programmeId: PROGRAMME, published: true, currency: 'CNY' });

    const henan = { ...loadProgramme('henan-2023'), id: 'portal-funding-henan' };
    ({ cycleId: henanCycle } = await kit.stack.api.startCycle(henan, {
      startAt: programmeDeadlines(henan).collectionOpensAt + 3_600_000,
      authPublicKey: keys.publicKey,
    }));
    const answer = await app.inject({ method: 'GET', url: '/api/v1/cycles/portal-funding-henan/funding' });
    expect(answer.statusCode).toBe(200);
    const parts = fundedParts(henan);
    const planned = parts.reduce((n, p) => n + (p.funding.slots ?? 0) * (p.funding.amountCny ?? 0), 0);
    expect(planned).toBeGreaterThan(0);
    expect(answer.json().totals).toMatchObject({
      used: 0,
      awardedCny: 0,
      plannedCny: planned,
      slots: parts.reduce((n, p) => n + (p.funding.slots ?? 0), 0),
    });
    expect(answer.json().parts).toHaveLength(parts.length);
    expect(answer.json().published).toBe(false);
  });
});
