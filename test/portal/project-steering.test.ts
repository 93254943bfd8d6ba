/**
 * The secretariat's project steering and next-year Schedule over HTTP, on the dev server (the
 * time-skipping server has no Schedules): a keyed cycle and one funded project of it; a unit's
 * credential refused (403 NOT_ALLOWED), an extension to the past refused (400 INVALID), an
 * extension, pause/resume (a second pause 409 WRONG_STAGE), a mail hold and release; the
 * next-year Schedule created once (the second call finds it), read, deleted.
 */
import { beijingToEpochMs } from '../../domain/calendar';
import { loadProgramme } from '../../programmes/loader';
import { projectWorkflowId } from '../../workflows/ids';
import { projectInputs } from '../../workflows/project/start';
import { liveStack } from '../support/live-stack';
import {
  bearer,
  credential,
  finishKeyedCycle,
  keys,
  startKeyedCycle,
  startPortal,
  type PortalUnderTest,
} from './portal-kit';

const PROGRAMME = 'portal-steer-2023';
const PROJECT = 'cie.1';

describe('project steering and the next year over HTTP', () => {
  let app: PortalUnderTest;
  let cycleId = '';
  afterAll(async () => {
    await app?.close();
    if (cycleId) await finishKeyedCycle(suite.stack, cycleId);
  });
  const suite = liveStack('kczg-portal-steer-');
  const url = (path: string) => `/api/v1/cycles/${PROGRAMME}${path}`;
  const secretariat = () => bearer(credential(cycleId, 'secretariat'));
  const post = (path: string, payload: unknown, headers = secretariat()) =>
    app.inject({ method: 'POST', url: url(path), headers, payload });

  beforeAll(async () => {
    ({ cycleId } = await startKeyedCycle(suite.stack, PROGRAMME));
    const teams = loadProgramme('service-teams-2023');
    const publishedAt = beijingToEpochMs('2023-11-10 10:00');
    const [input] = projectInputs({
      cycleId,
      programme: teams,
      winners: [{ listId: 'service-team', fieldId: 'industry-team', nominationIds: [PROJECT] }],
      publishedAt,
      clockOffsetMs: publishedAt - Date.now(),
      authPublicKey: keys.publicKey,
    });
    await suite.stack.env.client.workflow.start('projectWorkflow', {
      workflowId: projectWorkflowId(cycleId, PROJECT),
      taskQueue: suite.stack.api.taskQueue,
      args: [input],
    });
    app = await startPortal(suite.stack);
  });

  it('refuses a unit (403) and an extension to the past (400); extends the final report', async () => {
    const byUnit = await post(
      `/projects/${PROJECT}/extend`,
      { dueId: 'final-1', until: '2025-01-01 24:00', reason: '延期' },
      bearer(credential(cycleId, 'unit:cie')),
    );
    expect([byUnit.statusCode, byUnit.json().code]).toEqual([403, 'NOT_ALLOWED']);
    const past = await post(`/projects/${PROJECT}/extend`, {
      dueId: 'final-1',
      until: '2023-01-01 24:00',
      reason: '延期',
    });
    expect([past.statusCode, past.json()]).toEqual([
      400,
      expect.objectContaining({ code: 'INVALID', rule: 'future' }),
    ]);
    const extended = await post(`/projects/${PROJECT}/extend`, {
      dueId: 'final-1',
      until: '2024-12-31 24:00',
      reason: '平台确认延迟',
    });
    expect(extended.statusCode).toBe(200);
    expect(extended.json().dues[1]).toMatchObject({ id: 'final-1', at: '2025-01-01T00:00:00+08:00' });
    expect(extended.json().dues[1].originalAt).toMatch(/\+08:00$/);
  });

  it('pauses once (a second pause is 409), resumes; holds and releases the mail', async () => {
    const paused = await post(`/projects/${PROJECT}/pause`, { reason: '核查' });
    expect(paused.statusCode).toBe(200);
    expect(paused.json().pausedAt).toMatch(/\+08:00$/);
    const twice = await post(`/projects/${PROJECT}/pause`, { reason: '核查' });
    expect([twice.statusCode, twice.json().code]).toEqual([409, 'WRONG_STAGE']);
    const resumed = await post(`/projects/${PROJECT}/resume`, { reason: '核查完毕' });
    expect([resumed.statusCode, resumed.json().pausedAt]).toEqual([200, undefined]);
    const held = await post(`/projects/${PROJECT}/mail/hold`, {});
    expect([held.statusCode, held.json().holds]).toEqual([200, ['all']]);
    const released = await post(`/projects/${PROJECT}/mail/release`, { reminderId: 'all' });
    expect([released.statusCode, released.json().holds]).toEqual([200, []]);
    const unknown = await post(`/projects/nobody.9/pause`, { reason: 'x' });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'UNKNOWN_NOMINATION']);
  });

  it('creates the next year’s Schedule once, reads and deletes it', async () => {
    const first = await post('/next-year', { at: '2030-01-02 09:00' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      created: true,
      programmeId: 'portal-steer-2024',
      cycleId: 'kczg:portal-steer-2024',
      at: '2030-01-02T09:00:00+08:00',
    });
    const again = await post('/next-year', {});
    expect(again.json()).toMatchObject({ created: false, at: '2030-01-02T09:00:00+08:00' });
    const read = await app.inject({ method: 'GET', url: url('/next-year'), headers: secretariat() });
    expect(read.json()).toMatchObject({ scheduleId: 'kczg:open:portal-steer-2024', actions: 0 });
    const byUnit = await app.inject({
      method: 'DELETE',
      url: url('/next-year'),
      headers: bearer(credential(cycleId, 'unit:cie')),
    });
    expect(byUnit.statusCode).toBe(403);
    const deleted = await app.inject({ method: 'DELETE', url: url('/next-year'), headers: secretariat() });
    expect(deleted.json()).toEqual({ scheduleId: 'kczg:open:portal-steer-2024', deleted: true });
    const gone = await app.inject({ method: 'GET', url: url('/next-year'), headers: secretariat() });
    expect([gone.statusCode, gone.json().rule]).toEqual([400, 'schedule']);
  });

  it('lists the new routes in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/cycles/{programme}/projects/{project}/extend',
        '/api/v1/cycles/{programme}/projects/{project}/pause',
        '/api/v1/cycles/{programme}/projects/{project}/mail/hold',
        '/api/v1/cycles/{programme}/next-year',
        '/api/v1/cycles/{programme}/next-year/trigger',
      ]),
    );
  });
});
