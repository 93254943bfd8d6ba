/**
 * API tokens on a keyed cycle: the secretariat issues one for a unit (shown once, only its sha256
 * kept), it works as a bearer credential on the unit's API routes, it is listed and revoked, and a
 * revoked token is refused on every route while a `kczg auth issue` credential keeps working.
 * Refusals: a unit may not issue, an unknown party, too long an expiry, a portal without records.
 * The token page issues and revokes through forms with the CSRF token.
 */
import { buildPortal } from '../../portal/server';
import { useTimeSkippingStack } from '../support/time-skipping';
import {
  bearer,
  credential,
  finishKeyedCycle,
  keys,
  portalConfig,
  PortalUnderTest,
  signIn,
  startKeyedCycle,
  startPortal,
} from './portal-kit';

const PROGRAMME = 'portal-tokens-2023';

describe('API tokens issued by the secretariat', () => {
  let app: PortalUnderTest;
  let cycleId: string;
  afterAll(async () => {
    await app?.close();
    if (cycleId) await finishKeyedCycle(kit.stack, cycleId);
  });
  const kit = useTimeSkippingStack();
  const tokensUrl = `/api/v1/cycles/${PROGRAMME}/tokens`;
  let secretariat: Record<string, string>;

  beforeAll(async () => {
    ({ cycleId } = await startKeyedCycle(kit.stack, PROGRAMME));
    app = await PortalUnderTest.start(
      await buildPortal({
        api: kit.stack.api,
        config: portalConfig(kit.stack, { authPrivateKey: keys.privateKey }),
        records: kit.stack.storage.records.db,
      }),
    );
    secretariat = bearer(credential(cycleId, 'secretariat'));
  });

  const issue = (payload: unknown, headers = secretariat) =>
    app.inject({ method: 'POST', url: tokensUrl, headers, payload });

  it('issues a unit token shown once, which works as a bearer until revoked', async () => {
    const issued = await issue({ party: 'unit:cie', label: '省级系统对接', validDays: 7 });
    expect(issued.statusCode).toBe(201);
    expect(issued.headers['cache-control']).toBe('no-store');
    const { token, id, expiresAt, issuedAt } = issued.json();
    expect(issued.json()).toMatchObject({
      party: 'unit:cie',
      label: '省级系统对接',
      issuedBy: 'secretariat',
    });
    expect(Date.parse(expiresAt) - Date.parse(issuedAt)).toBe(7 * 86_400_000);
    expect(expiresAt).toMatch(/\+08:00$/);

    const unitUrl = `/api/v1/cycles/${PROGRAMME}/units/cie`;
    expect((await app.inject({ method: 'GET', url: unitUrl, headers: bearer(token) })).statusCode).toBe(200);
    // The token is cie's: another unit's data stays closed to it.
    const other = await app.inject({
      method: 'GET',
      url: `/api/v1/cycles/${PROGRAMME}/units/cmes`,
      headers: bearer(token),
    });
    expect(other.statusCode).toBe(403);

    const listed = await app.inject({ method: 'GET', url: tokensUrl, headers: secretariat });
    expect(listed.statusCode).toBe(200);
    const row = listed.json().items.find((t: { id: string }) => t.id === id);
    expect(row).toMatchObject({ party: 'unit:cie', label: '省级系统对接' });
    expect(row.token).toBeUndefined();
    expect(listed.body).not.toContain(token);
    // Only the digest is kept.
    const stored = await kit.stack.storage.records.db.selectFrom('api_tokens').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(token);

    const revoked = await app.inject({ method: 'DELETE', url: `${tokensUrl}/${id}`, headers: secretariat });
    expect(revoked.statusCode).toBe(200);
    const refused = await app.inject({ method: 'GET', url: unitUrl, headers: bearer(token) });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'NOT_ALLOWED', rule: 'revoked' });
    const nominations = await app.inject({
      method: 'GET',
      url: `${unitUrl}/nominations`,
      headers: bearer(token),
    });
    expect(nominations.statusCode).toBe(403);
    // A credential from `kczg auth issue` (not in the list) is unaffected.
    expect(
      (await app.inject({ method: 'GET', url: unitUrl, headers: bearer(credential(cycleId, 'unit:cie')) }))
        .statusCode,
    ).toBe(200);
    const listedAgain = (await app.inject({ method: 'GET', url: tokensUrl, headers: secretariat })).json();
    expect(listedAgain.items.find((t: { id: string }) => t.id === id).revokedAt).toMatch(/\+08:00$/);
  });

  it('refuses a unit issuing, an unknown party, too long an expiry and an unknown token', async () => {
    const byUnit = await issue({ party: 'unit:cie', label: 'x' }, bearer(credential(cycleId, 'unit:cie')));
    expect(byUnit.statusCode).toBe(403);
    const unknown = await issue({ party: 'unit:nobody', label: 'x' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'INVALID', field: 'party' });
    const tooLong = await issue({ party: 'unit:cie', label: 'x', validDays: 365 });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ code: 'INVALID', field: 'validDays' });
    const missing = await app.inject({
      method: 'DELETE',
      url: `${tokensUrl}/${'0'.repeat(64)}`,
      headers: secretariat,
    });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses to issue without records, saying how to fix it', async () => {
    const bare = await startPortal(kit.stack, { authPrivateKey: keys.privateKey });
    try {
      const answer = await bare.inject({
        method: 'POST',
        url: tokensUrl,
        headers: secretariat,
        payload: { party: 'unit:cie', label: 'x' },
      });
      expect(answer.statusCode).toBe(404);
      expect(answer.json()).toMatchObject({
        rule: 'records',
        fix: expect.stringContaining('KCZG_DATABASE_URL'),
      });
    } finally {
      await bare.close();
    }
  });

  it('issues and revokes on the token page with the CSRF token', async () => {
    const { cookie, csrf } = await signIn(app, credential(cycleId, 'secretariat'));
    const page = await app.inject({ method: 'GET', url: `/s/${PROGRAMME}/tokens`, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('签发接口令牌');
    const noCsrf = await app.inject({
      method: 'POST',
      url: `/s/${PROGRAMME}/tokens`,
      headers: { cookie },
      payload: { party: 'unit:cmes', label: '<script>x</script>', validDays: '3' },
    });
    expect(noCsrf.statusCode).toBe(403);
    const issued = await app.inject({
      method: 'POST',
      url: `/s/${PROGRAMME}/tokens`,
      headers: { cookie },
      payload: { _csrf: csrf, party: 'unit:cmes', label: '<script>x</script>', validDays: '3' },
    });
    expect(issued.statusCode).toBe(200);
    const token = /id="issued-token"[^>]*>([^<]+)</.exec(issued.body)?.[1];
    expect(token).toBeDefined();
    expect(issued.body).not.toContain('<script>x</script>');
    const unit = await app.inject({
      method: 'GET',
      url: `/api/v1/cycles/${PROGRAMME}/units/cmes`,
      headers: bearer(String(token)),
    });
    expect(unit.statusCode).toBe(200);
    const id = /name="token" value="([0-9a-f]{64})"/.exec(issued.body)?.[1];
    const revoked = await app.inject({
      method: 'POST',
      url: `/s/${PROGRAMME}/tokens/revoke`,
      headers: { cookie },
      payload: { _csrf: csrf, token: String(id) },
    });
    expect(revoked.statusCode).toBe(303);
    const after = await app.inject({ method: 'GET', url: `/s/${PROGRAMME}/tokens`, headers: { cookie } });
    expect(after.body).toContain('已撤销');
    expect(after.body).not.toContain(String(token));
  });
});
