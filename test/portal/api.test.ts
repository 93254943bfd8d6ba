/**
 * The portal's HTTP API against a keyed cycle on the time-skipping stack: idempotent nominate,
 * quota refusals with their status and code, one unit's link unable to read or write another's
 * data, expired and tampered links, CSRF on cookie sessions, text rendered inert on the page,
 * and the OpenAPI document covering every route.
 */
import { dossierFor } from '../support/candidates';
import { eventually, useTimeSkippingStack } from '../support/time-skipping';
import {
  bearer,
  credential,
  finishKeyedCycle,
  sessionCookie,
  signIn,
  startKeyedCycle,
  startPortal,
  type PortalUnderTest,
} from './portal-kit';

const PROGRAMME = 'portal-api-2023';
/** The text with its first character changed, so it surely differs. */
const otherFirstChar = (text: string) => `${text[0] === 'A' ? 'B' : 'A'}${text.slice(1)}`;
/** A technology for pioneer-tech/electronics with the dossier its form asks for. */
const electronics = (name: string) => ({
  listId: 'pioneer-tech',
  fieldId: 'electronics',
  candidate: { name, identity: `TECH-${name}`, classified: false },
  dossier: dossierFor('national-2023', 'pioneer-tech', 'electronics'),
});

describe('the portal API on a keyed cycle', () => {
  let app: PortalUnderTest;
  let cycleId: string;
  const unitUrl = (unit: string) => `/api/v1/cycles/${PROGRAMME}/units/${unit}`;
  // Declared before the kit: after-hooks run in declaration order, so this runs before its stop.
  afterAll(async () => {
    await app?.close();
    if (cycleId) await finishKeyedCycle(kit.stack, cycleId);
  });
  const kit = useTimeSkippingStack();

  beforeAll(async () => {
    ({ cycleId } = await startKeyedCycle(kit.stack, PROGRAMME));
    app = await startPortal(kit.stack);
  });

  it('files one nomination for two requests with the same Idempotency-Key', async () => {
    const cie = bearer(credential(cycleId, 'unit:cie'));
    const send = () =>
      app.inject({
        method: 'POST',
        url: `${unitUrl('cie')}/nominations`,
        headers: { ...cie, 'idempotency-key': 'cie-portal-1' },
        payload: electronics('量子芯片'),
      });
    const first = await send();
    const second = await send();
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json().id).toBe(first.json().id);
    expect(first.json().submittedAt).toMatch(/^2023-11-10T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$/);
    const state = await app.inject({ method: 'GET', url: unitUrl('cie'), headers: cie });
    expect(state.statusCode).toBe(200);
    expect(
      state
        .json()
        .nominations.filter((n: { candidate: { name: string } }) => n.candidate.name === '量子芯片'),
    ).toHaveLength(1);
  });

  it('refuses a nomination past the quota with 409 QUOTA_EXCEEDED and files nothing', async () => {
    const cmes = bearer(credential(cycleId, 'unit:cmes'));
    let refused;
    for (let i = 1; i <= 12 && !refused; i++) {
      const response = await app.inject({
        method: 'POST',
        url: `${unitUrl('cmes')}/nominations`,
        headers: { ...cmes, 'idempotency-key': `cmes-q-${i}` },
        payload: electronics(`配额技术${i}`),
      });
      if (response.statusCode !== 201) refused = response;
    }
    expect(refused?.statusCode).toBe(409);
    expect(refused?.json()).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      field: expect.any(String),
      message: expect.any(String),
    });
    const state = (await app.inject({ method: 'GET', url: unitUrl('cmes'), headers: cmes })).json();
    const usage = state.usage.find(
      (u: { listId: string; fieldId?: string }) => u.listId === 'pioneer-tech' && u.fieldId === 'electronics',
    );
    expect(state.nominations).toHaveLength(usage.limit);
  });

  it('refuses a request without the key, and a malformed body, as 400 INVALID', async () => {
    const cie = bearer(credential(cycleId, 'unit:cie'));
    const noKey = await app.inject({
      method: 'POST',
      url: `${unitUrl('cie')}/nominations`,
      headers: cie,
      payload: electronics('x'),
    });
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json()).toMatchObject({ code: 'INVALID' });
    const badBody = await app.inject({
      method: 'POST',
      url: `${unitUrl('cie')}/nominations`,
      headers: { ...cie, 'idempotency-key': 'bad-1' },
      payload: { listId: 'pioneer-tech', candidate: { name: 7 } },
    });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json()).toMatchObject({ code: 'INVALID', field: expect.stringContaining('candidate') });
    const withoutDossier: Partial<ReturnType<typeof electronics>> = electronics('无申报书');
    delete withoutDossier.dossier;
    const noDossier = await app.inject({
      method: 'POST',
      url: `${unitUrl('cie')}/nominations`,
      headers: { ...cie, 'idempotency-key': 'no-dossier-1' },
      payload: withoutDossier,
    });
    expect(noDossier.statusCode).toBe(400);
    expect(noDossier.json()).toMatchObject({ code: 'INVALID', field: expect.stringMatching(/^dossier/) });
  });

  it('keeps one unit out of another unit’s data: 403 on read and write, nothing changed', async () => {
    const before = await kit.stack.api.unitState(cycleId, 'csae');
    const cie = bearer(credential(cycleId, 'unit:cie'));
    const read = await app.inject({ method: 'GET', url: unitUrl('csae'), headers: cie });
    expect(read.statusCode).toBe(403);
    expect(read.json()).toMatchObject({ code: 'NOT_ALLOWED' });
    const write = await app.inject({
      method: 'POST',
      url: `${unitUrl('csae')}/nominations`,
      headers: { ...cie, 'idempotency-key': 'intrude-1' },
      payload: electronics('越权推荐'),
    });
    expect(write.statusCode).toBe(403);
    // The same through a session from cie's link, on the page and its form.
    const session = await signIn(app, credential(cycleId, 'unit:cie'));
    const page = await app.inject({
      method: 'GET',
      url: `/u/${PROGRAMME}/csae`,
      headers: { cookie: session.cookie },
    });
    expect(page.statusCode).toBe(403);
    const form = await app.inject({
      method: 'POST',
      url: `/u/${PROGRAMME}/csae/nominate`,
      headers: { cookie: session.cookie },
      payload: {
        _csrf: session.csrf,
        part: 'pioneer-tech/electronics',
        'c.name': '越权推荐',
        key: 'intrude-2',
      },
    });
    expect(form.statusCode).toBe(403);
    const secretariatOnly = await app.inject({
      method: 'GET',
      url: `/api/v1/cycles/${PROGRAMME}/audit`,
      headers: cie,
    });
    expect(secretariatOnly.statusCode).toBe(403);
    expect(await kit.stack.api.unitState(cycleId, 'csae')).toEqual(before);
  });

  it('refuses expired and tampered links, and links of another cycle', async () => {
    const expired = credential(cycleId, 'unit:cie', 72, Date.now() - 100 * 3_600_000);
    const good = credential(cycleId, 'unit:cie');
    const [payload, signature] = good.split('.');
    const forged = Buffer.from(payload, 'base64url')
      .toString()
      .replace('"unit","id":"cie"', '"unit","id":"csae"');
    const tampered = [
      `${Buffer.from(forged).toString('base64url')}.${signature}`,
      `${payload}.${otherFirstChar(signature)}`,
    ];
    for (const token of [expired, ...tampered, credential('kczg:another-cycle', 'unit:cie')]) {
      const response = await app.inject({ method: 'GET', url: `/signin?token=${encodeURIComponent(token)}` });
      expect(response.statusCode).toBe(403);
      expect(response.headers['set-cookie']).toBeUndefined();
      const api = await app.inject({ method: 'GET', url: unitUrl('cie'), headers: bearer(token) });
      expect(api.statusCode).toBe(403);
    }
  });

  it('requires the CSRF token on cookie-session writes', async () => {
    const { cookie, csrf } = await signIn(app, credential(cycleId, 'unit:csae'));
    const post = (headers: Record<string, string>, key: string) =>
      app.inject({
        method: 'POST',
        url: `${unitUrl('csae')}/nominations`,
        headers: { cookie, 'idempotency-key': key, ...headers },
        payload: electronics(`CSRF-${key}`),
      });
    const without = await post({}, 'csrf-1');
    expect(without.statusCode).toBe(403);
    expect(without.json()).toMatchObject({ code: 'CSRF' });
    const wrong = await post({ 'x-csrf-token': 'nope' }, 'csrf-2');
    expect(wrong.statusCode).toBe(403);
    expect((await kit.stack.api.unitState(cycleId, 'csae')).nominations).toHaveLength(0);
    const withToken = await post({ 'x-csrf-token': csrf }, 'csrf-3');
    expect(withToken.statusCode).toBe(201);
    // Forms carry it as a field; sign-out needs it too and ends the session.
    const signOut = await app.inject({
      method: 'POST',
      url: '/signout',
      headers: { cookie },
      payload: { _csrf: csrf },
    });
    expect(signOut.statusCode).toBe(200);
    const cleared = sessionCookie(signOut);
    expect(cleared).toBe('kczg_session=');
  });

  it('sets the session cookie httpOnly and SameSite=Strict', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/signin?token=${credential(cycleId, 'unit:cie')}`,
    });
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
  });

  it('ends a session after its idle time, and after its absolute lifetime', async () => {
    for (const expiry of [{ sessionIdleMs: 1 }, { sessionAbsoluteMs: 1 }]) {
      const strict = await startPortal(kit.stack, expiry);
      try {
        const signedIn = await strict.inject({
          method: 'GET',
          url: `/signin?token=${credential(cycleId, 'unit:cie')}`,
        });
        const cookie = sessionCookie(signedIn);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const page = await strict.inject({ method: 'GET', url: `/u/${PROGRAMME}/cie`, headers: { cookie } });
        expect(page.statusCode).toBe(401);
        const api = await strict.inject({ method: 'GET', url: unitUrl('cie'), headers: { cookie } });
        expect(api.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
      } finally {
        await strict.close();
      }
    }
  });

  it('rate-limits sign-in per address with 429', async () => {
    const limited = await startPortal(kit.stack, { signInPerMinute: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await limited.inject({ method: 'GET', url: '/signin?token=guess' })).statusCode);
      }
      expect(statuses).toEqual([403, 403, 403, 429]);
      const api = await limited.inject({ method: 'GET', url: `/api/v1/cycles/${PROGRAMME}` });
      expect(api.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('renders HTML and script in a text field inert on the page', async () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'`';
    const cie = bearer(credential(cycleId, 'unit:cie'));
    const filed = await app.inject({
      method: 'POST',
      url: `${unitUrl('cie')}/nominations`,
      headers: { ...cie, 'idempotency-key': 'hostile-1' },
      payload: {
        ...electronics(hostile),
        candidate: { ...electronics(hostile).candidate, identity: 'X-1', summary: hostile },
      },
    });
    expect(filed.statusCode).toBe(201);
    const { page } = await signIn(app, credential(cycleId, 'unit:cie'));
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&#96;',
    );
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('answers the public view without sign-in, and the verdict endpoint for a draft', async () => {
    const view = await app.inject({ method: 'GET', url: `/api/v1/cycles/${PROGRAMME}` });
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ stage: 'collection', timeline: expect.any(Array) });
    expect(view.json().timeline[0].deadlineAt).toBe('2023-12-01T00:00:00+08:00');
    const verdict = await app.inject({
      method: 'POST',
      url: `${unitUrl('cie')}/eligibility`,
      headers: bearer(credential(cycleId, 'unit:cie')),
      payload: {
        listId: 'emerging-enterprise',
        candidate: { name: '新企业', region: 'abroad', foundedOn: '2020-01-01', standing: 'good' },
      },
    });
    expect(verdict.statusCode).toBe(200);
    expect(verdict.json()).toMatchObject({ status: 'refused' });
  });

  it('lets the secretariat extend a unit’s deadline, hold a mailing and page through the audit log', async () => {
    const secretariat = bearer(credential(cycleId, 'secretariat'));
    const extended = await app.inject({
      method: 'POST',
      url: `/api/v1/cycles/${PROGRAMME}/extend`,
      headers: secretariat,
      payload: {
        scope: { kind: 'unit', unitId: 'cie' },
        until: '2023-12-06T00:00:00+08:00',
        reason: '材料补正',
      },
    });
    expect(extended.statusCode).toBe(200);
    expect(extended.json().unitExtensions).toEqual({ cie: '2023-12-06T00:00:00+08:00' });
    const held = await app.inject({
      method: 'POST',
      url: `/api/v1/cycles/${PROGRAMME}/mailings/${encodeURIComponent('collection:T-7')}/hold`,
      headers: secretariat,
    });
    expect(held.statusCode).toBe(200);
    expect(held.json().heldMailings).toEqual(['collection:T-7']);
    // The cycle tells the unit by a confirmed signal: the unit's own state follows shortly.
    await eventually('the unit to see its extension', async () => {
      const unit = await app.inject({
        method: 'GET',
        url: unitUrl('cie'),
        headers: bearer(credential(cycleId, 'unit:cie')),
      });
      return unit.json().collectionClosesAt === '2023-12-06T00:00:00+08:00' ? true : undefined;
    });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await app.inject({
        method: 'GET',
        url: `/api/v1/cycles/${PROGRAMME}/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: secretariat,
      });
      expect(page.statusCode).toBe(200);
      expect(page.json().items.length).toBeLessThanOrEqual(2);
      seen.push(...page.json().items.map((e: { action: string; at: string }) => `${e.at} ${e.action}`));
      cursor = page.json().nextCursor;
    } while (cursor);
    const all = await kit.stack.api.audit(cycleId);
    expect(seen).toHaveLength(all.length);
    expect(seen.some((line) => line.endsWith('mail-hold'))).toBe(true);
  });

  it('answers 404 for a cycle that does not exist', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/cycles/no-such-programme' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('documents every API route in a valid OpenAPI 3.1 document', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = JSON.parse(response.body);
    expect(doc.openapi).toBe('3.1.0');
    const routes = [
      ['get', '/api/v1/cycles/{programme}'],
      ['get', '/api/v1/cycles/{programme}/published'],
      ['get', '/api/v1/cycles/{programme}/published/{file}'],
      ['get', '/api/v1/cycles/{programme}/lists'],
      ['get', '/api/v1/cycles/{programme}/units/{unit}'],
      ['get', '/api/v1/cycles/{programme}/units/{unit}/nominations'],
      ['post', '/api/v1/cycles/{programme}/units/{unit}/nominations'],
      ['put', '/api/v1/cycles/{programme}/units/{unit}/nominations/{nomination}'],
      ['delete', '/api/v1/cycles/{programme}/units/{unit}/nominations/{nomination}'],
      ['post', '/api/v1/cycles/{programme}/units/{unit}/complete'],
      ['post', '/api/v1/cycles/{programme}/units/{unit}/eligibility'],
      ['post', '/api/v1/cycles/{programme}/units/{unit}/attachments'],
      ['get', '/api/v1/cycles/{programme}/status'],
      ['post', '/api/v1/cycles/{programme}/extend'],
      ['post', '/api/v1/cycles/{programme}/pause'],
      ['post', '/api/v1/cycles/{programme}/resume'],
      ['post', '/api/v1/cycles/{programme}/mailings/{reminder}/{action}'],
      ['get', '/api/v1/cycles/{programme}/audit'],
      ['get', '/api/v1/cycles/{programme}/audit/export'],
      ['get', '/api/v1/cycles/{programme}/tokens'],
      ['post', '/api/v1/cycles/{programme}/tokens'],
      ['delete', '/api/v1/cycles/{programme}/tokens/{token}'],
      ['get', '/api/v1/cycles/{programme}/units/{unit}/drafts'],
      ['get', '/api/v1/cycles/{programme}/units/{unit}/drafts/{draft}'],
      ['put', '/api/v1/cycles/{programme}/units/{unit}/drafts/{draft}'],
      ['delete', '/api/v1/cycles/{programme}/units/{unit}/drafts/{draft}'],
      ['get', '/api/v1/cycles/{programme}/bodies/{body}'],
      ['post', '/api/v1/cycles/{programme}/bodies/{body}/reports'],
      ['get', '/api/v1/cycles/{programme}/projects'],
      ['get', '/api/v1/cycles/{programme}/projects/export'],
      ['get', '/api/v1/cycles/{programme}/projects/{project}'],
      ['post', '/api/v1/cycles/{programme}/projects/{project}/evidence'],
      ['post', '/api/v1/cycles/{programme}/projects/{project}/reports'],
      ['post', '/api/v1/cycles/{programme}/projects/{project}/reports/{report}/verdict'],
      ['post', '/api/v1/cycles/{programme}/projects/{project}/waivers'],
      ['post', '/api/v1/cycles/{programme}/projects/{project}/acceptance'],
      ['get', '/api/v1/cycles/{programme}/funding'],
    ];
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => [method, path]),
    );
    // Routes land with each capability: the core ones must be there, and every documented one is complete.
    expect(documented).toEqual(expect.arrayContaining(routes));
    for (const [method, path] of documented) {
      const operation = doc.paths[path][method];
      expect(operation.responses).toBeDefined();
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '403', '404', '429']));
      for (const param of path.match(/\{(\w+)\}/g) ?? []) {
        const name = param.slice(1, -1);
        expect(operation.parameters).toEqual(
          expect.arrayContaining([expect.objectContaining({ name, in: 'path', required: true })]),
        );
      }
    }
    const nominate = doc.paths['/api/v1/cycles/{programme}/units/{unit}/nominations'].post;
    expect(nominate.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'idempotency-key', in: 'header' })]),
    );
    expect(
      nominate.requestBody.content['application/json'].schema.properties.candidate.properties.name,
    ).toBeDefined();
  });
});
