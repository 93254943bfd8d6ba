/**
 * The chain in the portal, on a keyed national cycle with a society's call under it: the
 * secretariat's API answers the children with their deadlines (RFC 3339, +08:00), a unit's
 * credential is refused, and the secretariat's page lists the child.
 */
import { loadProgramme } from '../../programmes/loader';
import {
  bearer,
  credential,
  finishKeyedCycle,
  signIn,
  startKeyedCycle,
  startPortal,
  type PortalUnderTest,
} from '../portal/portal-kit';
import { eventually, finishCycle, useTimeSkippingStack } from '../support/time-skipping';

const PARENT = 'portal-chain-2023';
const relay = loadProgramme('national-2023-relay');

describe('the chain in the portal', () => {
  let app: PortalUnderTest;
  const cycles = { parent: '', child: '' };
  // Declared before the kit: after-hooks run in declaration order, so this runs before its stop.
  afterAll(async () => {
    await app?.close();
    if (cycles.child) await finishCycle(kit.stack, cycles.child);
    if (cycles.parent) await finishKeyedCycle(kit.stack, cycles.parent);
  });
  const kit = useTimeSkippingStack();

  beforeAll(async () => {
    const { stack } = kit;
    cycles.parent = (await startKeyedCycle(stack, PARENT)).cycleId;
    const offset = (await stack.api.status(cycles.parent)).clockOffsetMs;
    const child = { ...relay, id: 'portal-chain-relay', parent: { ...relay.parent!, programme: PARENT } };
    cycles.child = (await stack.api.startCycle(child, { startAt: await stack.programmeNow(offset) })).cycleId;
    await eventually('the parent knows its child', async () =>
      (await stack.api.chain.status(cycles.parent)).children.length === 1 ? true : undefined,
    );
    app = await startPortal(stack);
  });

  it('answers the secretariat with the children and their deadlines, and refuses a unit', async () => {
    const url = `/api/v1/cycles/${PARENT}/chain`;
    const answer = await app.inject({
      method: 'GET',
      url,
      headers: bearer(credential(cycles.parent, 'secretariat')),
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({
      cycleId: cycles.parent,
      accepted: [],
      refused: [],
      children: [
        {
          cycleId: cycles.child,
          unitId: 'cie',
          deadlines: { finalReviewDueAt: '2023-11-29T00:00:00+08:00' },
          accepted: [],
          refused: [],
        },
      ],
    });
    const unit = await app.inject({
      method: 'GET',
      url,
      headers: bearer(credential(cycles.parent, 'unit:cie')),
    });
    expect(unit.statusCode).toBe(403);
  });

  it('shows the child on the secretariat’s page', async () => {
    const { cookie } = await signIn(app, credential(cycles.parent, 'secretariat'));
    const page = await app.inject({ method: 'GET', url: `/s/${PARENT}/chain`, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('下级 Children (1)');
    expect(page.body).toContain(`${cycles.child}（cie）`);
    expect(page.body).toContain('尚未推荐 / nothing forwarded yet.');
  });
});
